<#
.SYNOPSIS
    Export of a whole storage tree to CSV: Export-WhisperSeries, Get-WhisperSeries | Export-Csv, an in-process python
    script (whisper.fetch + the csv module) and a bash loop over whisper-fetch, on the same files in one run.

.DESCRIPTION
    Trees of 3,000 and 30,000 files (1m:1d, one point a minute for the last day, 10 different series copied), each
    exported for the last hour and the last day. Times are wall clock and CPU (this process's, or the child's);
    the ratios use CPU time, because the machine is shared and wall times swing by several times under load. The
    share of Get-WhisperSeries | Export-Csv spent in our code is (Get-WhisperSeries | Export-Csv) minus
    (Export-Csv of the same WhisperPoint objects already in memory), on the 3,000-file hour.
#>
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [Parameter(Mandatory)] [string] $OutMarkdown,
    [switch] $Quick,
    [string] $WorkDir = (Join-Path ([IO.Path]::GetTempPath()) ('whisperps-export-bench-' + $PID)),
    [string] $Python = '/usr/bin/python3',
    [int] $Runs = 3
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3
Import-Module $ModuleManifest -Force
$sizes = if ($Quick) { @(300, 3000) } else { @(3000, 30000) }
$now = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
$now -= $now % 60
$null = New-Item -ItemType Directory -Force $WorkDir
$proc = [Diagnostics.Process]::GetCurrentProcess()

function Get-Median([double[]] $xs) { $s = @($xs | Sort-Object); if ($s.Count % 2) { $s[[int][Math]::Floor($s.Count / 2)] } else { ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2 } }

# Runs a block in this process: wall and CPU seconds.
function Measure-InProcess([scriptblock] $Block) {
    [GC]::Collect()
    $proc.Refresh(); $c0 = $proc.TotalProcessorTime.TotalSeconds
    $w = (Measure-Command { & $Block }).TotalSeconds
    $proc.Refresh()
    [pscustomobject] @{ Wall = $w; Cpu = $proc.TotalProcessorTime.TotalSeconds - $c0 }
}

# Runs a child process: wall and CPU seconds (user + system of the process and its children via bash's times).
function Measure-Child([string] $Exe, [string[]] $Arguments) {
    $psi = [Diagnostics.ProcessStartInfo]::new($Exe)
    foreach ($a in $Arguments) { $psi.ArgumentList.Add($a) }
    $psi.RedirectStandardError = $true
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $p = [Diagnostics.Process]::Start($psi)
    $err = $p.StandardError.ReadToEnd()
    $p.WaitForExit()
    $sw.Stop()
    if ($p.ExitCode -ne 0) { throw "$Exe failed ($($p.ExitCode)): $err" }
    # The last stderr line is 'cpu <seconds>' from the child itself (children's CPU included).
    $cpu = [double] (($err -split "`n" | Where-Object { $_ -match '^cpu ' } | Select-Object -Last 1) -replace '^cpu ', '')
    [pscustomobject] @{ Wall = $sw.Elapsed.TotalSeconds; Cpu = $cpu }
}

$py = Join-Path $WorkDir 'export.py'
@'
import csv, os, resource, sys, time, whisper
list_file, out, frm, until, now = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
with open(list_file) as f:
    paths = [l.rstrip('\n') for l in f if l.strip()]
time.time = lambda: now  # whisper.fetch measures its retention from time.time(): the same "now" as ours
with open(out, 'w', newline='') as fh:
    w = csv.writer(fh, quoting=csv.QUOTE_ALL, lineterminator='\n')
    w.writerow(['Path', 'Timestamp', 'UnixTime', 'Value'])
    for p in paths:
        (start, end, step), values = whisper.fetch(p, frm, until)
        t = start
        for v in values:
            if v is not None:
                w.writerow([p, time.strftime('%m/%d/%Y %H:%M:%S +00:00', time.gmtime(t)), t, repr(v)])
            t += step
r = resource.getrusage(resource.RUSAGE_SELF)
print('cpu %f' % (r.ru_utime + r.ru_stime), file=sys.stderr)
'@ | Set-Content -LiteralPath $py -Encoding utf8NoBOM

$loop = Join-Path $WorkDir 'loop.sh'
@'
#!/bin/bash
# whisper-fetch once per file, as an admin's shell loop would; prints its CPU (children included) last.
list="$1"; out="$2"; from="$3"; until="$4"
: > "$out"
while IFS= read -r f; do
  /usr/bin/whisper-fetch --from="$from" --until="$until" "$f" >> "$out"
done < "$list"
times > "$out.times"
tail -1 "$out.times" | awk '{ split($1,a,/m/); split($2,b,/m/); gsub(/s/,"",a[2]); gsub(/s/,"",b[2]); printf "cpu %f\n", a[1]*60+a[2]+b[1]*60+b[2] }' >&2
'@ | Set-Content -LiteralPath $loop -Encoding utf8NoBOM

