<#
.SYNOPSIS
    Runs the Pester 5 suite against the built module, in its own process (build.ps1 Test starts it).
    Writes {Passed, Failed, Skipped} to -ResultPath and exits 1 on any failure.
#>
param(
    [Parameter(Mandatory)] [string] $PesterPath,
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string[]] $TestPath,
    [Parameter(Mandatory)] [string] $ResultPath,
    # Tags of tests to leave out (the Windows stage: tests that need Linux programs, tagged by what they need).
    [string[]] $ExcludeTag = @(),
    # No NUnit XML beside the counts: Pester's XML writer crashes or hangs under Wine.
    [switch] $NoTestResultFile,
    # Detailed: a line per test as it ends (the Windows stage names a stuck test from them).
    [ValidateSet('None', 'Normal', 'Detailed', 'Diagnostic')] [string] $Verbosity = 'Normal'
)
$ErrorActionPreference = 'Stop'
Import-Module $PesterPath -MinimumVersion 5.0 -ErrorAction Stop
# The test files import the module themselves from this variable, so each file works on its own too.
$env:WHISPERPS_MODULE = $ModulePath

$c = New-PesterConfiguration
$c.Run.Path = $TestPath
$c.Run.PassThru = $true
$c.Run.Exit = $false
$c.Output.Verbosity = $Verbosity
$c.Output.RenderMode = 'Plaintext'
$c.TestResult.Enabled = -not $NoTestResultFile
if ($ExcludeTag) { $c.Filter.ExcludeTag = $ExcludeTag }
$c.TestResult.OutputFormat = 'NUnitXml'
$c.TestResult.OutputPath = [IO.Path]::ChangeExtension($ResultPath, '.xml')
$r = Invoke-Pester -Configuration $c

$failed = $r.FailedCount + $r.FailedBlocksCount + $r.FailedContainersCount
[pscustomobject] @{ Passed = $r.PassedCount; Failed = $failed; Skipped = $r.SkippedCount } |
    ConvertTo-Json | Set-Content -Path $ResultPath -Encoding UTF8
if ($failed -gt 0 -or $r.Result -ne 'Passed') { exit 1 }
exit 0
