<#
.SYNOPSIS
    Export of a whole storage tree to CSV: Export-WhisperSeries (three ways to call it), Get-WhisperSeries |
    Export-Csv, an in-process python script (whisper.fetch + the csv module) and a bash loop over whisper-fetch, on the
    same files in one run.

.DESCRIPTION
    Trees of 3,000 and 30,000 files (1m:1d, one point a minute for the last day, 10 different series copied), each
    exported for the last hour and the last day. Export-WhisperSeries is timed as `$files | Export-WhisperSeries`
    (FileInfo objects listed beforehand, as the python script gets its list), as `Get-ChildItem -Recurse |
    Export-WhisperSeries` (what a user types, listing included) and as `-InputPath <folder> -Recurse` (the fast route),
    plus -Recurse -ThrottleLimit <cores>. Times are wall clock and CPU (this process's, workers included, or the
    child's own rusage). The share of Get-WhisperSeries | Export-Csv spent in our code is the pipeline minus Export-Csv
    of the same WhisperPoint objects already in memory, on the first size's hour.

    A full run (3,000 and 30,000 files) takes about 15 minutes on a quiet 2-core machine, most of it python and
    Get-WhisperSeries | Export-Csv on the 30,000-file day (43 million rows each); -Sizes 300,1000 checks the script in
    about a minute. Needs about 4 GB free in -WorkDir for the largest CSV files (each is removed after its row).
#>
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [Parameter(Mandatory)] [string] $OutMarkdown,
    [int[]] $Sizes = @(3000, 30000),
    [string] $WorkDir = (Join-Path ([IO.Path]::GetTempPath()) ('whisperps-export-bench-' + $PID)),
    [string] $Python = '/usr/bin/python3',
    [int] $Runs = 3,
    # whisper-fetch starts a python process per file: timed on this many files and scaled to the tree.
    [int] $LoopSample = 100
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3
Import-Module $ModuleManifest -Force
$started = [Diagnostics.Stopwatch]::StartNew()
$now = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
$now -= $now % 60
$null = New-Item -ItemType Directory -Force $WorkDir
# A failed or stopped run leaves no trees behind (tens of thousands of files).
trap { Remove-Item -LiteralPath $WorkDir -Recurse -Force -ErrorAction SilentlyContinue; break }
$proc = [Diagnostics.Process]::GetCurrentProcess()
$cores = [Environment]::ProcessorCount

function Get-Median([double[]] $xs) { $s = @($xs | Sort-Object); if ($s.Count % 2) { $s[[int][Math]::Floor($s.Count / 2)] } else { ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2 } }

function Get-Load { if (Test-Path /proc/loadavg) { [double] ((Get-Content /proc/loadavg -Raw).Split(' ')[0]) } else { [double]::NaN } }

# Runs a block in this process: wall and CPU seconds (all threads of this process: Export-WhisperSeries's workers too).
function Measure-InProcess([scriptblock] $Block) {
    [GC]::Collect()
    $proc.Refresh(); $c0 = $proc.TotalProcessorTime.TotalSeconds
    $w = (Measure-Command { & $Block }).TotalSeconds
    $proc.Refresh()
    [pscustomobject] @{ Wall = $w; Cpu = $proc.TotalProcessorTime.TotalSeconds - $c0 }
}

# Runs a child process: wall and CPU seconds (the child reports its own rusage, children included, last on stderr).
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
    $cpu = [double] (($err -split "`n" | Where-Object { $_ -match '^cpu ' } | Select-Object -Last 1) -replace '^cpu ', '')
    [pscustomobject] @{ Wall = $sw.Elapsed.TotalSeconds; Cpu = $cpu }
}

