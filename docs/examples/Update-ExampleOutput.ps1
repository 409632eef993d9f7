<#
.SYNOPSIS
    Runs every example in docs/<Cmdlet>.md against the built module and writes its real output into the example's
    'Output' block. Run it in a fresh process after build.ps1 Build:

        dotnet pwsh -NoProfile -File docs/examples/Update-ExampleOutput.ps1 [-Name Get-WhisperSeries]
#>
param(
    [string[]] $Name = '*',
    # The working folder the examples run in; it shows in the captured paths. Created and removed per example.
    [string] $WorkFolder = '/srv/graphite',
    [string] $ModulePath = (Join-Path $PSScriptRoot '../../out/WhisperPS/WhisperPS.psd1')
)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot '../../tools/DocsMarkdown.ps1')
. (Join-Path $PSScriptRoot 'ExampleRunner.ps1')
Import-Module $ModulePath -Force
if (Test-Path -LiteralPath $WorkFolder) { throw "$WorkFolder exists; choose a -WorkFolder that does not" }
$docsDir = Split-Path $PSScriptRoot
try {
    foreach ($file in Get-ChildItem -LiteralPath $docsDir -Filter '*-*.md') {
        if (-not (@($Name | Where-Object { $file.BaseName -like $_ }).Count)) { continue }
        $doc = Read-WhisperCommandMarkdown -Path $file.FullName
        foreach ($e in $doc.Examples) {
            $code = @($e.Blocks | Where-Object { $_.Kind -eq 'Code' -and $_.Lang -eq 'powershell' } | ForEach-Object { $_.Lines -join "`n" })
            try { $r = Invoke-WhisperDocsExample -Code $code -ScratchRoot $WorkFolder -UseRootAsFolder }
            finally { if (Test-Path -LiteralPath $WorkFolder) { Remove-Item -LiteralPath $WorkFolder -Recurse -Force } }
            $blocks = New-Object System.Collections.Generic.List[object]
            $k = 0
            foreach ($b in $e.Blocks) {
                if ($b.Kind -eq 'Code' -and $b.Lang -eq 'Output') { continue }
                $blocks.Add($b)
                if ($b.Kind -eq 'Code' -and $b.Lang -eq 'powershell') {
                    $text = [string] $r.Outputs[$k]
                    $k++
                    if ($text) { $blocks.Add([pscustomobject] @{ Kind = 'Code'; Text = $null; Line = 0; Lang = 'Output'; Lines = @($text -split "`n") }) }
                }
            }
            $e.Blocks = $blocks.ToArray()
            Write-Host "$($doc.Name) example $($e.Number): output $(($r.Outputs | ForEach-Object { @($_ -split "`n").Count }) -join ', ') lines"
        }
        Write-WhisperCommandMarkdown -Doc $doc -Command (Get-Command $doc.Name) -Path $file.FullName
    }
} finally {
    if (Test-Path -LiteralPath $WorkFolder) { Remove-Item -LiteralPath $WorkFolder -Recurse -Force }
}
