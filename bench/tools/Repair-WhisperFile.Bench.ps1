<#
.SYNOPSIS
    Bench for Repair-WhisperFile: filling the gaps of 1,000 damaged files from their replicas, against python
    whisper's whisper-fill run once per file (as admins run it) and against the same work through whisper-fill's own
    fill_archives in one python process.

.DESCRIPTION
    Each pair: a replica with one point a minute for the last day (1m:1d,10m:30d, average) and a damaged copy that
    lost a 30-minute outage, a 2-minute gap and 5 single minutes. Before every timed run the damaged files are
    restored from untimed templates. WhisperPS runs in two forms: Get-ChildItem piped to Repair-WhisperFile with the
    replica computed per file by a script block, and the one-command bulk form Repair-WhisperFile -StorageRoot
    <damaged folder> -SourceRoot <replica folder>, which is given the two folders as python's in-process driver is
    and, like it, lists the folder and fills every file in one process. Medians of -Runs runs (the per-file script:
    of -ScriptRuns runs, it is slow).
    The results differ by design (whisper-fill overwrites the value after every gap and skips single-slot gaps);
    the section reports how many slots each filled.
#>
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [Parameter(Mandatory)] [string] $OutMarkdown,
    [switch] $Quick,
    [int] $Runs = 3,
    [int] $ScriptRuns = 1,
    # whisper-fill per file takes ~1 s a pair on a loaded 2-core VM: time it on this many pairs and scale to all.
    [int] $ScriptPairs = 100,
    [string] $Python = '/usr/bin/python3',
    [string] $WorkDir = (Join-Path ([IO.Path]::GetTempPath()) ('whisperps-fill-bench-' + $PID))
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3
Import-Module $ModuleManifest -Force

$pairs = if ($Quick) { 50 } else { 1000 }
$clock = [Diagnostics.Stopwatch]::StartNew()
function Get-Load { if (Test-Path /proc/loadavg) { ((Get-Content /proc/loadavg) -split ' ')[0..2] -join ' ' } else { '?' } }
$loadBefore = Get-Load
if ($Quick) { $Runs = 1 }
$now = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
$now -= $now % 600
$schema = [WhisperPS.Engine.ArchiveSpec[]] @([WhisperPS.Engine.ArchiveSpec]::new(60, 1440), [WhisperPS.Engine.ArchiveSpec]::new(600, 4320))
$src = Join-Path $WorkDir 'replica'
$tpl = Join-Path $WorkDir 'damaged'
$run = Join-Path $WorkDir 'run'
foreach ($d in $src, $tpl, $run) { $null = New-Item -ItemType Directory -Force $d }

function Get-Median([double[]] $xs) {
    $s = @($xs | Sort-Object)
    if ($s.Count % 2) { return $s[[int][Math]::Floor($s.Count / 2)] }
    return ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2
}

