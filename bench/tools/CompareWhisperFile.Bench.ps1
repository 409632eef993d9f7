<#
.SYNOPSIS
    Compare-WhisperFile against whisper-diff on the same file pairs.

.DESCRIPTION
    Two workloads, each timed interleaved (ours, python, ...; medians of -Runs runs after a warm-up):
    - one pair of large files (10s:6h,1m:7d,10m:5y, 3.3 MB each, a week of 10-second points, 1% of them changed in
      the copy): whisper-diff (a python process) against Compare-WhisperFile in this pwsh;
    - 100 pairs of 1m:1d,10m:30d files (69 KB): whisper-diff once per pair, as a script loops over replicas, against
      one Compare-WhisperFile -Summary pipeline over all pairs.
    Results are compared: the differences whisper-diff reports are a subset of ours (ours also covers each coarse
    archive inside the finer archives' windows, which whisper-diff skips).
#>
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [Parameter(Mandatory)] [string] $OutMarkdown,
    [switch] $Quick,
    [int] $Runs = 3,
    [string] $WorkDir = (Join-Path ([IO.Path]::GetTempPath()) ('whisperps-compare-bench-' + $PID))
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3
Import-Module $ModuleManifest -Force
. (Join-Path $PSScriptRoot 'BenchPair.ps1')
if ($Quick) { $Runs = 1 }
$pairs = if ($Quick) { 20 } else { 100 }
$now = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()

function New-Pair([string] $A, [string] $B, [string[]] $Retention, [int] $Step, [int] $Count, [int] $Seed) {
    $rng = [Random]::new($Seed)
    $null = New-WhisperFile -LiteralPath $A -Retention $Retention
    $pts = [Collections.Generic.List[object]]::new()
    for ($i = 1; $i -le $Count; $i++) { $pts.Add([pscustomobject] @{ UnixTime = $now - $Step * $i; Value = [math]::Round($rng.NextDouble() * 100, 2) }) }
    $pts | Add-WhisperPoint -LiteralPath $A -Now $now -BatchSize 1000000
    Copy-Item -LiteralPath $A $B
    $changed = for ($i = 0; $i -lt $Count / 100; $i++) { [pscustomobject] @{ UnixTime = $now - $Step * $rng.Next(1, $Count); Value = -1 } }
    $changed | Add-WhisperPoint -LiteralPath $B -Now $now
}

try {
    $null = New-Item -ItemType Directory -Force $WorkDir
    # One large pair.
    $la = Join-Path $WorkDir 'large-a.wsp'; $lb = Join-Path $WorkDir 'large-b.wsp'
    New-Pair $la $lb '10s:6h', '1m:7d', '10m:5y' 10 (7 * 8640) 1
    $m1 = Measure-Pair -Runs $Runs { @(Compare-WhisperFile $la $lb -Now $now) } { & /usr/bin/python3 /usr/bin/whisper-diff --summary $la $lb }
    $pyLarge = & /usr/bin/python3 /usr/bin/whisper-diff --summary --columns --no-headers $la $lb
    $pyLargeDiffs = ($pyLarge | ForEach-Object { [int](($_ -split ' ')[2]) } | Measure-Object -Sum).Sum
    $oursLarge = @(Compare-WhisperFile $la $lb -Now $now).Count

    # Many small pairs.
    $small = 1..$pairs | ForEach-Object {
        $a = Join-Path $WorkDir "s$_-a.wsp"; $b = Join-Path $WorkDir "s$_-b.wsp"
        New-Pair $a $b '1m:1d', '10m:30d' 60 1440 (100 + $_)
        [pscustomobject] @{ A = $a; B = $b }
    }
    $m2 = Measure-Pair -Runs $Runs {
        foreach ($p in $small) { Compare-WhisperFile $p.A $p.B -Now $now -Summary }
    } {
        foreach ($p in $small) { & /usr/bin/python3 /usr/bin/whisper-diff --summary $p.A $p.B }
    }
    $pySmall = 0; $oursSmall = 0
    foreach ($p in $small) {
        $pySmall += ((& /usr/bin/python3 /usr/bin/whisper-diff --summary --columns --no-headers $p.A $p.B) | ForEach-Object { [int](($_ -split ' ')[2]) } | Measure-Object -Sum).Sum
        $oursSmall += (Compare-WhisperFile $p.A $p.B -Now $now -Summary | Measure-Object Differences -Sum).Sum
    }
    if ($oursLarge -lt $pyLargeDiffs -or $oursSmall -lt $pySmall) { throw "ours found fewer differences than whisper-diff ($oursLarge/$pyLargeDiffs, $oursSmall/$pySmall)" }

    $md = [Text.StringBuilder]::new()
    $null = $md.AppendLine('## Compare-WhisperFile')
    $null = $md.AppendLine()
    $null = $md.AppendLine("Run $(Get-Date -Format 'yyyy-MM-dd HH:mm') UTC$(if ($Quick) { ' (-Quick)' })" + '.')
    $null = $md.AppendLine()
    $null = $md.AppendLine('| workload | whisper-diff | Compare-WhisperFile | ratio (python / ours) | target | met |')
    $null = $md.AppendLine('|---|---|---|---|---|---|')
    $null = $md.AppendLine(('| one pair, 10s:6h,1m:7d,10m:5y (3.3 MB each), 1% of a week changed | {0:N3} s | {1:N3} s | {2:N1}x | faster than whisper-diff | {3} |' -f $m1.Theirs, $m1.Ours, ($m1.Theirs / $m1.Ours), $(if ($m1.Ours -lt $m1.Theirs) { 'yes' } else { 'no' })))
    $null = $md.AppendLine(('| {4} pairs, 1m:1d,10m:30d (69 KB), -Summary | {0:N2} s | {1:N2} s | {2:N1}x | faster than whisper-diff | {3} |' -f $m2.Theirs, $m2.Ours, ($m2.Theirs / $m2.Ours), $(if ($m2.Ours -lt $m2.Theirs) { 'yes' } else { 'no' }), $pairs))
    $null = $md.AppendLine()
    $null = $md.AppendLine("Differences found: large pair whisper-diff $pyLargeDiffs, Compare-WhisperFile $oursLarge; small pairs whisper-diff $pySmall, Compare-WhisperFile $oursSmall (ours adds each coarse archive inside the finer archives' windows, which whisper-diff never compares).")
    $null = $md.AppendLine("whisper-diff is a python process per pair (start-up included, as a script calling it pays); Compare-WhisperFile runs in this pwsh. Medians of $Runs interleaved runs after a warm-up.")
    if (Test-Path -LiteralPath /proc/loadavg) {
        $null = $md.AppendLine("Load average at the end of the run: $(((Get-Content /proc/loadavg) -split ' ')[0..2] -join ', ') on $([Environment]::ProcessorCount) cores; ratios are interleaved, absolute times depend on that load.")
    }
    [IO.File]::WriteAllText($OutMarkdown, $md.ToString())
    $md.ToString()
}
finally {
    if (Test-Path -LiteralPath $WorkDir) { Remove-Item -LiteralPath $WorkDir -Recurse -Force }
}
