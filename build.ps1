#Requires -Version 5.1
<#
.SYNOPSIS
    Builds, tests, documents, benchmarks and packages WhisperPS.

.DESCRIPTION
    Tasks run in a fixed order whatever order they are given in: Clean, Build, Docs, Test, TestWindows, Demo, Bench,
    Package. TestWindows runs the engine tests and the Pester suite on the Windows code path under Wine (installed
    from apt when missing; see tests/Invoke-WindowsTests.ps1). With Test and TestWindows together the last line
    counts both.
    Build always includes Docs, so the module in out/WhisperPS answers Get-Help. Test, TestWindows, Demo, Bench and
    Package build first. Several tasks can be given as a list (Build, Package) or, through 'dotnet pwsh', as one
    comma-separated argument (Build,Package).

    Build tools that only the PowerShell Gallery publishes (platyPS, which validates the help markdown) are saved into
    .tools/psmodules from -PSRepository. Where that repository cannot be reached the build goes on without them and
    says so.

    On a fresh machine with only the .NET SDK:
        dotnet tool restore
        dotnet pwsh ./build.ps1 Demo     # build and run the demo
        dotnet pwsh ./build.ps1 Test,TestWindows   # every test; ends with 'N passed, N failed, N skipped'

.PARAMETER Task
    One or more of Clean, Build, Docs, Test, TestWindows, Demo, Bench, Package. Default: Build.

.PARAMETER Configuration
    Debug or Release (default).

.PARAMETER PowerShell
    The PowerShell executable that runs Pester, the demo and the docs generator (default: this one).

.PARAMETER PSRepository
    Where build tools come from: the name of a registered PSResourceGet repository (default PSGallery), or the path or
    URI of a repository folder or feed (an internal mirror, or a local folder of .nupkg files).
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ArgumentCompleter({ param($c, $p, $word) 'Clean', 'Build', 'Docs', 'Test', 'TestWindows', 'Demo', 'Bench', 'Package' | Where-Object { $_ -like "$word*" } })]
    [string[]] $Task = @('Build'),

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    [string] $PowerShell,

    [string] $PSRepository = 'PSGallery'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3

# 'dotnet pwsh ./build.ps1 Build,Package' hands the list over as one string: split it, then check every name.
$order = 'Clean', 'Build', 'Docs', 'Test', 'TestWindows', 'Demo', 'Bench', 'Package'
$Task = @($Task | ForEach-Object { $_ -split ',' } | ForEach-Object { $_.Trim() } | Where-Object { $_ })
foreach ($t in $Task) {
    if ($order -notcontains $t) { throw "Unknown task '$t'. Tasks: $($order -join ', ')." }
}

$RepoRoot = $PSScriptRoot
$OutDir = Join-Path $RepoRoot 'out'
$ModuleOut = Join-Path $OutDir 'WhisperPS'
$ResultsDir = Join-Path $OutDir 'test-results'
$ToolsDir = Join-Path $RepoRoot 'tools'
$BuildToolsDir = Join-Path $RepoRoot '.tools/psmodules'
# platyPS validates docs/*.md; pinned to the major version whose markdown schema the pages follow.
$PlatyPSName = 'Microsoft.PowerShell.PlatyPS'
$PlatyPSVersion = '[1.0.3,2.0)'

function Write-Step([string] $Message) {
    Write-Host "==> $Message"
}

function Invoke-Native {
    # Runs an external command and throws if it fails, so a failed dotnet call can never be missed.
    param([string] $FilePath, [string[]] $Arguments)
    & $FilePath @Arguments
    if ($LASTEXITCODE -ne 0) {
        throw "'$FilePath $($Arguments -join ' ')' failed with exit code $LASTEXITCODE"
    }
}

function Get-BuildProperty([string] $Name) {
    # Directory.Build.props is the single source of the version and the project's address.
    [xml] $props = Get-Content -Raw (Join-Path $RepoRoot 'Directory.Build.props')
    return [string] ($props.Project.PropertyGroup | Where-Object { $_[$Name] } | Select-Object -First 1).$Name
}

function Get-ModuleVersion { Get-BuildProperty 'Version' }