try {
    # The workload (untimed).
    $rng = [Random]::new(11)
    for ($i = 0; $i -lt $pairs; $i++) {
        $name = '{0:D4}.wsp' -f $i
        $s = Join-Path $src $name
        $t = Join-Path $tpl $name
        foreach ($p in $s, $t) { $null = [WhisperPS.Engine.WhisperFile]::Create($p, $schema, 0.5, [WhisperPS.Engine.AggregationMethod]::Average, $null) }
        $points = [Collections.Generic.List[WhisperPS.Engine.Point]]::new()
        $kept = [Collections.Generic.List[WhisperPS.Engine.Point]]::new()
        $outage = $now - 60 * $rng.Next(60, 1300)
        $gap2 = $now - 60 * $rng.Next(60, 1300)
        $singles = @(1..5 | ForEach-Object { $now - 60 * $rng.Next(1, 1400) })
        for ($k = 1; $k -lt 1440; $k++) {
            $ts = $now - 60 * $k
            $p = [WhisperPS.Engine.Point]::new($ts, [Math]::Round(50 + 30 * [Math]::Sin($k / 40.0) + $rng.NextDouble(), 2))
            $points.Add($p)
            $lost = ($ts -ge $outage -and $ts -lt $outage + 1800) -or ($ts -ge $gap2 -and $ts -lt $gap2 + 120) -or ($singles -contains $ts)
            if (-not $lost) { $kept.Add($p) }
        }
        $f = [WhisperPS.Engine.WhisperFile]::Open($s, [WhisperPS.Engine.IO.FileOpenMode]::ReadWrite)
        try { $null = $f.UpdateMany($points, $now) } finally { $f.Dispose() }
        $f = [WhisperPS.Engine.WhisperFile]::Open($t, [WhisperPS.Engine.IO.FileOpenMode]::ReadWrite)
        try { $null = $f.UpdateMany($kept, $now) } finally { $f.Dispose() }
    }
    # File.Copy: Copy-Item costs seconds per thousand files (untimed, but it made the bench slow).
    $tplFiles = [IO.Directory]::GetFiles($tpl, '*.wsp')
    # Each timed run starts with the copies (and whatever an earlier bench wrote) on disk: the kernel's write-back
    # of the previous run's data must not land inside the next run's timing, on either side.
    function Restore {
        foreach ($f in $tplFiles) { [IO.File]::Copy($f, [IO.Path]::Combine($run, [IO.Path]::GetFileName($f)), $true) }
        if (Get-Command sync -CommandType Application -ErrorAction SilentlyContinue) { sync }
    }
    function Count-Filled {
        # Slots of archive 0 that hold a value now and did not in the template.
        $n = 0
        foreach ($file in Get-ChildItem $run -Filter *.wsp) {
            $before = @(Get-WhisperSeries -LiteralPath (Join-Path $tpl $file.Name) -From ($now - 86400) -Until $now -Now $now -SkipEmpty).Count
            $after = @(Get-WhisperSeries -LiteralPath $file.FullName -From ($now - 86400) -Until $now -Now $now -SkipEmpty).Count
            $n += $after - $before
        }
        $n
    }

    $driver = Join-Path $WorkDir 'fill_driver.py'
    Set-Content -LiteralPath $driver -Value @'
import importlib.machinery, importlib.util, os, sys, time
loader = importlib.machinery.SourceFileLoader('whisper_fill', '/usr/bin/whisper-fill')
spec = importlib.util.spec_from_loader('whisper_fill', loader)
wf = importlib.util.module_from_spec(spec)
loader.exec_module(wf)
src, dst = sys.argv[1], sys.argv[2]
t = time.perf_counter()
names = sorted(os.listdir(dst))
for n in names:
    wf.fill_archives(os.path.join(src, n), os.path.join(dst, n), time.time())
print(time.perf_counter() - t)
'@

    $ours = [Collections.Generic.List[double]]::new()
    $bulk = [Collections.Generic.List[double]]::new()
    $inproc = [Collections.Generic.List[double]]::new()
    $script = [Collections.Generic.List[double]]::new()
    $oursFilled = 0; $bulkFilled = 0; $pyFilled = 0
    $loads = [Collections.Generic.List[string]]::new()
    for ($r = -1; $r -lt $Runs; $r++) {
        Restore
        [GC]::Collect()
        $t = (Measure-Command {
                Get-ChildItem -LiteralPath $run -Filter *.wsp | Repair-WhisperFile -Source { Join-Path $src $_.Name } | Out-Null
            }).TotalSeconds
        if ($r -ge 0) { $ours.Add($t) }
        if ($r -eq 0) { $oursFilled = Count-Filled }
        Restore
        [GC]::Collect()
        $t = (Measure-Command { Repair-WhisperFile -StorageRoot $run -SourceRoot $src | Out-Null }).TotalSeconds
        if ($r -ge 0) { $bulk.Add($t) }
        if ($r -eq 0) { $bulkFilled = Count-Filled }
        if ($r -ge 0) { $loads.Add((Get-Load).Split(' ')[0]) }
        Restore
        $out = & $Python $driver $src $run
        if ($LASTEXITCODE -ne 0) { throw "python fill driver failed" }
        if ($r -ge 0) { $inproc.Add([double]::Parse(($out | Select-Object -Last 1), [Globalization.CultureInfo]::InvariantCulture)) }
        if ($r -eq 0) { $pyFilled = Count-Filled }
    }
    for ($r = 0; $r -lt $ScriptRuns; $r++) {
        Restore
        $sw = [Diagnostics.Stopwatch]::StartNew()
        foreach ($file in Get-ChildItem -LiteralPath $run -Filter *.wsp | Select-Object -First $ScriptPairs) {
            & /usr/bin/whisper-fill (Join-Path $src $file.Name) $file.FullName
            if ($LASTEXITCODE -ne 0) { throw "whisper-fill failed on $($file.Name)" }
        }
        $script.Add($sw.Elapsed.TotalSeconds * $pairs / [Math]::Min($ScriptPairs, $pairs))
    }

    $o = Get-Median $ours; $b = Get-Median $bulk; $p = Get-Median $inproc; $s = Get-Median $script
    $rows = @(
        @{ W = "fill of $pairs file pairs, whisper-fill run per file vs Get-ChildItem piped to Repair-WhisperFile -Source { ... }"; Py = $s; Ours = $o; Target = 100 }
        @{ W = "fill of $pairs file pairs, whisper-fill's fill_archives in one python process vs Get-ChildItem piped to Repair-WhisperFile -Source { ... }"; Py = $p; Ours = $o; Target = 20 }
        @{ W = "fill of $pairs file pairs, both given the two folders, in one process: fill_archives over os.listdir vs Repair-WhisperFile -StorageRoot -SourceRoot (like for like)"; Py = $p; Ours = $b; Target = 20 }
    )
    $md = [Text.StringBuilder]::new()
    $null = $md.AppendLine('## Repair-WhisperFile').AppendLine()
    $null = $md.AppendLine('| workload | python | WhisperPS | ratio | target | met |').AppendLine('|---|---|---|---|---|---|')
    foreach ($row in $rows) {
        $ratio = $row.Py / $row.Ours
        $null = $md.AppendLine(('| {0} | {1:F2} s | {2:F3} s | {3:F1}x | {4}x | {5} |' -f $row.W, $row.Py, $row.Ours, $ratio, $row.Target, $(if ($ratio -ge $row.Target) { 'yes' } else { 'no' })))
    }
    $null = $md.AppendLine()
    $null = $md.AppendLine("Each pair: a replica with a day of one-minute points (1m:1d,10m:30d, 69 KB) and a damaged copy missing a 30-minute outage, a 2-minute gap and 5 single minutes; the damaged files are restored from templates before every run. What each side times: WhisperPS pipeline: ``Get-ChildItem <damaged folder> | Repair-WhisperFile -Source { Join-Path <replica folder> `$_.Name } | Out-Null`` in one warmed-up pwsh, the listing, the script block per file and the result objects included; WhisperPS bulk: ``Repair-WhisperFile -StorageRoot <damaged folder> -SourceRoot <replica folder> | Out-Null`` in the same pwsh (it lists the folder itself and fills each file from the same name under the replica folder), result objects included; python in-process: a python3 process that imports ``fill_archives`` from /usr/bin/whisper-fill and times ``sorted(os.listdir(damaged folder))`` and one ``fill_archives(replica, damaged, time.time())`` per file (its start-up and import not timed); medians of $Runs runs, the three interleaved. Per-file script: ``whisper-fill replica damaged`` once per pair, timed on the first $([Math]::Min($ScriptPairs, $pairs)) pairs and scaled to $pairs ($ScriptRuns run(s)).")
    $null = $md.AppendLine("Per pair: WhisperPS bulk $('{0:N3}' -f (1000 * $b / $pairs)) ms, WhisperPS pipeline $('{0:N2}' -f (1000 * $o / $pairs)) ms, fill_archives $('{0:N2}' -f (1000 * $p / $pairs)) ms, whisper-fill $('{0:N0}' -f (1000 * $s / $pairs)) ms. Neither side fsyncs (Repair-WhisperFile writes in place in two passes, safe against a kill; it has no durable mode), so every row is like for like in what reaches the disk. Load average $loadBefore before, $(Get-Load) after, 1-minute load after each timed run: $($loads -join ', ') ($(Get-Date -AsUTC -Format 'yyyy-MM-dd HH:mm') UTC, $([Environment]::ProcessorCount) cores; the run took $('{0:N0}' -f $clock.Elapsed.TotalSeconds) s).")
    $null = $md.AppendLine("Slots of archive 0 filled in all: WhisperPS $oursFilled (pipeline) and $bulkFilled (bulk), whisper-fill $pyFilled (it skips single-slot gaps; it also overwrites the value after every gap, which this count does not show).")
    Set-Content -LiteralPath $OutMarkdown -Value $md.ToString()
    Write-Host $md.ToString()
}
finally {
    Remove-Item -LiteralPath $WorkDir -Recurse -Force -ErrorAction SilentlyContinue
}
