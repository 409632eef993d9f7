<#
.SYNOPSIS
    The cmdlet workloads of the WhisperPS benchmark: WhisperPS cmdlets against whisper's own CLI tools
    (whisper-fetch, whisper-update) and against PowerShell's own cost (Export-Csv, Out-Null, Get-ChildItem).

.DESCRIPTION
    Runs in the pwsh that imports the module under test. Every workload gets one untimed warm-up, then -Runs timed
    runs, interleaved (ours, theirs, ours, ...); medians go to -OutJson for WhisperPS.Bench's report. In-process
    timings use Measure-Command; the CLI tools are separate processes, so their figures include python's start-up,
    and the matching "with start-up" figures for WhisperPS start a fresh pwsh the same way.
#>
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [Parameter(Mandatory)] [string] $OutJson,
    [string] $WorkDir = (Join-Path ([IO.Path]::GetTempPath()) ('whisperps-cmdlet-bench-' + $PID)),
    [int] $Runs = 5,
    [string] $Python = '/usr/bin/python3'
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3

Import-Module $ModuleManifest -Force
$null = New-Item -ItemType Directory -Force $WorkDir
$now = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
$schema = [WhisperPS.Engine.ArchiveSpec[]] @(
    [WhisperPS.Engine.ArchiveSpec]::new(10, 8640), [WhisperPS.Engine.ArchiveSpec]::new(60, 10080), [WhisperPS.Engine.ArchiveSpec]::new(600, 52560))

function New-Empty([string] $Path) {
    $null = [WhisperPS.Engine.WhisperFile]::Create($Path, $schema, 0.5, [WhisperPS.Engine.AggregationMethod]::Average, $null)
}

function Get-Median([double[]] $xs) {
    $s = @($xs | Sort-Object)
    if ($s.Count % 2) { return $s[[int][Math]::Floor($s.Count / 2)] }
    return ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2
}

# The pwsh to start for "with start-up" runs: this one (dotnet pwsh starts pwsh.dll through dotnet).
$pwshExe = [Environment]::ProcessPath
$pwshArgs = @()
if ([IO.Path]::GetFileNameWithoutExtension($pwshExe) -eq 'dotnet') { $pwshArgs = @(Join-Path $PSHOME 'pwsh.dll') }
function Invoke-FreshPwsh([string] $Command) {
    & $pwshExe @pwshArgs -NoProfile -NonInteractive -Command $Command
    if ($LASTEXITCODE -ne 0) { throw "pwsh -Command failed ($LASTEXITCODE): $Command" }
}
$importCmd = "Import-Module '$ModuleManifest';"

# Runs $Ours and $Theirs alternately ($Prepare before each, untimed); returns seconds per run for each.
function Measure-Pair([scriptblock] $Ours, [scriptblock] $Theirs, [scriptblock] $Prepare = {}) {
    $a = [Collections.Generic.List[double]]::new()
    $b = [Collections.Generic.List[double]]::new()
    for ($i = -1; $i -lt $Runs; $i++) {
        $pair = if ($i % 2 -eq 0) { @('ours', 'theirs') } else { @('theirs', 'ours') }
        foreach ($side in $pair) {
            & $Prepare
            [GC]::Collect()
            $block = if ($side -eq 'ours') { $Ours } else { $Theirs }
            $t = (Measure-Command { & $block }).TotalSeconds
            if ($i -ge 0) { if ($side -eq 'ours') { $a.Add($t) } else { $b.Add($t) } }
        }
    }
    return @{ Ours = $a.ToArray(); Theirs = $b.ToArray() }
}

$results = [Collections.Generic.List[object]]::new()
function Add-Result([string] $Name, [string] $Description, [hashtable] $M, [string] $Baseline, [string] $Figure, [string] $Target, $Met) {
    $o = [ordered] @{
        name = $Name; description = $Description
        ours_seconds = $M.Ours; baseline_seconds = $M.Theirs
        ours_median = Get-Median $M.Ours; baseline_median = Get-Median $M.Theirs
        baseline = $Baseline; figure = $Figure; target = $Target; met = $Met
    }
    $results.Add($o)
    Write-Host ('  {0,-44} ours {1,9:N1} ms   {2} {3,9:N1} ms   {4}' -f $Name, ($o.ours_median * 1000), $Baseline, ($o.baseline_median * 1000), $Figure)
    return $o
}

