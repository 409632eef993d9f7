<#
.SYNOPSIS
    Resize-WhisperFile against whisper-resize (one process per file, as admins run it) and against the same work
    through python whisper's API in one process.

.DESCRIPTION
    Workload: N files of 1m:1d,10m:30d (69 KB, a day of one-minute points), resized to 1m:7d,1h:1y. Each timed run
    gets fresh copies of the same files (copying is not timed). Ours: Get-ChildItem | Resize-WhisperFile in this
    pwsh, twice: the default (durable: journal fsync and file fsync per file) and -NoFlush (no fsync, like every
    python tool; still safe against a kill); and -NoFlush once more as one call over a list of paths made beforehand,
    as the python API run gets its list from argv (that row is like for like). whisper-resize --nobackup: one python process per file, timed on the
    first -ScriptSample files and scaled to N. Python API: whisper-resize's own steps (info, fetch per archive,
    create, update_many, rename) in one python process over all N files, without fsync, timed inside python (the
    interpreter's start-up is not counted, as our pwsh's is not). Ours is warmed up on a few other files first (JIT),
    as the python interpreter has nothing to warm. Medians of -Runs runs, the sides interleaved.
    Results are compared: ours and whisper-resize hold the same one-minute values.
#>
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [Parameter(Mandatory)] [string] $OutMarkdown,
    [switch] $Quick,
    [int] $Files = 1000,
    [int] $Runs = 3,
    # whisper-resize per file costs ~0.2-1 s a file: timed on this many and scaled to all.
    [int] $ScriptSample = 50,
    [string] $Python = '/usr/bin/python3',
    [string] $WorkDir = (Join-Path ([IO.Path]::GetTempPath()) ('whisperps-resize-bench-' + $PID))
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3
Import-Module $ModuleManifest -Force
. (Join-Path $PSScriptRoot 'BenchPair.ps1')
if ($Quick) { $Files = 100; $Runs = 1; $ScriptSample = 10 }
$n = $Files
$sample = [Math]::Min($ScriptSample, $n)
$now = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
$clock = [Diagnostics.Stopwatch]::StartNew()
$loadBefore = if (Test-Path /proc/loadavg) { ((Get-Content /proc/loadavg) -split ' ')[0..2] -join ' ' } else { '?' }

$py = @'
import sys, os, time, whisper
files = sys.argv[1:]
new = [whisper.parseRetentionDef(x) for x in ('1m:7d', '1h:1y')]
t0 = time.perf_counter()
for path in files:
    info = whisper.info(path)
    now = int(time.time())
    points = []
    for a in info['archives']:
        (s, e, st), vals = whisper.fetch(path, now - a['retention'] + a['secondsPerPoint'], now)
        points.extend(p for p in zip(range(s, e, st), vals) if p[1] is not None)
    tmp = path + '.tmp'
    whisper.create(tmp, new, info['xFilesFactor'], info['aggregationMethod'])
    whisper.update_many(tmp, points)
    os.rename(tmp, path)
print(time.perf_counter() - t0)
'@