function Get-ReleaseNotes([string] $Version) {
    # The CHANGELOG.md section of this version ('## <version>' up to the next '## ').
    $lines = Get-Content -LiteralPath (Join-Path $RepoRoot 'CHANGELOG.md')
    $start = -1
    for ($i = 0; $i -lt $lines.Count; $i++) {
        if ($lines[$i] -match ('^## ' + [regex]::Escape($Version) + '(\s|$)')) { $start = $i + 1; break }
    }
    if ($start -lt 0) { throw "CHANGELOG.md has no '## $Version' section" }
    $end = $lines.Count
    for ($i = $start; $i -lt $lines.Count; $i++) { if ($lines[$i] -match '^## ') { $end = $i; break } }
    return (($lines[$start..($end - 1)] -join "`n").Trim())
}

function New-ShippedManifest([string] $Version) {
    # WhisperPS.psd1 with what the build knows: version, project and licence addresses, release notes, and a
    # PSCommand_<Cmdlet> tag per cmdlet (what Find-PSResource -CommandName searches; PSResourceGet does not add them).
    $projectUrl = (Get-BuildProperty 'PackageProjectUrl').TrimEnd('/')
    $text = Get-Content -Raw (Join-Path $RepoRoot 'WhisperPS.psd1')
    $data = Import-PowerShellDataFile -LiteralPath (Join-Path $RepoRoot 'WhisperPS.psd1')
    $notes = Get-ReleaseNotes $Version
    if ($notes -match "(?m)^'@") { throw "CHANGELOG.md's $Version section may not start a line with '@" }
    $tags = @($data.PrivateData.PSData.Tags) + @($data.CmdletsToExport | ForEach-Object { "PSCommand_$_" })
    $text = $text -replace "ModuleVersion\s*=\s*'[^']*'", "ModuleVersion = '$Version'"
    $text = $text -replace "ProjectUri\s*=\s*'[^']*'", "ProjectUri = '$projectUrl'"
    $text = $text -replace "LicenseUri\s*=\s*'[^']*'", "LicenseUri = '$projectUrl/blob/main/LICENSE'"
    $text = $text -replace "Tags\s*=\s*@\([^)]*\)", ("Tags = @(" + (($tags | ForEach-Object { "'$_'" }) -join ', ') + ')')
    $text = $text -replace "ReleaseNotes\s*=\s*'[^']*'", { "ReleaseNotes = @'`n$notes`n'@" }
    return $text
}

function Get-ChildPowerShell {
    # A binary module cannot be unloaded, so anything that loads the fresh build runs in a new process.
    # Returns the command and the leading arguments that start one.
    if ($PowerShell) { return @{ Exe = $PowerShell; Args = @() } }
    $processPath = $null
    if ([Environment] | Get-Member -Static -Name ProcessPath) { $processPath = [Environment]::ProcessPath }
    if (-not $processPath) { $processPath = (Get-Process -Id $PID).Path }
    if ([IO.Path]::GetFileNameWithoutExtension($processPath) -eq 'dotnet') {
        # Running as the 'dotnet pwsh' local tool: start pwsh.dll through the same dotnet host.
        return @{ Exe = $processPath; Args = @(Join-Path $PSHOME 'pwsh.dll') }
    }
    return @{ Exe = $processPath; Args = @() }
}

function Invoke-ChildPowerShell {
    param([string] $File, [string[]] $Arguments = @(), [switch] $NoThrow)
    $ps = Get-ChildPowerShell
    $all = @($ps.Args) + @('-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-File', $File) + $Arguments
    & $ps.Exe @all | Out-Host
    $code = $LASTEXITCODE
    if (-not $NoThrow -and $code -ne 0) { throw "'$File' failed with exit code $code" }
    return $code
}

function Get-NuGetPackagesFolder {
    if ($env:NUGET_PACKAGES) { return $env:NUGET_PACKAGES }
    $line = & dotnet nuget locals global-packages --list | Select-Object -First 1
    return ($line -replace '^global-packages:\s*', '').Trim()
}

