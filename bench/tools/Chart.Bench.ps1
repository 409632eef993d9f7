<#
.SYNOPSIS
    Bench row for Show-WhisperChart and Export-WhisperChart: one year of 10-second data (3,153,600 slots of a 10s:1y
    archive), drawn whole. Python whisper has no chart tool; the reference is python3-whisper reading the same year
    (whisper.fetch in one process), the least any python chart of it would cost.
#>
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [Parameter(Mandatory)] [string] $OutMarkdown,
    [switch] $Quick,
    [int] $Runs = 5
)
$ErrorActionPreference = 'Stop'
Import-Module $ModuleManifest -Force
$dir = Join-Path ([IO.Path]::GetTempPath()) ('whisperps-chart-bench-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
$null = New-Item -ItemType Directory $dir
try {
    $file = Join-Path $dir 'year.wsp'
    $now = 1795000000
    $slots = if ($Quick) { 315360 } else { 3153600 }
    $retention = if ($Quick) { '10s:36d' } else { '10s:1y' }
    $null = New-WhisperFile -LiteralPath $file -Retention $retention
    Write-Host "    filling $slots slots"
    # Filled through the engine in one update_many (python's update_many of 3 million points takes many minutes).
    $points = New-Object 'System.Collections.Generic.List[WhisperPS.Engine.Point]' $slots
    for ($i = 0; $i -lt $slots; $i++) { $points.Add([WhisperPS.Engine.Point]::new($now - $i * 10, 50 + 40 * [math]::Sin($i / 3000.0) + ($i % 97))) }
    $f = [WhisperPS.Engine.WhisperFile]::Open($file, [WhisperPS.Engine.IO.FileOpenMode]::ReadWrite)
    try { $null = $f.UpdateMany($points, $now) } finally { $f.Dispose() }
    $points = $null
    $from = $now - $slots * 10

    $py = "import whisper,time,sys`nts=[]`nfor r in range($($Runs + 1)):`n    t=time.perf_counter(); d=whisper.fetch('$file', $from, $now, now=$now); ts.append(time.perf_counter()-t)`nassert len(d[1])==$slots, len(d[1])`nts=sorted(ts[1:]); print(ts[len(ts)//2])"
    $pythonSeconds = [double] (& /usr/bin/python3 -c $py)

    function Measure-Median([scriptblock] $Work) {
        $null = & $Work   # warm-up
        $t = foreach ($i in 1..$Runs) { $sw = [Diagnostics.Stopwatch]::StartNew(); $null = & $Work; $sw.Elapsed.TotalSeconds }
        $s = @($t | Sort-Object); $s[[int][math]::Floor($s.Count / 2)]
    }
    $svg = Join-Path $dir 'year.svg'
    $export = Measure-Median { Export-WhisperChart -LiteralPath $svg -LiteralInputPath $file -From $from -Until $now -Now $now -Width 1200 -Height 400 }
    $show = Measure-Median { Show-WhisperChart -LiteralPath $file -From $from -Until $now -Now $now -Width 160 -Height 40 }
    $showAscii = Measure-Median { Show-WhisperChart -LiteralPath $file -From $from -Until $now -Now $now -Width 160 -Height 40 -Ascii }
    $size = (Get-Item $svg).Length

    $row = { param($name, $ours) '| {0} | {1:N1} ms | {2:N1} ms | **{3:N1}×** | < 1 s | {4} |' -f $name, ($pythonSeconds * 1000), ($ours * 1000), ($pythonSeconds / $ours), $(if ($ours -lt 1) { 'yes' } else { '**no**' }) }
    $md = @(
        '## Charts'
        ''
        ('Measured {0:u} by `bench/tools/Chart.Bench.ps1`: one 10s archive of {1:N0} slots, every slot written, drawn whole (median of {2} runs after a warm-up).' -f (Get-Date).ToUniversalTime(), $slots, $Runs)
        ''
        '| Workload | python3-whisper: `whisper.fetch` of the same range | WhisperPS: the whole chart | Ratio | Target | Met |'
        '|---|---:|---:|---:|---:|:---:|'
        (& $row 'Export-WhisperChart 1200×400 SVG' $export)
        (& $row 'Show-WhisperChart 160×40 braille' $show)
        (& $row 'Show-WhisperChart 160×40 ASCII' $showAscii)
        ''
        ('python3-whisper has no chart tool, so its column is only the read of the data any python chart would need first; WhisperPS''s column is reading, reducing every slot to the plot''s columns and writing the chart ({0:N0}-byte SVG). Both in-process, file in the page cache.' -f $size)
    )
    Set-Content -LiteralPath $OutMarkdown -Value $md -Encoding UTF8
    $md | Write-Host
} finally {
    Remove-Item -LiteralPath $dir -Recurse -Force -ErrorAction SilentlyContinue
}