# ---- 1. Get-WhisperSeries of one year -------------------------------------------------------------------------
$year = Join-Path $WorkDir 'year.wsp'
New-Empty $year
$f = [WhisperPS.Engine.WhisperFile]::Open($year, [WhisperPS.Engine.IO.FileOpenMode]::ReadWrite)
try {
    foreach ($a in @(@(600, 52560), @(60, 10080), @(10, 8640))) {
        $pts = [Collections.Generic.List[WhisperPS.Engine.Point]]::new($a[1])
        for ($k = 0; $k -lt $a[1]; $k++) { $pts.Add([WhisperPS.Engine.Point]::new($now - ($a[1] - 1 - $k) * $a[0], ($k % 977) / 8.0)) }
        $null = $f.UpdateMany($pts, $now)
    }
} finally { $f.Dispose() }
$from = $now - 365 * 86400
$csv = Join-Path $WorkDir 'year.csv'
$txt = Join-Path $WorkDir 'year.txt'
Write-Host "cmdlet workloads: $Runs timed runs each after one warm-up, now = $now"

$collected = @(Get-WhisperSeries -Path $year -From $from -Until $now -Now $now)
if ($collected.Count -ne 52560) { throw "expected 52560 points, got $($collected.Count)" }

$m = Measure-Pair -Ours { Get-WhisperSeries -Path $year -From $from -Until $now -Now $now | Export-Csv -Path $csv -NoTypeInformation } `
    -Theirs { $collected | Export-Csv -Path $csv -NoTypeInformation }
$ourShare = [Math]::Max(0.0, (Get-Median $m.Ours) - (Get-Median $m.Theirs)) / (Get-Median $m.Ours)
$null = Add-Result 'Get-WhisperSeries 1y | Export-Csv' 'Get-WhisperSeries of one year (52,560 points) piped to Export-Csv, against Export-Csv of the same 52,560 WhisperPoint objects already in memory; the difference is the time spent in our code (fetch, object creation, streaming)' `
    $m 'Export-Csv alone' ('{0:P0} of the time in our code' -f $ourShare) '< 20% in our code' ($ourShare -lt 0.2)

$m = Measure-Pair -Ours { Get-WhisperSeries -Path $year -From $from -Until $now -Now $now | Measure-Object -Property Value -Sum -Average -Maximum | Out-Null } `
    -Theirs { $collected | Measure-Object -Property Value -Sum -Average -Maximum | Out-Null }
$ourShare = [Math]::Max(0.0, (Get-Median $m.Ours) - (Get-Median $m.Theirs)) / (Get-Median $m.Ours)
$null = Add-Result 'Get-WhisperSeries 1y | Measure-Object' 'Get-WhisperSeries of one year piped to Measure-Object -Sum -Average -Maximum, against Measure-Object of the same objects already in memory' `
    $m 'Measure-Object alone' ('{0:P0} of the time in our code' -f $ourShare) $null $null

$fetchCmd = "& '$Python' /usr/bin/whisper-fetch --from=$from --until=$now '$year' > '$txt'"
$m = Measure-Pair -Ours { Get-WhisperSeries -Path $year -From $from -Until $now -Now $now | Export-Csv -Path $csv -NoTypeInformation } `
    -Theirs { & $Python /usr/bin/whisper-fetch "--from=$from" "--until=$now" $year > $txt }
$null = Add-Result 'Get-WhisperSeries 1y | Export-Csv vs whisper-fetch' 'one year to a file: Get-WhisperSeries | Export-Csv in this pwsh, against whisper-fetch (a new python process, start-up included) writing its text output' `
    $m 'whisper-fetch (process)' ('{0:N1}x whisper-fetch''s time' -f ((Get-Median $m.Ours) / (Get-Median $m.Theirs))) $null $null

$m = Measure-Pair -Ours { Invoke-FreshPwsh "$importCmd Get-WhisperSeries -Path '$year' -From $from -Until $now -Now $now | Export-Csv -Path '$csv' -NoTypeInformation" } `
    -Theirs { & $Python /usr/bin/whisper-fetch "--from=$from" "--until=$now" $year > $txt }
$null = Add-Result 'pwsh -c Get-WhisperSeries | Export-Csv vs whisper-fetch' 'both as new processes, start-up included: pwsh -NoProfile -Command "Import-Module; Get-WhisperSeries | Export-Csv" against whisper-fetch' `
    $m 'whisper-fetch (process)' ('{0:N1}x whisper-fetch''s time' -f ((Get-Median $m.Ours) / (Get-Median $m.Theirs))) $null $null