# Median of $Count runs after one more that is not counted but kept as First: the JIT compiles and tiers up code (ours
# and PowerShell's) during the first runs on a workload, which a session exporting once pays and one exporting daily
# does not.
# A child process (python) is cold every time and needs no such run; nor does a run of 30,000 files, where compiling is
# a small part (there, First is the one run).
function Measure-Runs([int] $Count, [scriptblock] $Block, [switch] $NoFirst) {
    $first = if ($NoFirst) { $null } else { & $Block }
    $m = @(for ($r = 0; $r -lt $Count; $r++) { & $Block })
    if ($null -eq $first) { $first = $m[0] }
    [pscustomobject] @{ Wall = Get-Median @($m.Wall); Cpu = Get-Median @($m.Cpu); First = $first }
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

# ---- trees: 10 series written once, then copied (a copy is far cheaper than writing 1,440 points) ---------------------
$templates = @(for ($k = 0; $k -lt 10; $k++) {
        $t = Join-Path $WorkDir "template$k.wsp"
        $null = New-WhisperFile -LiteralPath $t -Retention '1m:1d' -Force
        $pts = for ($i = 0; $i -lt 1440; $i++) { [pscustomobject] @{ UnixTime = $now - 60 * $i; Value = [Math]::Round(50 + 30 * [Math]::Sin(($i + 97 * $k) / 37.0), 2) } }
        $pts | Add-WhisperPoint -LiteralPath $t -Now $now
        $t
    })

# One untimed export of each kind on a few files first, so no timed run pays for compiling our code and PowerShell's
# (a first call in a new session does: see the notes).
$warm = Join-Path $WorkDir 'warm'
$null = New-Item -ItemType Directory -Force $warm
for ($i = 0; $i -lt 50; $i++) { [IO.File]::Copy($templates[$i % 10], (Join-Path $warm "w$i.wsp")) }
$warmFiles = @(Get-ChildItem -LiteralPath $warm -Filter *.wsp)
$warmOut = Join-Path $WorkDir 'warm.csv'
$warmFiles | Export-WhisperSeries $warmOut -From ($now - 3600) -Now $now
Export-WhisperSeries $warmOut -InputPath $warm -Recurse -From ($now - 3600) -Now $now
Export-WhisperSeries $warmOut -InputPath $warm -Recurse -ThrottleLimit $cores -From ($now - 3600) -Now $now
$warmFiles | Get-WhisperSeries -From ($now - 3600) -Now $now | Export-Csv $warmOut -NoTypeInformation

$rows = [Collections.Generic.List[object]]::new()
$script:share = $null
foreach ($n in $Sizes) {
    $tree = Join-Path $WorkDir "tree$n"
    $sw = [Diagnostics.Stopwatch]::StartNew()
    for ($i = 0; $i -lt $n; $i++) {
        $dir = Join-Path $tree ('host{0:D4}/cpu' -f [int][Math]::Floor($i / 30))
        if ($i % 30 -eq 0) { $null = [IO.Directory]::CreateDirectory($dir) }
        [IO.File]::Copy($templates[$i % 10], (Join-Path $dir ('m{0:D2}.wsp' -f ($i % 30))))
    }
    Write-Host ("tree of {0:N0} files made in {1:N1} s" -f $n, $sw.Elapsed.TotalSeconds)
    # Ordinal order, the order -Recurse reads in, so every export here writes the same bytes.
    $byName = @{}
    foreach ($f in Get-ChildItem -LiteralPath $tree -Recurse -Filter *.wsp) { $byName[$f.FullName] = $f }
    $names = [string[]] @($byName.Keys)
    [Array]::Sort($names, [StringComparer]::Ordinal)
    $files = @(foreach ($name in $names) { $byName[$name] })
    $list = Join-Path $WorkDir "list$n.txt"
    [IO.File]::WriteAllLines($list, [string[]] @($files.FullName))

    foreach ($span in @(@{ Name = 'last hour'; Seconds = 3600 }, @{ Name = 'last day'; Seconds = 86400 })) {
        $from = $now - $span.Seconds
        $o = @{ ours = Join-Path $WorkDir 'ours.csv'; gci = Join-Path $WorkDir 'gci.csv'; recurse = Join-Path $WorkDir 'recurse.csv'; throttle = Join-Path $WorkDir 'throttle.csv'; pipe = Join-Path $WorkDir 'pipe.csv'; py = Join-Path $WorkDir 'py.csv'; loop = Join-Path $WorkDir 'loop.txt' }
        $runs = if ($n -ge 30000) { 1 } else { $Runs }
        $once = $n -ge 30000
        $load0 = Get-Load
        $ours = Measure-Runs $runs -NoFirst:$once { Measure-InProcess { $files | Export-WhisperSeries $o.ours -From $from -Until $now -Now $now } }
        $gci = Measure-Runs $runs -NoFirst:$once { Measure-InProcess { Get-ChildItem $tree -Recurse -Filter *.wsp | Export-WhisperSeries $o.gci -From $from -Until $now -Now $now } }
        $recurse = Measure-Runs $runs -NoFirst:$once { Measure-InProcess { Export-WhisperSeries $o.recurse -InputPath $tree -Recurse -From $from -Until $now -Now $now } }
        $throttle = Measure-Runs $runs -NoFirst:$once { Measure-InProcess { Export-WhisperSeries $o.throttle -InputPath $tree -Recurse -ThrottleLimit $cores -From $from -Until $now -Now $now } }
        $pyTime = Measure-Runs $runs -NoFirst { Measure-Child $Python @($py, $list, $o.py, $from, $now, $now) }
        $pipe = Measure-Runs $runs -NoFirst:$once { Measure-InProcess { $files | Get-WhisperSeries -From $from -Until $now -Now $now | Export-Csv $o.pipe -NoTypeInformation } }
        $hash = (Get-FileHash -LiteralPath $o.pipe).Hash
        $same = @('ours', 'recurse', 'throttle' | Where-Object { (Get-FileHash -LiteralPath $o[$_]).Hash -ne $hash }).Count -eq 0
        $lines = 0; $reader = [IO.File]::OpenText($o.ours); while ($null -ne $reader.ReadLine()) { $lines++ }; $reader.Dispose()
        $sample = [Math]::Min($LoopSample, $n)
        $sampleList = Join-Path $WorkDir 'sample.txt'
        [IO.File]::WriteAllLines($sampleList, [string[]] @($files[0..($sample - 1)].FullName))
        $lp = Measure-Child '/bin/bash' @($loop, $sampleList, $o.loop, $from, $now)
        $scale = $n / $sample
        $row = [pscustomobject] [ordered] @{
            files = $n; span = $span.Name; rows = $lines - 1; identical = $same; runs = $runs; load = ($load0 + (Get-Load)) / 2
            ours = $ours; gci = $gci; recurse = $recurse; throttle = $throttle; python = $pyTime; pipe = $pipe
            loop = [pscustomobject] @{ Wall = $lp.Wall * $scale; Cpu = $lp.Cpu * $scale }; loop_sample = $sample
        }
        $rows.Add($row)
        foreach ($f in $o.Values) { Remove-Item -LiteralPath $f, "$f.times" -ErrorAction SilentlyContinue }
        Write-Host ('  {0,6} files {1,-9} {2,12:N0} rows (load {3:N1}) | CPU s: files|EWS {4:N2}, gci|EWS {5:N2}, -Recurse {6:N2}, -Recurse -ThrottleLimit {7} {8:N2}, python {9:N2}, GWS|Export-Csv {10:N2}, whisper-fetch loop {11:N0} (scaled) | python/EWS CPU {12:N1}x wall {13:N1}x | same bytes {14}' -f `
                $n, $span.Name, $row.rows, $row.load, $ours.Cpu, $gci.Cpu, $recurse.Cpu, $cores, $throttle.Cpu, $pyTime.Cpu, $pipe.Cpu, $row.loop.Cpu, ($pyTime.Cpu / $ours.Cpu), ($pyTime.Wall / $ours.Wall), $same)
    }
    if ($null -eq $script:share) {
        # Our share of Get-WhisperSeries | Export-Csv: the same objects, already in memory, through Export-Csv alone.
        $from = $now - 3600
        $pipeOut = Join-Path $WorkDir 'pipe.csv'
        $collected = @($files | Get-WhisperSeries -From $from -Until $now -Now $now)
        $collectedRows = $collected.Count
        $a = Measure-Runs $Runs { Measure-InProcess { $files | Get-WhisperSeries -From $from -Until $now -Now $now | Export-Csv $pipeOut -NoTypeInformation } }
        $b = Measure-Runs $Runs { Measure-InProcess { $collected | Export-Csv $pipeOut -NoTypeInformation } }
        $collected = $null
        Remove-Item -LiteralPath $pipeOut
        $script:share = [pscustomobject] @{ files = $n; rows = $collectedRows; pipe = $a; export_csv = $b
            cpu = [Math]::Max(0.0, $a.Cpu - $b.Cpu) / $a.Cpu; wall = [Math]::Max(0.0, $a.Wall - $b.Wall) / $a.Wall }
        Write-Host ('  our share of Get-WhisperSeries | Export-Csv ({0:N0} files, hour, {1:N0} rows): {2:P0} of CPU, {3:P0} of wall' -f $n, $collectedRows, $script:share.cpu, $script:share.wall)
    }
    Remove-Item -LiteralPath $tree -Recurse -Force
}

function Format-Time($m) { '{0:N2} s CPU ({1:N2} s wall)' -f $m.Cpu, $m.Wall }
function Format-Ratio($python, $m) { '{0:N1}× CPU, {1:N1}× wall' -f ($python.Cpu / $m.Cpu), ($python.Wall / $m.Wall) }

$md = [Text.StringBuilder]::new()
$null = $md.AppendLine('## Export-WhisperSeries').AppendLine()
$null = $md.AppendLine('Against the in-process python script (whisper.fetch + csv). Ratio = python''s time / ours; target ≥ 5× on CPU and wall.').AppendLine()
$null = $md.AppendLine('| workload | python (in-process) | `$files \| Export-WhisperSeries` | ratio | `-InputPath <tree> -Recurse` | ratio | `-Recurse -ThrottleLimit ' + $cores + '` | ratio | `Get-ChildItem -Recurse \| Export-WhisperSeries` | ratio | met (best route, CPU and wall) |')
$null = $md.AppendLine('|---|---|---|---|---|---|---|---|---|---|---|')
foreach ($r in $rows) {
    $bestCpu = ($r.python.Cpu / (@($r.ours.Cpu, $r.recurse.Cpu, $r.throttle.Cpu) | Measure-Object -Minimum).Minimum)
    $bestWall = ($r.python.Wall / (@($r.ours.Wall, $r.recurse.Wall, $r.throttle.Wall) | Measure-Object -Minimum).Minimum)
    $met = if ($bestCpu -ge 5 -and $bestWall -ge 5) { 'yes' } elseif ($bestCpu -ge 5) { 'CPU yes, wall no' } elseif ($bestWall -ge 5) { 'wall yes, CPU no' } else { 'no' }
    $null = $md.AppendLine(('| {0:N0} files, {1} ({2:N0} rows, load {3:N1}) | {4} | {5} | {6} | {7} | {8} | {9} | {10} | {11} | {12} | {13} |' -f $r.files, $r.span, $r.rows, $r.load,
            (Format-Time $r.python), (Format-Time $r.ours), (Format-Ratio $r.python $r.ours), (Format-Time $r.recurse), (Format-Ratio $r.python $r.recurse),
            (Format-Time $r.throttle), (Format-Ratio $r.python $r.throttle), (Format-Time $r.gci), (Format-Ratio $r.python $r.gci), $met))
}
$null = $md.AppendLine().AppendLine('The first run of `$files | Export-WhisperSeries` on each workload (not counted in the medians above; the first of all is the first export of the session but for a warm-up on 50 files): ' +
    (($rows | ForEach-Object { '{0:N0} files, {1}: {2}, {3:N1}× python''s CPU' -f $_.files, $_.span, (Format-Time $_.ours.First), ($_.python.Cpu / $_.ours.First.Cpu) }) -join '; ') + '.')
$null = $md.AppendLine().AppendLine('| workload | Get-WhisperSeries \| Export-Csv | whisper-fetch loop (bash) | `$files \| Export-WhisperSeries` vs the pipeline | output identical to the pipeline (all three Export-WhisperSeries routes above) |')
$null = $md.AppendLine('|---|---|---|---|---|')
foreach ($r in $rows) {
    $loopNote = if ($r.loop_sample -lt $r.files) { " (timed on $($r.loop_sample) files, scaled ×$($r.files / $r.loop_sample))" } else { '' }
    $null = $md.AppendLine(('| {0:N0} files, {1} | {2} | {3:N1} s CPU ({4:N1} s wall){5} | {6:N1}× less CPU, {7:N1}× less wall | {8} |' -f $r.files, $r.span, (Format-Time $r.pipe), $r.loop.Cpu, $r.loop.Wall, $loopNote,
            ($r.pipe.Cpu / $r.ours.Cpu), ($r.pipe.Wall / $r.ours.Wall), $(if ($r.identical) { 'yes, same bytes' } else { 'NO' })))
}
$null = $md.AppendLine()
if ($script:share) {
    $null = $md.AppendLine(('Share of `Get-WhisperSeries | Export-Csv` spent in WhisperPS ({0:N0} files, last hour, {1:N0} rows): {2:P0} of CPU ({3:P0} of wall); target < 20 %: {4}. Measured as the pipeline ({5}) minus `Export-Csv` of the same WhisperPoint objects already in memory ({6}); that difference also holds PowerShell''s own cost of passing each object down the pipeline, so our code''s share is at most this. bench/tools/PipelineShare.sh measures it from a CPU profile instead (Linux perf: samples inside Get-WhisperSeries and not below its hand-over to Export-Csv).' -f
            $script:share.files, $script:share.rows, $script:share.cpu, $script:share.wall, $(if ($script:share.cpu -lt 0.2) { 'met' } else { 'not met' }), (Format-Time $script:share.pipe), (Format-Time $script:share.export_csv)))
    $null = $md.AppendLine()
}
$null = $md.AppendLine(("Run of {0:yyyy-MM-dd} on {1} cores; load is the 1-minute load average during each row (a quiet machine reads below 1). Trees of 1m:1d files holding a point a minute for the last day, copied from 10 series; each export reads every file for the last hour or day with the same now. Each time is the median of {2} runs ({3}) that follow one more run of the same workload, in one pwsh (see above for those first runs). CPU is this process's (all its threads, so -ThrottleLimit's workers count) or the child's own rusage. The python script is one process calling whisper.fetch per file and writing rows with csv.writer (QUOTE_ALL, time formatted with time.strftime), as close to our CSV as python makes it, its start-up and import included; the loop runs whisper-fetch once per file, timed on the first {4} files of each tree and scaled to the tree. Whole bench: {5:N1} minutes." -f
        [DateTime]::UtcNow, $cores, $Runs, $(if ($Sizes | Where-Object { $_ -ge 30000 }) { 'one run for 30,000 files' } else { 'all sizes' }), $LoopSample, $started.Elapsed.TotalMinutes))
[IO.File]::WriteAllText($OutMarkdown, $md.ToString())
Remove-Item -LiteralPath $WorkDir -Recurse -Force