try {
    $template = Join-Path $WorkDir 'template'
    $null = New-Item -ItemType Directory -Force $template
    $first = Join-Path $template 'f0.wsp'
    $null = New-WhisperFile -LiteralPath $first -Retention 1m:1d, 10m:30d
    $pts = for ($i = 1; $i -le 1440; $i++) { [pscustomobject] @{ UnixTime = $now - 60 * $i; Value = [math]::Round([math]::Sin($i / 50) * 100, 2) } }
    $pts | Add-WhisperPoint -LiteralPath $first -Now $now
    for ($i = 1; $i -lt $n; $i++) { [IO.File]::Copy($first, (Join-Path $template "f$i.wsp")) }

    # Fresh copies of the template files (File.Copy: Copy-Item costs seconds per thousand files, untimed but slow).
    $templateFiles = [IO.Directory]::GetFiles($template)
    function Fresh([string] $Name) {
        $d = Join-Path $WorkDir $Name
        if (Test-Path $d) { [IO.Directory]::Delete($d, $true) }
        $null = [IO.Directory]::CreateDirectory($d)
        foreach ($f in $templateFiles) { [IO.File]::Copy($f, [IO.Path]::Combine($d, [IO.Path]::GetFileName($f))) }
        # The copies (and the previous run's writes) on disk first: write-back must not land inside a timed run.
        if (Get-Command sync -CommandType Application -ErrorAction SilentlyContinue) { sync }
        $d
    }
    $pyFile = Join-Path $WorkDir 'resize_api.py'
    Set-Content -LiteralPath $pyFile -Value $py

    # Warm-up (untimed): the cmdlet's code paths, durable and not, on a few copies.
    $warm = Fresh 'warm'
    Get-ChildItem $warm -Filter *.wsp | Select-Object -First 10 | Resize-WhisperFile -Retention 1m:7d, 1h:1y
    Get-ChildItem $warm -Filter *.wsp | Select-Object -Skip 10 -First 10 | Resize-WhisperFile -Retention 1m:7d, 1h:1y -NoFlush

    $durable = [Collections.Generic.List[double]]::new()
    $fast = [Collections.Generic.List[double]]::new()
    $list = [Collections.Generic.List[double]]::new()
    $api = [Collections.Generic.List[double]]::new()
    for ($r = 0; $r -lt $Runs; $r++) {
        $d = Fresh 'ours'
        [GC]::Collect()
        $durable.Add((Measure-Command { Get-ChildItem $d -Filter *.wsp | Resize-WhisperFile -Retention 1m:7d, 1h:1y }).TotalSeconds)
        $d = Fresh 'api'
        $apiFiles = @(Get-ChildItem $d -Filter *.wsp | ForEach-Object FullName)
        $out = & $Python $pyFile @apiFiles
        if ($LASTEXITCODE -ne 0) { throw 'the python API run failed' }
        $api.Add([double]::Parse(($out | Select-Object -Last 1), [Globalization.CultureInfo]::InvariantCulture))
        $d = Fresh 'fast'
        [GC]::Collect()
        $fast.Add((Measure-Command { Get-ChildItem $d -Filter *.wsp | Resize-WhisperFile -Retention 1m:7d, 1h:1y -NoFlush }).TotalSeconds)
        # Like the python API run: one call over a list of paths made beforehand (python's comes from argv).
        $d = Fresh 'list'
        $listFiles = [IO.Directory]::GetFiles($d, '*.wsp')
        [GC]::Collect()
        $list.Add((Measure-Command { Resize-WhisperFile -LiteralPath $listFiles -Retention 1m:7d, 1h:1y -NoFlush }).TotalSeconds)
    }
    $ours = Join-Path $WorkDir 'ours'
    $script = Fresh 'script'
    $scriptFiles = @(Get-ChildItem $script -Filter *.wsp | Select-Object -First $sample | ForEach-Object FullName)
    $tScriptSample = (Measure-Command { foreach ($f in $scriptFiles) { $null = & $Python /usr/bin/whisper-resize $f 1m:7d 1h:1y --nobackup } }).TotalSeconds
    $tScript = $tScriptSample * $n / $sample

    # Same one-minute values (the hourly archive differs by design: whisper-resize's averages of the last sample).
    $a = @(Get-WhisperSeries -LiteralPath (Join-Path $ours 'f0.wsp') -From -1d -Archive 0 -SkipEmpty | ForEach-Object { "$($_.UnixTime)=$($_.Value)" })
    $b = @(Get-WhisperSeries -LiteralPath $scriptFiles[0] -From -1d -Archive 0 -SkipEmpty | ForEach-Object { "$($_.UnixTime)=$($_.Value)" })
    $same = @(Compare-Object $a $b | Where-Object { $_.InputObject -notmatch "^($($now - $now % 60)|$($now - $now % 60 - 86400))" }).Count -le 2

    $tDurable = Get-Median $durable; $tFast = Get-Median $fast; $tApi = Get-Median $api; $tList = Get-Median $list
    $loadAfter = if (Test-Path /proc/loadavg) { ((Get-Content /proc/loadavg) -split ' ')[0..2] -join ' ' } else { '?' }
    $rows = @(
        @{ W = "resize $n files 1m:1d,10m:30d -> 1m:7d,1h:1y, whisper-resize per file vs Resize-WhisperFile -NoFlush (neither fsyncs)"; Py = $tScript; Ours = $tFast; Target = 100 }
        @{ W = "python whisper API in one process over a list of the $n paths vs ``Resize-WhisperFile -LiteralPath <the list> -NoFlush`` (like for like: one call, neither fsyncs)"; Py = $tApi; Ours = $tList; Target = 20 }
        @{ W = "python whisper API in one process vs ``Get-ChildItem | Resize-WhisperFile -NoFlush`` (ours also lists the folder and binds each file from the pipeline)"; Py = $tApi; Ours = $tFast; Target = 20 }
        @{ W = "whisper-resize per file (no fsync) vs Resize-WhisperFile default (durable: 2 fsyncs per file)"; Py = $tScript; Ours = $tDurable; Target = 100 }
        @{ W = "python API in one process (no fsync) vs default (durable: 2 fsyncs per file)"; Py = $tApi; Ours = $tDurable; Target = 20 }
    )
    $md = [Text.StringBuilder]::new()
    $null = $md.AppendLine('## Resize-WhisperFile').AppendLine()
    $null = $md.AppendLine('| workload | python | WhisperPS | ratio | target | met |').AppendLine('|---|---|---|---|---|---|')
    foreach ($row in $rows) {
        $ratio = $row.Py / $row.Ours
        $null = $md.AppendLine(('| {0} | {1:N2} s | {2:N3} s | {3:N1}x | {4}x | {5} |' -f $row.W, $row.Py, $row.Ours, $ratio, $row.Target, $(if ($ratio -ge $row.Target) { 'yes' } else { 'no' })))
    }
    $null = $md.AppendLine()
    $null = $md.AppendLine("Ours: ``Get-ChildItem | Resize-WhisperFile`` and ``Resize-WhisperFile -LiteralPath <list>`` in one warmed-up pwsh, each file rewritten in place under its lock through the journal; the default fsyncs the journal before the in-place write and the file before the journal is deleted (the folder too on filesystems other than ext4, XFS, btrfs), -NoFlush skips both (still safe against a kill, not a power loss), which is what the python rows compare with: no python tool fsyncs. The list row gives both sides the same input, a list of paths made beforehand; the pipeline row adds our folder listing and per-record binding. Before each timed run the fresh copies are synced to disk (untimed). " +
        "-NoFlush also keeps one journal file for the whole pipeline instead of creating and deleting one per file (this machine's ext4 has no journal, and there a new file's inode allocation scans past every inode freed in the last minute: it was two thirds of a resize). " +
        "Per file: $('{0:N2}' -f (1000 * $tList / $n)) ms -LiteralPath list, $('{0:N2}' -f (1000 * $tFast / $n)) ms Get-ChildItem pipeline, $('{0:N2}' -f (1000 * $tDurable / $n)) ms durable, $('{0:N2}' -f (1000 * $tApi / $n)) ms python API, $('{0:N0}' -f (1000 * $tScript / $n)) ms whisper-resize. " +
        "whisper-resize --nobackup timed on $sample files and scaled to $n; the python API run does whisper-resize's steps for all $n files in one process, timed inside it. Medians of $Runs run(s), interleaved. Load average $loadBefore before, $loadAfter after ($(Get-Date -AsUTC -Format 'yyyy-MM-dd HH:mm') UTC, $([Environment]::ProcessorCount) cores; the run took $('{0:N0}' -f $clock.Elapsed.TotalSeconds) s).")
    $null = $md.AppendLine("One-minute values of ours and whisper-resize agree: $same.")
    Set-Content -LiteralPath $OutMarkdown -Value $md.ToString()
    Write-Host $md.ToString()
}
finally {
    Remove-Item -Recurse -Force $WorkDir -ErrorAction SilentlyContinue
}