# ---- 2. Import-Csv of 100,000 rows into Add-WhisperPoint ----------------------------------------------------------
$rowsCsv = Join-Path $WorkDir 'points.csv'
$sb = [Text.StringBuilder]::new()
$null = $sb.AppendLine('"Path","Timestamp","UnixTime","Value"')
$first = $now - 99999 * 10
for ($k = 0; $k -lt 100000; $k++) {
    $t = $first + 10 * $k
    $null = $sb.Append('"x","').Append([DateTimeOffset]::FromUnixTimeSeconds($t).UtcDateTime.ToString('yyyy-MM-dd HH:mm:ss', [Globalization.CultureInfo]::InvariantCulture)).Append('","').Append($t).Append('","').Append((($k * 7919) % 10007) / 8.0).AppendLine('"')
}
[IO.File]::WriteAllText($rowsCsv, $sb.ToString())
$target = Join-Path $WorkDir 'add.wsp'
$empty = Join-Path $WorkDir 'empty.wsp'
New-Empty $empty
$prepare = { Copy-Item -LiteralPath $empty -Destination $target -Force }

$m = Measure-Pair -Prepare $prepare -Ours { Import-Csv -Path $rowsCsv | Add-WhisperPoint -Path $target -Now $now } `
    -Theirs { Import-Csv -Path $rowsCsv | Out-Null }
$factor = (Get-Median $m.Ours) / (Get-Median $m.Theirs)
$null = Add-Result 'Import-Csv 100k | Add-WhisperPoint' 'Import-Csv of 100,000 rows piped to Add-WhisperPoint (batches of 10,000, update_many semantics), against the same Import-Csv piped to Out-Null' `
    $m 'Import-Csv | Out-Null' ('{0:N2}x the Out-Null time' -f $factor) '< 3x Out-Null' ($factor -lt 3)

# whisper-update takes its points on the command line: 10 processes of 10,000 points each.
$argLists = @(for ($c = 0; $c -lt 10; $c++) {
        , @(for ($k = $c * 10000; $k -lt ($c + 1) * 10000; $k++) { '{0}:{1}' -f ($first + 10 * $k), ((($k * 7919) % 10007) / 8.0).ToString([Globalization.CultureInfo]::InvariantCulture) })
    })
$m = Measure-Pair -Prepare $prepare -Ours { Invoke-FreshPwsh "$importCmd Import-Csv -Path '$rowsCsv' | Add-WhisperPoint -Path '$target' -Now $now" } `
    -Theirs { foreach ($argList in $argLists) { & $Python /usr/bin/whisper-update $target @argList; if ($LASTEXITCODE) { throw 'whisper-update failed' } } }
$null = Add-Result 'pwsh -c Import-Csv | Add-WhisperPoint vs whisper-update' 'both as new processes, start-up included: one pwsh -Command "Import-Module; Import-Csv | Add-WhisperPoint" against 10 whisper-update processes of 10,000 command-line points each' `
    $m 'whisper-update (10 processes)' ('{0:N1}x whisper-update''s time' -f ((Get-Median $m.Ours) / (Get-Median $m.Theirs))) $null $null

# ---- 3. Get-ChildItem -Recurse over 1,000 files piped to Get-WhisperInfo -----------------------------------------
$tree = Join-Path $WorkDir 'tree'
for ($d = 0; $d -lt 10; $d++) {
    $dir = Join-Path $tree "host$d/cpu"
    $null = New-Item -ItemType Directory -Force $dir
    for ($k = 0; $k -lt 100; $k++) {
        $null = [WhisperPS.Engine.WhisperFile]::Create((Join-Path $dir "m$k.wsp"), $schema, 0.5, [WhisperPS.Engine.AggregationMethod]::Average,
            [WhisperPS.Engine.CreateOptions] @{ Sparse = $true })
    }
}
$m = Measure-Pair -Ours { Get-ChildItem -Path $tree -Recurse -File -Filter *.wsp | Get-WhisperInfo | Out-Null } `
    -Theirs { Get-ChildItem -Path $tree -Recurse -File -Filter *.wsp | Out-Null }
$n = @(Get-ChildItem -Path $tree -Recurse -File -Filter *.wsp | Get-WhisperInfo).Count
if ($n -ne 1000) { throw "expected 1000 infos, got $n" }
$null = Add-Result 'Get-ChildItem -Recurse 1,000 | Get-WhisperInfo' 'Get-ChildItem -Recurse over 1,000 files in 10 folders piped to Get-WhisperInfo, against the Get-ChildItem alone' `
    $m 'Get-ChildItem alone' ('{0:N2} ms per file in our code' -f (([Math]::Max(0.0, (Get-Median $m.Ours) - (Get-Median $m.Theirs))) * 1000 / 1000)) $null $null