function Get-PesterModulePath {
    # Pester 5 comes from the NuGet package 'Pester' (the PowerShell Gallery is not needed).
    $project = Join-Path $RepoRoot 'tests/tools/TestTools.csproj'
    Invoke-Native dotnet @('restore', $project, '--verbosity', 'quiet')
    [xml] $xml = Get-Content -Raw $project
    $version = ([string] ($xml.Project.ItemGroup.PackageDownload | Where-Object { $_.Include -eq 'Pester' }).Version).Trim('[', ']')
    $psd1 = Join-Path (Get-NuGetPackagesFolder) "pester/$version/tools/Pester.psd1"
    if (-not (Test-Path $psd1)) { throw "Pester $version was restored but $psd1 is missing" }
    return $psd1
}

function Invoke-Clean {
    Write-Step 'Clean'
    foreach ($dir in @($OutDir) + @(Get-ChildItem -Path (Join-Path $RepoRoot 'src'), (Join-Path $RepoRoot 'tests'), (Join-Path $RepoRoot 'bench') -Directory -Recurse -Include bin, obj -ErrorAction SilentlyContinue | ForEach-Object FullName)) {
        if (Test-Path $dir) { Remove-Item -Recurse -Force $dir }
    }
}

function Invoke-Build {
    Write-Step "Build ($Configuration)"
    Invoke-Native dotnet @('build', (Join-Path $RepoRoot 'WhisperPS.sln'), '-c', $Configuration, '--nologo', '-v', 'quiet', '-clp:ErrorsOnly')

    if (Test-Path $ModuleOut) { Remove-Item -Recurse -Force $ModuleOut }
    $null = New-Item -ItemType Directory -Force $ModuleOut
    $bin = Join-Path $RepoRoot "src/WhisperPS/bin/$Configuration/netstandard2.0"
    # An allow-list: exactly these files ship, and a missing one fails the build.
    foreach ($file in 'WhisperPS.dll', 'WhisperPS.Engine.dll', 'WhisperPS.Format.ps1xml') {
        $source = Join-Path $bin $file
        if (-not (Test-Path $source)) { throw "Build output is missing $file ($source)" }
        Copy-Item $source $ModuleOut
    }
    $version = Get-ModuleVersion
    $manifest = New-ShippedManifest $version
    [IO.File]::WriteAllText((Join-Path $ModuleOut 'WhisperPS.psd1'), $manifest, (New-Object Text.UTF8Encoding $true))
    if (Test-Path (Join-Path $RepoRoot 'LICENSE')) { Copy-Item (Join-Path $RepoRoot 'LICENSE') $ModuleOut }
    $null = Test-ModuleManifest (Join-Path $ModuleOut 'WhisperPS.psd1') -ErrorAction Stop
    Write-Host "    module $version at $ModuleOut"
    Invoke-Docs
}

function Install-BuildTools {
    # Saves platyPS into .tools/psmodules (never into the user's modules) from -PSRepository; returns that folder,
    # or $null when no copy is there and the repository cannot supply one.
    if (Get-ChildItem -Path (Join-Path $BuildToolsDir "$PlatyPSName/*/$PlatyPSName.psd1") -ErrorAction SilentlyContinue) {
        return $BuildToolsDir
    }
    if (-not (Get-Command Save-PSResource -ErrorAction SilentlyContinue)) {
        Write-Host "    build tools: this PowerShell has no PSResourceGet (Save-PSResource); $PlatyPSName not installed"
        return $null
    }
    $repository = $PSRepository
    $temporary = $null
    $isLocation = $PSRepository -match '://' -or (Test-Path -LiteralPath $PSRepository -PathType Container)
    try {
        if ($isLocation) {
            # A folder or feed given by location: registered under a throw-away name for this one call.
            $temporary = 'WhisperPSBuild' + [guid]::NewGuid().ToString('N').Substring(0, 8)
            $uri = if ($PSRepository -match '://') { $PSRepository } else { (Resolve-Path -LiteralPath $PSRepository).ProviderPath }
            Register-PSResourceRepository -Name $temporary -Uri $uri -Trusted -ErrorAction Stop
            $repository = $temporary
        }
        $null = New-Item -ItemType Directory -Force $BuildToolsDir
        Save-PSResource -Name $PlatyPSName -Version $PlatyPSVersion -Repository $repository -Path $BuildToolsDir -TrustRepository -ErrorAction Stop
        Write-Host "    build tools: saved $PlatyPSName from '$PSRepository' into $BuildToolsDir"
        return $BuildToolsDir
    } catch {
        Write-Host "    build tools: $PlatyPSName $PlatyPSVersion is not available from '$PSRepository' ($($_.Exception.Message.Split([char]10)[0]))"
        return $null
    } finally {
        if ($temporary) { Unregister-PSResourceRepository -Name $temporary -ErrorAction SilentlyContinue }
    }
}