# ---- trees ---------------------------------------------------------------------------------------------------------
$templates = @(for ($k = 0; $k -lt 10; $k++) {
        $t = Join-Path $WorkDir "template$k.wsp"
        $null = New-WhisperFile -LiteralPath $t -Retention '1m:1d' -Force
        $pts = for ($i = 0; $i -lt 1440; $i++) { [pscustomobject] @{ UnixTime = $now - 60 * $i; Value = [Math]::Round(50 + 30 * [Math]::Sin(($i + 97 * $k) / 37.0), 2) } }
        $pts | Add-WhisperPoint -LiteralPath $t -Now $now
        $t
    })
$rows = [Collections.Generic.List[object]]::new()
foreach ($n in $sizes) {
    $tree = Join-Path $WorkDir "tree$n"
    Write-Host "tree of $n files"
    for ($i = 0; $i -lt $n; $i++) {
        $dir = Join-Path $tree ('host{0:D3}/cpu' -f [int][Math]::Floor($i / 30))
        if ($i % 30 -eq 0) { $null = New-Item -ItemType Directory -Force $dir }
        [IO.File]::Copy($templates[$i % 10], (Join-Path $dir ('m{0:D2}.wsp' -f ($i % 30))))
    }
    $files = @(Get-ChildItem -LiteralPath $tree -Recurse -Filter *.wsp | Sort-Object FullName)
    $list = Join-Path $WorkDir "list$n.txt"
    [IO.File]::WriteAllLines($list, [string[]] @($files.FullName))

    foreach ($span in @(@{ Name = 'last hour'; Seconds = 3600 }, @{ Name = 'last day'; Seconds = 86400 })) {
        $from = $now - $span.Seconds
        $ours = Join-Path $WorkDir 'ours.csv'; $pipe = Join-Path $WorkDir 'pipe.csv'; $pyOut = Join-Path $WorkDir 'py.csv'; $loopOut = Join-Path $WorkDir 'loop.txt'
        $runs = if ($n -ge 30000) { 1 } else { $Runs }
        $m = @{ ours = @(); pipe = @(); python = @() }
        for ($r = 0; $r -lt $runs; $r++) {
            $m.ours += Measure-InProcess { $files | Export-WhisperSeries $ours -From $from -Until $now -Now $now }
            $m.python += Measure-Child $Python @($py, $list, $pyOut, $from, $now, $now)
            $m.pipe += Measure-InProcess { $files | Get-WhisperSeries -From $from -Until $now -Now $now | Export-Csv $pipe -NoTypeInformation }
        }
        $same = (Get-FileHash -LiteralPath $ours).Hash -eq (Get-FileHash -LiteralPath $pipe).Hash
        $lines = [IO.File]::ReadLines($ours) | Measure-Object | ForEach-Object Count
        # whisper-fetch: one process per file, timed on the first 100 files and scaled: a full loop over 3,000 files
        # takes over 10 minutes on this shared machine (30,000: hours).
        $sample = [Math]::Min(100, $n)
        $sampleList = Join-Path $WorkDir 'sample.txt'
        [IO.File]::WriteAllLines($sampleList, [string[]] @($files[0..($sample - 1)].FullName))
        $lp = Measure-Child '/bin/bash' @($loop, $sampleList, $loopOut, $from, $now)
        $scale = $n / $sample
        $row = [ordered] @{
            files = $n; span = $span.Name; rows = $lines - 1; identical = $same
            ours_wall = Get-Median @($m.ours.Wall); ours_cpu = Get-Median @($m.ours.Cpu)
            pipe_wall = Get-Median @($m.pipe.Wall); pipe_cpu = Get-Median @($m.pipe.Cpu)
            python_wall = Get-Median @($m.python.Wall); python_cpu = Get-Median @($m.python.Cpu)
            loop_wall = $lp.Wall * $scale; loop_cpu = $lp.Cpu * $scale; loop_sample = $sample
        }
        $rows.Add([pscustomobject] $row)
        Write-Host ('  {0,6} files {1,-9} {2,10:N0} rows  Export-WhisperSeries {3,7:N2}s cpu {4,7:N2}s | GWS|Export-Csv {5,7:N2}s cpu {6,7:N2}s | python {7,7:N2}s cpu {8,7:N2}s | whisper-fetch loop {9,8:N1}s cpu {10,8:N1}s ({11} files timed) | same bytes {12}' -f `
                $n, $span.Name, $row.rows, $row.ours_wall, $row.ours_cpu, $row.pipe_wall, $row.pipe_cpu, $row.python_wall, $row.python_cpu, $row.loop_wall, $row.loop_cpu, $sample, $same)
    }
    if ($n -eq $sizes[0] -or $n -eq 3000) {
        # Our share of Get-WhisperSeries | Export-Csv: the same objects, already in memory, through Export-Csv alone.
        $from = $now - 3600
        $collected = @($files | Get-WhisperSeries -From $from -Until $now -Now $now)
        $collectedRows = $collected.Count
        $a = @(); $b = @()
        for ($r = 0; $r -lt $Runs; $r++) {
            $a += Measure-InProcess { $files | Get-WhisperSeries -From $from -Until $now -Now $now | Export-Csv $pipe -NoTypeInformation }
            $b += Measure-InProcess { $collected | Export-Csv $pipe -NoTypeInformation }
        }
        $collected = $null
        $script:share = [ordered] @{ files = $n; pipe_cpu = Get-Median @($a.Cpu); export_csv_cpu = Get-Median @($b.Cpu); pipe_wall = Get-Median @($a.Wall); export_csv_wall = Get-Median @($b.Wall) }
        $script:share.our_share_cpu = [Math]::Max(0, $script:share.pipe_cpu - $script:share.export_csv_cpu) / $script:share.pipe_cpu
        $script:share.our_share_wall = [Math]::Max(0, $script:share.pipe_wall - $script:share.export_csv_wall) / $script:share.pipe_wall
        Write-Host ('  our share of Get-WhisperSeries | Export-Csv ({0} files, hour, {3:N0} rows): {1:P0} of CPU, {2:P0} of wall' -f $n, $script:share.our_share_cpu, $script:share.our_share_wall, $collectedRows)
    }
    Remove-Item -LiteralPath $tree -Recurse -Force
}

$md = [Text.StringBuilder]::new()
$null = $md.AppendLine('## Export-WhisperSeries').AppendLine()
$null = $md.AppendLine('| workload | python (in-process, whisper.fetch + csv) | WhisperPS (Export-WhisperSeries) | ratio | target | met |')
$null = $md.AppendLine('|---|---|---|---|---|---|')
foreach ($r in $rows) {
    $ratio = $r.python_cpu / $r.ours_cpu
    $null = $md.AppendLine(('| {0:N0} files, {1} ({2:N0} rows) | {3:N2} s CPU ({4:N2} s wall) | {5:N2} s CPU ({6:N2} s wall) | {7:N1}× | ≥ 5× | {8} |' -f $r.files, $r.span, $r.rows, $r.python_cpu, $r.python_wall, $r.ours_cpu, $r.ours_wall, $ratio, $(if ($ratio -ge 5) { 'yes' } else { 'no' })))
}
$null = $md.AppendLine().AppendLine('| workload | Get-WhisperSeries \| Export-Csv | whisper-fetch loop (bash) | Export-WhisperSeries vs the pipeline | output identical to the pipeline |')
$null = $md.AppendLine('|---|---|---|---|---|')
foreach ($r in $rows) {
    $loopNote = if ($r.loop_sample -lt $r.files) { " (timed on $($r.loop_sample) files, scaled)" } else { '' }
    $null = $md.AppendLine(('| {0:N0} files, {1} | {2:N2} s CPU ({3:N2} s wall) | {4:N1} s CPU ({5:N1} s wall){6} | {7:N1}× faster | {8} |' -f $r.files, $r.span, $r.pipe_cpu, $r.pipe_wall, $r.loop_cpu, $r.loop_wall, $loopNote, ($r.pipe_cpu / $r.ours_cpu), $(if ($r.identical) { 'yes, same bytes' } else { 'NO' })))
}
$null = $md.AppendLine()
$null = $md.AppendLine(('Share of `Get-WhisperSeries | Export-Csv` spent in WhisperPS ({0:N0} files, last hour): {1:P0} of CPU ({2:P0} of wall); target < 20 %: {3}. Measured as the pipeline minus `Export-Csv` of the same WhisperPoint objects already in memory.' -f $script:share.files, $script:share.our_share_cpu, $script:share.our_share_wall, $(if ($script:share.our_share_cpu -lt 0.2) { 'met' } else { 'not met' })))
$null = $md.AppendLine()
$null = $md.AppendLine("Trees of 1m:1d files holding a point a minute for the last day, copied from 10 series; each export reads every file for the last hour or day with the same now. Medians of $Runs runs (one run for 30,000 files), each tool back-to-back on the same files. The machine is a shared 2-core VM running other work: ratios use CPU time (this pwsh's, or the child process's own rusage), because wall times swing by several times under that load; wall times are given for reference. The python script is one process calling whisper.fetch per file and writing rows with csv.writer (QUOTE_ALL, time formatted with time.strftime), as close to our CSV as python makes it; the loop runs whisper-fetch once per file, with start-up; it is timed on the first 100 files of each tree and scaled to the tree (a full loop over 3,000 files would take over 10 minutes here, over 30,000 hours).")
[IO.File]::WriteAllText($OutMarkdown, $md.ToString())
Remove-Item -LiteralPath $WorkDir -Recurse -Force