# ---- memory: Add-WhisperPoint's working set is bounded by its batch size -------------------------------------------
& $prepare
[GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect()
$before = [GC]::GetTotalMemory($true)
$peak = 0L
Import-Csv -Path $rowsCsv | ForEach-Object -Begin { $i = 0 } -Process { if ((++$i % 5000) -eq 0) { $peak = [Math]::Max($peak, [GC]::GetTotalMemory($false) - $before) }; $_ } |
    Add-WhisperPoint -Path $target -Now $now -BatchSize 10000
$memory = [ordered] @{ add_whisperpoint_live_heap_growth_bytes_sampled = $peak; note = 'GC heap growth sampled every 5,000 rows during Import-Csv | Add-WhisperPoint (BatchSize 10,000); includes Import-Csv objects not yet collected' }

# ---- memory: Get-WhisperSeries streams, so its live heap does not grow with the number of files ---------------------
# Each file holds its last hour (360 points). The live heap (after a full collection) is sampled every 5,000 points
# while the points flow into ForEach-Object; a cmdlet that collected before emitting would hold every point at once.
$streamDir = Join-Path $WorkDir 'stream'
$null = New-Item -ItemType Directory -Force $streamDir
$hour = [Collections.Generic.List[WhisperPS.Engine.Point]]::new(360)
for ($k = 0; $k -lt 360; $k++) { $hour.Add([WhisperPS.Engine.Point]::new($now - (359 - $k) * 10, $k / 4.0)) }
for ($k = 0; $k -lt 400; $k++) {
    $p = Join-Path $streamDir ('s{0:D3}.wsp' -f $k)
    New-Empty $p
    $f = [WhisperPS.Engine.WhisperFile]::Open($p, [WhisperPS.Engine.IO.FileOpenMode]::ReadWrite)
    try { $null = $f.UpdateMany($hour, $now) } finally { $f.Dispose() }
}
function Measure-StreamingHeap([int] $Files) {
    $paths = @(Get-ChildItem -Path $streamDir -Filter *.wsp | Sort-Object Name | Select-Object -First $Files)
    $before = [GC]::GetTotalMemory($true)
    $script:streamPeak = 0L
    $script:streamPoints = 0
    $paths | Get-WhisperSeries -From ($now - 3600) -Until $now -Now $now | ForEach-Object {
        if ((++$script:streamPoints % 5000) -eq 0) { $script:streamPeak = [Math]::Max($script:streamPeak, [GC]::GetTotalMemory($true) - $before) }
    }
    if ($script:streamPoints -ne $Files * 360) { throw "expected $($Files * 360) points, got $script:streamPoints" }
    return [ordered] @{ files = $Files; points = $script:streamPoints; live_heap_growth_peak_bytes = $script:streamPeak }
}
$memory.get_whisperseries_streaming = @((Measure-StreamingHeap 40), (Measure-StreamingHeap 400))
$memory.get_whisperseries_note = 'live heap (after a full collection) sampled every 5,000 points of Get-ChildItem | Get-WhisperSeries (one hour, 360 points a file) | ForEach-Object, for 40 and for 400 files'
Write-Host ('  Get-WhisperSeries streaming: live heap growth peak {0:N0} bytes over 40 files, {1:N0} bytes over 400 files' -f `
    $memory.get_whisperseries_streaming[0].live_heap_growth_peak_bytes, $memory.get_whisperseries_streaming[1].live_heap_growth_peak_bytes)

$json = [ordered] @{
    pwsh = "PowerShell $($PSVersionTable.PSVersion)"
    now = $now
    runs = $Runs
    workloads = $results
    memory = $memory
}
$json | ConvertTo-Json -Depth 6 | Set-Content -Path $OutJson -Encoding utf8
Remove-Item -Recurse -Force $WorkDir
