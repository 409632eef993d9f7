<#
.SYNOPSIS
    Builds WhisperPS's external help (en-US/WhisperPS.dll-Help.xml and about_WhisperPS.help.txt) from docs/.

.DESCRIPTION
    build.ps1 runs this after every Build, in a child PowerShell, so that the built module can be imported here
    without locking the caller:

        tools/Docs.ps1 -RepoRoot <repo> -ModuleOut <repo>/out/WhisperPS

    The pages are docs/<Cmdlet>.md in platyPS v2 markdown. The project's own generator (tools/DocsMarkdown.ps1)
    writes the MAML from the markdown's prose and the built module's Get-Command metadata: platyPS 1.0.3's MAML
    export loses parameter defaults and example code and keeps markdown literally, so it does not ship. When
    platyPS v2 is in -ToolModulePath (build.ps1 saves it there from -PSRepository), every page must also import
    without errors or warnings and pass Test-MarkdownCommandHelp. The script says which checks ran. Before that the
    markdown is checked against the module: a parameter documented but missing from the cmdlet, a cmdlet parameter
    without docs, or parameter metadata (type, position, pipeline input, wildcards, aliases) that disagrees with the
    cmdlet fails the build, and so does a page whose HelpUri is not its online address.

    -Update rewrites the metadata parts of docs/<Cmdlet>.md (SYNTAX and each parameter's yaml block) from the built
    module, keeping the prose, and creates a skeleton for a cmdlet without a page. New parameters get a
    '{{ Fill ... }}' placeholder, which the build rejects until it is replaced by a description.

.PARAMETER RepoRoot
    The repository root (docs/ is read from there).

.PARAMETER ModuleOut
    The built module folder (out/WhisperPS); en-US/ is written inside it.

.PARAMETER ToolModulePath
    A folder holding Microsoft.PowerShell.PlatyPS (as Save-PSResource lays it out); optional.

.PARAMETER Update
    Refresh docs/<Cmdlet>.md from the built module instead of building help.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $RepoRoot,
    [Parameter(Mandatory)] [string] $ModuleOut,
    [string] $ToolModulePath,
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

$projectUrl = Get-WhisperProjectUrl -RepoRoot $RepoRoot

if ($Update) {
    foreach ($cmd in $commands) {
        $path = Join-Path $docsDir ($cmd.Name + '.md')
        $helpUri = Get-WhisperHelpUri -ProjectUrl $projectUrl -Name $cmd.Name
        if (Test-Path -LiteralPath $path) { $doc = Read-WhisperCommandMarkdown -Path $path; Set-WhisperDocsHelpUri -Doc $doc -HelpUri $helpUri }
        else { $doc = New-WhisperCommandMarkdownSkeleton -Command $cmd -HelpUri $helpUri; Write-Host "    new page $path (fill in the placeholders)" }
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
    $helpUri = Get-WhisperHelpUri -ProjectUrl $projectUrl -Name $cmd.Name
    if ([string] $doc[0].FrontMatter['HelpUri'] -ne $helpUri) { $problems.Add("docs/$($cmd.Name).md: HelpUri must be $helpUri (tools/Docs.ps1 -Update sets it)") }
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

# Which generator writes the shipped MAML: always the project's own (tools/DocsMarkdown.ps1). platyPS v2 1.0.3's
# Export-MamlCommandHelp leaves every parameter's default value blank, keeps markdown emphasis and code fences as
# literal text, writes U+0080 characters and relative related links (which break Get-Help -Online), and leaves the
# example code empty. platyPS is used for what it does well: when it is present, every page must import without
# errors or warnings and pass Test-MarkdownCommandHelp, so the pages stay in platyPS's current format.
$validatedBy = $null
if ($ToolModulePath -and $docs.Count -gt 0) {
    $platyManifest = @(Get-ChildItem -Path (Join-Path $ToolModulePath 'Microsoft.PowerShell.PlatyPS/*/Microsoft.PowerShell.PlatyPS.psd1') -ErrorAction SilentlyContinue |
        Sort-Object { [version] $_.Directory.Name } -Descending)
    if ($platyManifest.Count -gt 0) {
        $platy = Import-Module $platyManifest[0].FullName -PassThru -ErrorAction Stop
        $validatedBy = "platyPS v2 (Microsoft.PowerShell.PlatyPS $($platy.Version))"
        $platyProblems = New-Object System.Collections.Generic.List[string]
        foreach ($d in $docs) {
            $page = 'docs/' + [IO.Path]::GetFileName($d.Path)
            try {
                $help = Import-MarkdownCommandHelp -Path $d.Path -ErrorAction Stop
                foreach ($m in @($help.Diagnostics.Messages)) {
                    # platyPS reports information too; only errors and warnings are problems.
                    if ([string] $m.Severity -in 'Error', 'Warning') { $platyProblems.Add("${page}: $($m.Severity): $($m.Identifier) $($m.Message)") }
                }
            } catch {
                $platyProblems.Add("${page}: Import-MarkdownCommandHelp failed: $($_.Exception.Message)")
            }
            if (-not (Test-MarkdownCommandHelp -Path $d.Path)) { $platyProblems.Add("${page}: Test-MarkdownCommandHelp is false") }
        }
        if ($platyProblems.Count -gt 0) {
            foreach ($p in $platyProblems) { Write-Host "    Docs ERROR: $p" }
            throw "$($platyProblems.Count) help page problem(s) reported by $validatedBy, listed above"
        }
        Write-Host "    Docs: $($docs.Count) pages validated by $validatedBy (Import-MarkdownCommandHelp, Test-MarkdownCommandHelp): 0 errors, 0 warnings"
    }
}
if (-not $validatedBy -and $docs.Count -gt 0) {
    Write-Host '    Docs: platyPS not available (build.ps1 -PSRepository names where to get it); pages checked by the drift check only'
}

$used = $null
if ($commands.Count -gt 0) {
    $xml = ConvertTo-WhisperMaml -Docs $docs.ToArray() -Commands $commands -Generator 'tools/Docs.ps1'
    [IO.File]::WriteAllText($target, $xml, (New-Object System.Text.UTF8Encoding $false))
    $used = 'WhisperPS MAML generator (tools/DocsMarkdown.ps1)'
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
