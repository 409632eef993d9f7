<#
.SYNOPSIS
    The Windows stage (build.ps1 TestWindows): the engine tests and the Pester suite on the Windows code path, under
    Wine, on Linux. Installs Wine from apt where missing; the Windows runtime packs and the PowerShell SDK come from
    NuGet. Returns {Passed, Failed, Skipped} and prints 'Windows: N passed, N failed, N skipped'.

.DESCRIPTION
    What runs:
    - tests/WhisperPS.Engine.Tests.Windows: the sources of tests/WhisperPS.Engine.Tests plus Windows-only tests, as a
      self-contained win-x64 xunit.v3 executable, minus the tests with the trait Needs=python|carbon|mount|setpriv
      (they start Linux programs, which a Windows process cannot).
    - tests/Pester and tests/Pester.Windows through Invoke-PesterTests.ps1 in tests/WhisperPS.WindowsHost (PowerShell 7
      hosted on Windows .NET), minus the tag 'Python'.
    - Helper processes are tests/WhisperPS.Stress built for win-x64, so both sides of every lock are Windows code.
    Wine's traps, each handled below: the CLR needs DOTNET_EnableWriteXorExecute=0; winedbg must be disabled or an
    unhandled exception exits 0; the console host needs a terminal (script(1)); Wine writes CR LF; Pester's XML
    writers crash under Wine, so counts come from Pester's result object.
