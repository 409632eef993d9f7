#!/bin/bash
# Share of `Get-WhisperSeries | Export-Csv` spent in WhisperPS's own code, from a CPU profile (Linux perf).
#   bench/tools/PipelineShare.sh <module manifest> [files=1000] [runs=12]
# Builds a tree of 1m:1d files (a point a minute for a day), runs the pipeline over the last hour <runs> times in one
# pwsh under `perf record`, and classifies each sample taken on the pipeline: ours when its stack is inside
# Get-WhisperSeries's ProcessRecord and not below the call that hands an object down to Export-Csv; everything else on
# the pipeline (binding, Export-Csv, the PSObject adapter, writing) is PowerShell's. Prints the share and its parts.
set -euo pipefail
manifest="$(readlink -f "$1")"; files="${2:-1000}"; runs="${3:-12}"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
cat > "$work/run.ps1" <<PS
Import-Module '$manifest'
\$now = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds(); \$now -= \$now % 60
\$t = Join-Path '$work' 't.wsp'
\$null = New-WhisperFile -LiteralPath \$t -Retention '1m:1d'
\$(for (\$i = 0; \$i -lt 1440; \$i++) { [pscustomobject] @{ UnixTime = \$now - 60 * \$i; Value = [Math]::Round(50 + 30 * [Math]::Sin(\$i / 37.0), 2) } }) | Add-WhisperPoint -LiteralPath \$t -Now \$now
for (\$i = 0; \$i -lt $files; \$i++) { \$d = Join-Path '$work' ('tree/h{0:D4}' -f [int][Math]::Floor(\$i / 30)); if (\$i % 30 -eq 0) { \$null = [IO.Directory]::CreateDirectory(\$d) }; [IO.File]::Copy(\$t, (Join-Path \$d "m\$i.wsp")) }
\$files = @(Get-ChildItem -LiteralPath (Join-Path '$work' 'tree') -Recurse -Filter *.wsp)
foreach (\$k in 1..$runs) { \$files | Get-WhisperSeries -From (\$now - 3600) -Now \$now | Export-Csv (Join-Path '$work' 'o.csv') -NoTypeInformation }
PS
DOTNET_EnableWriteXorExecute=0 DOTNET_PerfMapEnabled=1 perf record -q -F 999 -g -o "$work/perf.data" dotnet pwsh -NoProfile -File "$work/run.ps1" >/dev/null 2>&1
perf script -i "$work/perf.data" 2>/dev/null > "$work/perf.txt"
python3 - "$work/perf.txt" <<'PY'
import sys, collections
samples, cur = [], None
for line in open(sys.argv[1], errors='replace'):
    if not line.strip():
        if cur: samples.append(cur)
        cur = None
    elif not line[0].isspace():
        cur = []
    elif cur is not None:
        parts = line.strip().split(' ', 1)
        cur.append(parts[1] if len(parts) > 1 else '')
if cur: samples.append(cur)
pipeline, parts = 0, collections.Counter()
for st in samples:  # leaf first
    if not any('ExportCsvCommand' in f or 'GetWhisperSeriesCommand' in f or 'PipelineProcessor' in f for f in st): continue
    pipeline += 1
    top = [i for i, f in enumerate(st) if 'GetWhisperSeriesCommand::ProcessRecord' in f]
    if not top: continue
    inner = st[:top[0]]
    if any('WriteObject' in f or 'CommandProcessor::ProcessRecord' in f or 'ExportCsv' in f or 'Pipe::' in f for f in inner): continue
    kind = 'other (WriteObject calls, progress)'
    for f in inner:
        if 'ReadCore' in f or 'FetchSeries' in f: kind = 'reading the files'; break
        if 'ResolveExistingFiles' in f or 'ResolveInputFiles' in f: kind = 'resolving paths'; break
        if 'WhisperPoint' in f: kind = 'creating WhisperPoints'; break
    parts[kind] += 1
ours = sum(parts.values())
print('samples on the pipeline: %d; in WhisperPS: %d = %.1f %%' % (pipeline, ours, 100.0 * ours / max(1, pipeline)))
for k, v in parts.most_common(): print('  %s: %.1f %%' % (k, 100.0 * v / pipeline))
PY