function Invoke-Docs {
    $script = Join-Path $ToolsDir 'Docs.ps1'
    if (-not (Test-Path $script)) { Write-Step 'Docs: tools/Docs.ps1 not present yet; no help built'; return }
    Write-Step 'Docs'
    $docsArgs = @('-RepoRoot', $RepoRoot, '-ModuleOut', $ModuleOut)
    $tools = Install-BuildTools
    if ($tools) { $docsArgs += @('-ToolModulePath', $tools) }
    $null = Invoke-ChildPowerShell $script $docsArgs
}

function Get-TrxCounts([string] $Path) {
    [xml] $trx = Get-Content -Raw $Path
    $c = $trx.TestRun.ResultSummary.Counters
    return @{ Passed = [int] $c.passed; Failed = [int] $c.failed + [int] $c.error + [int] $c.timeout + [int] $c.aborted; Skipped = [int] $c.notExecuted }
}

function Invoke-Test {
    Write-Step 'Test'
    if (Test-Path $ResultsDir) { Remove-Item -Recurse -Force $ResultsDir }
    $null = New-Item -ItemType Directory -Force $ResultsDir

    Write-Step 'xunit (engine and interop with python3-whisper)'
    $trx = Join-Path $ResultsDir 'xunit.trx'
    & dotnet test (Join-Path $RepoRoot 'tests/WhisperPS.Engine.Tests/WhisperPS.Engine.Tests.csproj') -c $Configuration --no-build --nologo `
        --logger "trx;LogFileName=$trx" --logger 'console;verbosity=minimal' --results-directory $ResultsDir
    $xunitExit = $LASTEXITCODE
    if (Test-Path $trx) { $x = Get-TrxCounts $trx } else { $x = @{ Passed = 0; Failed = 1; Skipped = 0 }; Write-Warning 'xunit produced no results' }
    if ($xunitExit -ne 0 -and $x.Failed -eq 0) { $x.Failed = 1; Write-Warning "dotnet test exited with $xunitExit" }

    Write-Step 'Pester (cmdlets)'
    $pesterJson = Join-Path $ResultsDir 'pester.json'
    $pesterExit = Invoke-ChildPowerShell (Join-Path $RepoRoot 'tests/Invoke-PesterTests.ps1') @(
        '-PesterPath', (Get-PesterModulePath), '-ModulePath', (Join-Path $ModuleOut 'WhisperPS.psd1'),
        '-TestPath', (Join-Path $RepoRoot 'tests/Pester'), '-ResultPath', $pesterJson) -NoThrow
    if (Test-Path $pesterJson) { $p = Get-Content -Raw $pesterJson | ConvertFrom-Json } else { $p = [pscustomobject] @{ Passed = 0; Failed = 1; Skipped = 0 }; Write-Warning 'Pester produced no results' }
    $pFailed = [int] $p.Failed
    if ($pesterExit -ne 0 -and $pFailed -eq 0) { $pFailed = 1; Write-Warning "Pester exited with $pesterExit" }

    $passed = $x.Passed + [int] $p.Passed
    $failed = $x.Failed + $pFailed
    $skipped = $x.Skipped + [int] $p.Skipped
    Write-Host ("xunit: {0} passed, {1} failed, {2} skipped; Pester: {3} passed, {4} failed, {5} skipped" -f $x.Passed, $x.Failed, $x.Skipped, $p.Passed, $pFailed, $p.Skipped)
    Write-Host ('Linux: {0} passed, {1} failed, {2} skipped' -f $passed, $failed, $skipped)
    Add-TestTotal $passed $failed $skipped
}

# Test and TestWindows add their counts here; the script ends with the sum and fails on any failure.
$script:TestTotal = $null
function Add-TestTotal([int] $Passed, [int] $Failed, [int] $Skipped) {
    if (-not $script:TestTotal) { $script:TestTotal = @{ Passed = 0; Failed = 0; Skipped = 0 } }
    $script:TestTotal.Passed += $Passed; $script:TestTotal.Failed += $Failed; $script:TestTotal.Skipped += $Skipped
}

function Invoke-TestWindows {
    Write-Step 'TestWindows (under Wine)'
    $null = New-Item -ItemType Directory -Force $ResultsDir
    try {
        $r = & (Join-Path $RepoRoot 'tests/Invoke-WindowsTests.ps1') -RepoRoot $RepoRoot -ModulePath (Join-Path $ModuleOut 'WhisperPS.psd1') `
            -PesterPath (Get-PesterModulePath) -ResultsDir $ResultsDir -Configuration $Configuration
        Add-TestTotal $r.Passed $r.Failed $r.Skipped
    }
    catch {
        Write-Warning "TestWindows failed: $_"
        Add-TestTotal 0 1 0
    }
}