#>
param(
    [Parameter(Mandatory)] [string] $RepoRoot,
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $PesterPath,
    [Parameter(Mandatory)] [string] $ResultsDir,
    [string] $Configuration = 'Release',
    # Per part (engine tests, Pester): a run still going after this long is killed and counts as failed.
    [int] $TimeoutSeconds = 720
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3

$out = Join-Path $RepoRoot 'out/windows'
$stage = [Diagnostics.Stopwatch]::StartNew()

function Write-Step([string] $Message) { Write-Host ("==> Windows: {0} ({1:n0} s)" -f $Message, $stage.Elapsed.TotalSeconds) }

function ConvertTo-WinePath([string] $Path) {
    # Wine's Z: drive is the Linux root.
    'Z:' + ([IO.Path]::GetFullPath($Path) -replace '/', '\')
}

function Get-Wine {
    foreach ($candidate in '/usr/lib/wine/wine64', '/usr/bin/wine64') { if (Test-Path $candidate) { return $candidate } }
    $cmd = Get-Command wine64 -CommandType Application -ErrorAction SilentlyContinue
    if ($cmd) { return $cmd[0].Source }
    return $null
}

function Install-Wine {
    $wine = Get-Wine
    if ($wine) { return $wine }
    Write-Step 'installing wine and wine64 from apt'
    if ((& id -u) -ne '0') { throw 'Wine is missing and this is not root: apt-get install wine wine64' }
    $env:DEBIAN_FRONTEND = 'noninteractive'
    & apt-get -o DPkg::Lock::Timeout=900 update -qq
    if ($LASTEXITCODE -ne 0) { throw "apt-get update failed ($LASTEXITCODE)" }
    & apt-get -o DPkg::Lock::Timeout=900 install -y -qq wine wine64 | Out-Null
    if ($LASTEXITCODE -ne 0) { throw "apt-get install wine wine64 failed ($LASTEXITCODE)" }
    $wine = Get-Wine
    if (-not $wine) { throw 'wine64 is still missing after apt-get install wine64' }
    return $wine
}

function Publish([string] $Project, [string] $Name, [string[]] $Extra = @()) {
    $dir = Join-Path $out $Name
    & dotnet publish (Join-Path $RepoRoot $Project) -c $Configuration -o $dir --nologo -v quiet -clp:ErrorsOnly @Extra
    if ($LASTEXITCODE -ne 0) { throw "dotnet publish $Project failed ($LASTEXITCODE)" }
    return $dir
}

function Remove-Ansi([string] $Line) { ($Line -replace "`e\[[0-9;?]*[A-Za-z]", '') -replace "`r", '' }

$wine = Install-Wine
Write-Step "wine: $wine ($((& $wine --version 2>&1) -join ' '))"

# Self-contained win-x64 builds: the runtime packs for the SDK's runtime come from NuGet with the first publish.
$engineDir = Publish 'tests/WhisperPS.Engine.Tests.Windows/WhisperPS.Engine.Tests.Windows.csproj' 'engine-tests'
$stressDir = Publish 'tests/WhisperPS.Stress/WhisperPS.Stress.csproj' 'stress' @('-r', 'win-x64', '--self-contained')
$hostDir = Publish 'tests/WhisperPS.WindowsHost/WhisperPS.WindowsHost.csproj' 'pwsh'
Write-Step 'published the Windows builds'

# A prefix of our own, made once per out/ (build.ps1 Clean removes it); Windows 10 is what the module targets.
$env:WINEPREFIX = Join-Path $out 'wineprefix'
$env:WINEDEBUG = '-all'
$env:WINEDLLOVERRIDES = 'winedbg.exe=d;mshtml=d'
$env:DOTNET_EnableWriteXorExecute = '0'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
if (-not (Test-Path (Join-Path $env:WINEPREFIX 'system.reg'))) {
    & $wine wineboot -i 2>&1 | Out-Null
    & $wine reg add 'HKCU\Software\Wine' /v Version /d win10 /f 2>&1 | Out-Null
    if ($LASTEXITCODE -ne 0) { throw "could not set up the Wine prefix $env:WINEPREFIX ($LASTEXITCODE)" }
    Write-Step "new Wine prefix $env:WINEPREFIX"
}
$wineserver = Join-Path ([IO.Path]::GetDirectoryName($wine)) 'wineserver'

$env:WHISPERPS_STRESS = ConvertTo-WinePath (Join-Path $stressDir 'WhisperPS.Stress.exe')
# Every file call under Wine is a round trip to wineserver: the header fuzz runs 2,000 cases instead of 12,000 and
# its time bound allows for that; truncations past the header are tried at every 7th length rather than every one.
$env:WHISPERPS_FUZZ_CASES = '2000'
$env:WHISPERPS_TRUNCATION_STEP = '7'
# Each kill victim is a new Wine process (seconds to start): 8 kills per crash test instead of 15-20.
$env:WHISPERPS_KILLS = '8'
$env:WHISPERPS_SLOW_IO_FACTOR = '4'

try {
    Write-Step 'engine tests (xunit.v3, win-x64)'
    $xml = Join-Path $ResultsDir 'windows-xunit.xml'
    if (Test-Path $xml) { Remove-Item $xml }
    $exclude = foreach ($n in 'python', 'carbon', 'mount', 'setpriv') { '-trait-'; "Needs=$n" }
    # Bounded: under Wine on a loaded machine the run was seen to stop making progress (cause not found); a hang
    # must fail this stage, not stall CI. timeout(1) exits 124 then, which counts as a failure below.
    & timeout --kill-after=30 $TimeoutSeconds $wine (Join-Path $engineDir 'WhisperPS.Engine.Tests.exe') -noColor -noLogo -longRunning 300 @exclude -xml (ConvertTo-WinePath $xml) 2>&1 |
        ForEach-Object { Remove-Ansi "$_" } | Out-Host
    $engineExit = $LASTEXITCODE
    $x = @{ Passed = 0; Failed = 1; Skipped = 0 }
    if (Test-Path $xml) {
        [xml] $doc = Get-Content -Raw $xml
        $a = @($doc.assemblies.assembly)
        $x = @{
            Passed  = [int] ($a | Measure-Object -Sum { [int] $_.passed }).Sum
            Failed  = [int] ($a | Measure-Object -Sum { [int] $_.failed + [int] $_.errors }).Sum
            Skipped = [int] ($a | Measure-Object -Sum { [int] $_.skipped + [int] $_.'not-run' }).Sum
        }
    }
    else { Write-Warning 'the Windows engine tests wrote no results' }
    if ($engineExit -ne 0 -and $x.Failed -eq 0) { $x.Failed = 1; Write-Warning "the Windows engine tests exited with $engineExit" }
    if ($x.Passed -eq 0) { $x.Failed = [math]::Max(1, $x.Failed); Write-Warning 'no Windows engine test passed' }
    Write-Step ('engine: {0} passed, {1} failed, {2} skipped' -f $x.Passed, $x.Failed, $x.Skipped)

    Write-Step 'Pester (PowerShell on Windows .NET)'
    $json = Join-Path $ResultsDir 'windows-pester.json'
    if (Test-Path $json) { Remove-Item $json }
    $launcher = Join-Path $out 'Run-Pester.ps1'
    $q = { param($p) "'" + ($p -replace "'", "''") + "'" }
    Set-Content -LiteralPath $launcher -Encoding UTF8 -Value @(
        '$PSStyle.OutputRendering = ''PlainText'''
        "& $(& $q (ConvertTo-WinePath (Join-Path $RepoRoot 'tests/Invoke-PesterTests.ps1'))) -PesterPath $(& $q (ConvertTo-WinePath $PesterPath)) ``"
        "    -ModulePath $(& $q (ConvertTo-WinePath $ModulePath)) -ResultPath $(& $q (ConvertTo-WinePath $json)) ``"
        "    -TestPath @($(& $q (ConvertTo-WinePath (Join-Path $RepoRoot 'tests/Pester'))), $(& $q (ConvertTo-WinePath (Join-Path $RepoRoot 'tests/Pester.Windows')))) ``"
        "    -ExcludeTag Python -NoTestResultFile"
        'exit $LASTEXITCODE')
    # The console host needs a terminal; script(1) gives it one and passes on the exit code.
    $command = "stty cols 200 rows 50 2>/dev/null; exec timeout --kill-after=30 $TimeoutSeconds '$wine' '$(Join-Path $hostDir 'pwsh-win.exe')' -NoProfile -NonInteractive -ExecutionPolicy Bypass -File '$(ConvertTo-WinePath $launcher)'"
    & script -qec $command /dev/null 2>&1 | ForEach-Object { Remove-Ansi "$_" } | Out-Host
    $pesterExit = $LASTEXITCODE
    $p = @{ Passed = 0; Failed = 1; Skipped = 0 }
    if (Test-Path $json) {
        $r = Get-Content -Raw $json | ConvertFrom-Json
        $p = @{ Passed = [int] $r.Passed; Failed = [int] $r.Failed; Skipped = [int] $r.Skipped }
    }
    else { Write-Warning 'Pester under Wine wrote no results' }
    if ($pesterExit -ne 0 -and $p.Failed -eq 0) { $p.Failed = 1; Write-Warning "Pester under Wine exited with $pesterExit" }
    if ($p.Passed -eq 0) { $p.Failed = [math]::Max(1, $p.Failed); Write-Warning 'no Pester test passed under Wine' }
}
finally {
    # The prefix's wineserver and its services are ours: end them rather than leave them for their idle timeout.
    if (Test-Path $wineserver) { & $wineserver -k 2>&1 | Out-Null }
}

$result = [pscustomobject] @{ Passed = $x.Passed + $p.Passed; Failed = $x.Failed + $p.Failed; Skipped = $x.Skipped + $p.Skipped }
Write-Host ('Windows stage in {0:n0} s: xunit: {1} passed, {2} failed, {3} skipped; Pester: {4} passed, {5} failed, {6} skipped' -f
    $stage.Elapsed.TotalSeconds, $x.Passed, $x.Failed, $x.Skipped, $p.Passed, $p.Failed, $p.Skipped)
Write-Host ('Windows: {0} passed, {1} failed, {2} skipped' -f $result.Passed, $result.Failed, $result.Skipped)
return $result
