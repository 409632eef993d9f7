<#
.SYNOPSIS
    Resize-WhisperFile against whisper-resize (one process per file, as admins run it) and against the same work
    through python whisper's API in one process.

.DESCRIPTION
    Workload: N files of 1m:1d,10m:30d (69 KB, a day of one-minute points), resized to 1m:7d,1h:1y. Each side gets
    fresh copies of the same files (copying is not timed). Ours: Get-ChildItem | Resize-WhisperFile in this pwsh,
    with its journal and fsyncs (the durable default). whisper-resize --nobackup: one python process per file, timed
    on the first S files and scaled to N (a full run would take minutes). Python API: whisper-resize's own steps
    (info, fetch per archive, create, update_many, rename) in one python process over all N files, without fsync.
    Results are compared: ours and whisper-resize hold the same one-minute values.
#>
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [Parameter(Mandatory)] [string] $OutMarkdown,
    [switch] $Quick,
    [string] $WorkDir = (Join-Path ([IO.Path]::GetTempPath()) ('whisperps-resize-bench-' + $PID))
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3
Import-Module $ModuleManifest -Force
$n = if ($Quick) { 100 } else { 1000 }
$sample = if ($Quick) { 10 } else { 50 }
$now = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()

$py = @'
import sys, os, time, whisper
files = sys.argv[1:]
new = [whisper.parseRetentionDef(x) for x in ('1m:7d', '1h:1y')]
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
'@

try {
    $template = Join-Path $WorkDir 'template'
    $null = New-Item -ItemType Directory -Force $template
    $first = Join-Path $template 'f0.wsp'
    $null = New-WhisperFile -LiteralPath $first -Retention 1m:1d, 10m:30d
    $pts = for ($i = 1; $i -le 1440; $i++) { [pscustomobject] @{ UnixTime = $now - 60 * $i; Value = [math]::Round([math]::Sin($i / 50) * 100, 2) } }
    $pts | Add-WhisperPoint -LiteralPath $first -Now $now
    for ($i = 1; $i -lt $n; $i++) { Copy-Item -LiteralPath $first (Join-Path $template "f$i.wsp") }

    function Fresh([string] $Name) {
        $d = Join-Path $WorkDir $Name
        if (Test-Path $d) { Remove-Item -Recurse -Force $d }
        Copy-Item -Recurse $template $d
        $d
    }
    $pyFile = Join-Path $WorkDir 'resize_api.py'
    Set-Content -LiteralPath $pyFile -Value $py

    $ours = Fresh 'ours'
    $tOurs = (Measure-Command { Get-ChildItem $ours -Filter *.wsp | Resize-WhisperFile -Retention 1m:7d, 1h:1y }).TotalSeconds
    $fast = Fresh 'fast'
    $tFast = (Measure-Command { Get-ChildItem $fast -Filter *.wsp | Resize-WhisperFile -Retention 1m:7d, 1h:1y -NoFlush }).TotalSeconds
    $api = Fresh 'api'
    $apiFiles = @(Get-ChildItem $api -Filter *.wsp | ForEach-Object FullName)
    $tApi = (Measure-Command { & /usr/bin/python3 $pyFile @apiFiles }).TotalSeconds
    $script = Fresh 'script'
    $scriptFiles = @(Get-ChildItem $script -Filter *.wsp | Select-Object -First $sample | ForEach-Object FullName)
    $tScriptSample = (Measure-Command { foreach ($f in $scriptFiles) { $null = & /usr/bin/python3 /usr/bin/whisper-resize $f 1m:7d 1h:1y --nobackup } }).TotalSeconds
    $tScript = $tScriptSample * $n / $sample

    # Same one-minute values (the hourly archive differs by design: whisper-resize's averages of the last sample).
    $a = @(Get-WhisperSeries -LiteralPath (Join-Path $ours 'f0.wsp') -From -1d -Archive 0 -SkipEmpty | ForEach-Object { "$($_.UnixTime)=$($_.Value)" })
    $b = @(Get-WhisperSeries -LiteralPath $scriptFiles[0] -From -1d -Archive 0 -SkipEmpty | ForEach-Object { "$($_.UnixTime)=$($_.Value)" })
    $same = @(Compare-Object $a $b | Where-Object { $_.InputObject -notmatch "^($($now - $now % 60)|$($now - $now % 60 - 86400))" }).Count -le 2

    $r1 = $tScript / $tOurs; $r2 = $tApi / $tOurs; $r3 = $tScript / $tFast; $r4 = $tApi / $tFast
    $md = @"
## Resize-WhisperFile

| workload | python | WhisperPS | ratio | target | met |
|---|---|---|---|---|---|
| resize $n files 1m:1d,10m:30d -> 1m:7d,1h:1y, whisper-resize per file | $('{0:N1}' -f $tScript) s | $('{0:N2}' -f $tOurs) s | $('{0:N0}' -f $r1)x | 100x | $(if ($r1 -ge 100) { 'yes' } else { 'no' }) |
| same, python whisper API in one process | $('{0:N2}' -f $tApi) s | $('{0:N2}' -f $tOurs) s | $('{0:N1}' -f $r2)x | 20x | $(if ($r2 -ge 20) { 'yes' } else { 'no' }) |
| whisper-resize per file vs Resize-WhisperFile -NoFlush | $('{0:N1}' -f $tScript) s | $('{0:N2}' -f $tFast) s | $('{0:N0}' -f $r3)x | 100x | $(if ($r3 -ge 100) { 'yes' } else { 'no' }) |
| python API in one process vs -NoFlush | $('{0:N2}' -f $tApi) s | $('{0:N2}' -f $tFast) s | $('{0:N1}' -f $r4)x | 20x | $(if ($r4 -ge 20) { 'yes' } else { 'no' }) |

Ours: ``Get-ChildItem | Resize-WhisperFile`` in one pwsh, each file rewritten in place through the journal with three
fsyncs (journal, folder, file), and with -NoFlush (no fsync, like the python tools; still kill-safe). whisper-resize --nobackup timed on $sample files and scaled to $n; the python API run
does whisper-resize's steps for all $n files in one process, without fsync. One run each on a loaded 2-core machine.
One-minute values of ours and whisper-resize agree: $same.
"@
    Set-Content -LiteralPath $OutMarkdown -Value $md
    $md
}
finally {
    Remove-Item -Recurse -Force $WorkDir -ErrorAction SilentlyContinue
}