function Invoke-ToolScript([string] $Name) {
    $script = Join-Path $ToolsDir "$Name.ps1"
    if (-not (Test-Path $script)) { throw "tools/$Name.ps1 is missing" }
    Write-Step $Name
    $null = Invoke-ChildPowerShell $script @('-RepoRoot', $RepoRoot, '-ModuleOut', $ModuleOut, '-Configuration', $Configuration)
}

function Invoke-Package {
    # out/packages/WhisperPS.<version>.nupkg: what Publish-PSResource would upload, installable with
    # Install-PSResource from any repository that holds it (a file share, an internal feed, the Gallery).
    Write-Step 'Package'
    if (-not (Get-Command Compress-PSResource -ErrorAction SilentlyContinue)) { throw 'Package needs PSResourceGet 1.1 or later (PowerShell 7.4+ ships it)' }
    $packages = Join-Path $OutDir 'packages'
    $nupkg = Join-Path $packages ("WhisperPS.{0}.nupkg" -f (Get-ModuleVersion))
    if (Test-Path $nupkg) { Remove-Item $nupkg }
    $null = New-Item -ItemType Directory -Force $packages
    Compress-PSResource -Path $ModuleOut -DestinationPath $packages
    if (-not (Test-Path $nupkg)) { throw "Compress-PSResource did not write $nupkg" }
    Write-Host "    $nupkg"
    $zip = Join-Path $OutDir ("WhisperPS.{0}.zip" -f (Get-ModuleVersion))
    if (Test-Path $zip) { Remove-Item $zip }
    Compress-Archive -Path $ModuleOut -DestinationPath $zip
    Write-Host "    $zip"
}

$wanted = @($order | Where-Object { $Task -contains $_ })
$needsBuild = @($wanted | Where-Object { $_ -in 'Test', 'TestWindows', 'Demo', 'Bench', 'Package' }).Count -gt 0
$built = $false
foreach ($t in $wanted) {
    switch ($t) {
        'Clean' { Invoke-Clean }
        'Build' { Invoke-Build; $built = $true }
        'Docs' { if (-not $built) { Invoke-Build; $built = $true } }  # the help generator reads the built module
        default {
            if ($needsBuild -and -not $built) { Invoke-Build; $built = $true }
            switch ($t) {
                'Test' { Invoke-Test }
                'TestWindows' { Invoke-TestWindows }
                'Demo' { Invoke-ToolScript 'Demo' }
                'Bench' { Invoke-ToolScript 'Bench' }
                'Package' { Invoke-Package }
            }
        }
    }
}
if ($script:TestTotal) {
    Write-Host ('{0} passed, {1} failed, {2} skipped' -f $script:TestTotal.Passed, $script:TestTotal.Failed, $script:TestTotal.Skipped)
    if ($script:TestTotal.Failed -gt 0) { exit 1 }
}
