<#
.SYNOPSIS
    Builds WhisperPS's external help (en-US/WhisperPS.dll-Help.xml and about_WhisperPS.help.txt) from docs/.

.DESCRIPTION
    build.ps1 runs this after every Build, in a child PowerShell, so that the built module can be imported here
    without locking the caller:

        tools/Docs.ps1 -RepoRoot <repo> -ModuleOut <repo>/out/WhisperPS

    The MAML comes from docs/<Cmdlet>.md (platyPS v2 markdown). When Microsoft.PowerShell.PlatyPS (v2) or platyPS
    (v1) is installed it is used; otherwise the project's own fallback generator (tools/DocsMarkdown.ps1) builds the
    MAML from the markdown's prose and the built module's Get-Command metadata. The script always says which one it
    used. Whatever the generator, the markdown is first checked against the module: a parameter documented but
    missing from the cmdlet, a cmdlet parameter without docs, or parameter metadata (type, position, pipeline input,
    wildcards, aliases) that disagrees with the cmdlet fails the build.

    -Update rewrites the metadata parts of docs/<Cmdlet>.md (SYNTAX and each parameter's yaml block) from the built
    module, keeping the prose, and creates a skeleton for a cmdlet without a page. New parameters get a
    '{{ Fill ... }}' placeholder, which the build rejects until it is replaced by a description.

.PARAMETER RepoRoot
    The repository root (docs/ is read from there).

.PARAMETER ModuleOut
    The built module folder (out/WhisperPS); en-US/ is written inside it.

.PARAMETER Generator
    Auto (default: platyPS v2, then platyPS v1, then the fallback), or Fallback to force the project's generator.

.PARAMETER Update
    Refresh docs/<Cmdlet>.md from the built module instead of building help.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $RepoRoot,
    [Parameter(Mandatory)] [string] $ModuleOut,
    [ValidateSet('Auto', 'Fallback')] [string] $Generator = 'Auto',
    [switch] $Update
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3
. (Join-Path $PSScriptRoot 'DocsMarkdown.ps1')
$RepoRoot = (Resolve-Path -LiteralPath $RepoRoot).ProviderPath
$ModuleOut = (Resolve-Path -LiteralPath $ModuleOut).ProviderPath

$docsDir = Join-Path $RepoRoot 'docs'
$culture = Join-Path $ModuleOut 'en-US'
$mamlName = 'WhisperPS.dll-Help.xml'
$aboutName = 'about_WhisperPS.help.txt'

$manifest = Join-Path $ModuleOut 'WhisperPS.psd1'
if (-not (Test-Path -LiteralPath $manifest)) { throw "The built module is missing: $manifest (run build.ps1 Build)" }
$module = Import-Module $manifest -Force -PassThru -ErrorAction Stop
$commands = @(Get-Command -Module $module.Name -CommandType Cmdlet | Sort-Object Name)

if ($Update) {
    foreach ($cmd in $commands) {
        $path = Join-Path $docsDir ($cmd.Name + '.md')
        if (Test-Path -LiteralPath $path) { $doc = Read-WhisperCommandMarkdown -Path $path }
        else { $doc = New-WhisperCommandMarkdownSkeleton -Command $cmd; Write-Host "    new page $path (fill in the placeholders)" }
        Write-WhisperCommandMarkdown -Doc $doc -Command $cmd -Path $path
        Write-Host "    updated $path"
    }
    return
}

if ($commands.Count -eq 0) {
    Write-Host '    Docs: the module exports no cmdlets yet; only the about topic is built'
}

# Every exported cmdlet has a page, every page belongs to an exported cmdlet, and each page matches its cmdlet.
$docs = New-Object System.Collections.Generic.List[object]
$problems = New-Object System.Collections.Generic.List[string]
foreach ($file in @(Get-ChildItem -LiteralPath $docsDir -Filter '*.md' -File | Sort-Object Name)) {
    if ($file.Name -eq 'WhisperPS.md') { continue }
    $name = $file.BaseName
    if (@($commands | Where-Object { $_.Name -eq $name }).Count -eq 0) {
        if ($commands.Count -gt 0) { $problems.Add("docs/$($file.Name) documents '$name', which the module does not export") }
        continue
    }
    $docs.Add((Read-WhisperCommandMarkdown -Path $file.FullName))
}
foreach ($cmd in $commands) {
    $doc = @($docs | Where-Object { $_.Name -eq $cmd.Name })
    if ($doc.Count -eq 0) { $problems.Add("$($cmd.Name) has no docs/$($cmd.Name).md"); continue }
    foreach ($p in (Test-WhisperCommandMarkdown -Doc $doc[0] -Command $cmd)) { $problems.Add($p) }
}
$modulePage = Join-Path $docsDir 'WhisperPS.md'
if (-not (Test-Path -LiteralPath $modulePage)) { $problems.Add('docs/WhisperPS.md (the module page) is missing') }
else {
    $pageText = [IO.File]::ReadAllText($modulePage)
    foreach ($cmd in $commands) {
        if (-not $pageText.Contains("### [$($cmd.Name)]($($cmd.Name).md)")) { $problems.Add("docs/WhisperPS.md does not list $($cmd.Name)") }
    }
}
$aboutSource = Join-Path $docsDir $aboutName
if (-not (Test-Path -LiteralPath $aboutSource)) { $problems.Add("docs/$aboutName is missing") }
if ($problems.Count -gt 0) {
    foreach ($p in $problems) { Write-Host "    Docs ERROR: $p" }
    throw "Help sources do not match the module: $($problems.Count) problem(s) listed above (tools/Docs.ps1 -Update refreshes the metadata parts)"
}

if (Test-Path -LiteralPath $culture) { Remove-Item -LiteralPath $culture -Recurse -Force }
$null = New-Item -ItemType Directory -Force -Path $culture
$target = Join-Path $culture $mamlName

$used = $null
if ($commands.Count -gt 0 -and $Generator -eq 'Auto') {
    $v2 = Get-Module -ListAvailable -Name Microsoft.PowerShell.PlatyPS | Sort-Object Version -Descending | Select-Object -First 1
    $v1 = Get-Module -ListAvailable -Name platyPS | Sort-Object Version -Descending | Select-Object -First 1
    if ($v2) {
        try {
            Import-Module $v2 -ErrorAction Stop
            $tmp = Join-Path ([IO.Path]::GetTempPath()) ('whisperps-docs-' + [guid]::NewGuid().ToString('N'))
            $help = @($docs | ForEach-Object { Import-MarkdownCommandHelp -Path $_.Path })
            $null = $help | Export-MamlCommandHelp -OutputFolder $tmp -Force
            $made = @(Get-ChildItem -LiteralPath $tmp -Recurse -Filter $mamlName -File)
            if ($made.Count -ne 1) { throw "Export-MamlCommandHelp did not produce exactly one $mamlName" }
            Copy-Item -LiteralPath $made[0].FullName -Destination $target
            Remove-Item -LiteralPath $tmp -Recurse -Force
            $used = "platyPS v2 (Microsoft.PowerShell.PlatyPS $($v2.Version))"
        } catch {
            Write-Warning "Microsoft.PowerShell.PlatyPS $($v2.Version) failed ($($_.Exception.Message)); trying the next generator"
        }
    }
    if (-not $used -and $v1) {
        try {
            Import-Module $v1 -ErrorAction Stop
            $null = New-ExternalHelp -Path @($docs | ForEach-Object { $_.Path }) -OutputPath $culture -Force -ErrorAction Stop
            if (-not (Test-Path -LiteralPath $target)) { throw "New-ExternalHelp did not write $mamlName" }
            $used = "platyPS v1 ($($v1.Version))"
        } catch {
            # platyPS v1 reads its own (older) markdown schema; the v2 pages may not parse there.
            Write-Warning "platyPS $($v1.Version) failed ($($_.Exception.Message)); using the fallback generator"
            if (Test-Path -LiteralPath $target) { Remove-Item -LiteralPath $target -Force }
        }
    }
}
if (-not $used -and $commands.Count -gt 0) {
    if ($Generator -eq 'Auto') { Write-Host '    Docs: platyPS not available; using the WhisperPS fallback MAML generator (tools/DocsMarkdown.ps1)' }
    else { Write-Host '    Docs: -Generator Fallback; using the WhisperPS fallback MAML generator (tools/DocsMarkdown.ps1)' }
    $xml = ConvertTo-WhisperMaml -Docs $docs.ToArray() -Commands $commands -Generator 'tools/Docs.ps1'
    [IO.File]::WriteAllText($target, $xml, (New-Object System.Text.UTF8Encoding $false))
    $used = 'WhisperPS fallback generator (not platyPS)'
}

if ($used) {
    # Read the result back: well-formed, one command:command per exported cmdlet.
    [xml] $check = Get-Content -Raw -LiteralPath $target
    $ns = New-Object System.Xml.XmlNamespaceManager $check.NameTable
    $ns.AddNamespace('command', 'http://schemas.microsoft.com/maml/dev/command/2004/10')
    $names = @($check.SelectNodes('//command:command/command:details/command:name', $ns) | ForEach-Object { $_.InnerText } | Sort-Object)
    $expected = @($commands | ForEach-Object { $_.Name } | Sort-Object)
    if (($names -join ',') -ne ($expected -join ',')) { throw "$mamlName documents [$($names -join ', ')] but the module exports [$($expected -join ', ')]" }
    Write-Host "    Docs: $target ($($names.Count) cmdlets; generator: $used)"
}

Copy-Item -LiteralPath $aboutSource -Destination (Join-Path $culture $aboutName)
Write-Host "    Docs: $(Join-Path $culture $aboutName)"
