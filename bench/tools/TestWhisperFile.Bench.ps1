<#
.SYNOPSIS
    Test-WhisperFile against find-corrupt-whisper-files over the same tree (10,000 files; 100,000 for files/s).

.DESCRIPTION
    Builds a tree of whisper files (copies of one file with a day of 1-minute points, schema 1m:1d,10m:30d, 69 KB each;
    1% of them damaged: half-truncated, offset into another archive, wrong maxRetention), then times, interleaved,
    python3-whisper's find-corrupt-whisper-files (a process: os.walk + whisper.info per file, header only) and
    `Get-ChildItem -Recurse -Filter *.wsp | Test-WhisperFile` in this pwsh (every slot checked), plus -Rollups.
    Both outputs are compared: which damaged files each reports. A second, larger tree (1m:1d, 17 KB each) measures
    files per second at 100,000 files. Medians of -Runs runs; the page cache is warm for both (one untimed pass).
#>
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [Parameter(Mandatory)] [string] $OutMarkdown,
    [switch] $Quick,
    [int] $Runs = 3,
    [string] $WorkDir = (Join-Path ([IO.Path]::GetTempPath()) ('whisperps-testfile-bench-' + $PID))
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3
Import-Module $ModuleManifest -Force
. (Join-Path $PSScriptRoot 'BenchPair.ps1')
if ($Quick) { $Runs = 1 }
$small = if ($Quick) { 1000 } else { 10000 }
$large = if ($Quick) { 5000 } else { 100000 }
$now = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()

function New-Tree([string] $Root, [int] $Count, [string[]] $Retention, [switch] $Damage) {
    $null = New-Item -ItemType Directory -Force $Root
    $template = Join-Path $Root 'template.bin'
    $null = New-WhisperFile -LiteralPath $template -Retention $Retention
    1..1440 | ForEach-Object { [pscustomobject] @{ UnixTime = $now - 60 * $_; Value = $_ % 97 } } | Add-WhisperPoint -LiteralPath $template -Now $now
    $bytes = [IO.File]::ReadAllBytes($template)
    Remove-Item -LiteralPath $template
    $damaged = [Collections.Generic.List[string]]::new()
    for ($i = 0; $i -lt $Count; $i++) {
        $dir = Join-Path $Root ('host{0:d3}' -f ($i % 1000))
        if ($i -lt 1000) { $null = [IO.Directory]::CreateDirectory($dir) }
        $path = Join-Path $dir ('metric{0:d5}.wsp' -f $i)
        $b = $bytes
        if ($Damage -and $i % 100 -eq 7) {
            $kind = [int][math]::Floor($i / 100) % 3
            $b = [byte[]] $bytes.Clone()
            switch ($kind) {
                0 { $b = $b[0..($b.Length / 2 - 1)] }                     # half-truncated
                1 { $b[40] = 0; $b[41] = 0; $b[42] = 0; $b[43] = 100 }   # archive 1's offset into archive 0
                2 { $b[7] = 0x11 }                                        # maxRetention changed
            }
            $damaged.Add($path)
        }
        [IO.File]::WriteAllBytes($path, $b)
    }
    return , $damaged
}

try {
    $tree = Join-Path $WorkDir 'tree'
    $damaged = New-Tree $tree $small '1m:1d', '10m:30d' -Damage
    $findCorrupt = { & /usr/bin/python3 /usr/bin/find-corrupt-whisper-files $tree 2>&1 | ForEach-Object { "$_" } }
    $test = { @(Get-ChildItem -LiteralPath $tree -Recurse -Filter *.wsp | Test-WhisperFile -Now $now) }
    $testRollups = { @(Get-ChildItem -LiteralPath $tree -Recurse -Filter *.wsp | Test-WhisperFile -Now $now -Rollups) }

    $m1 = Measure-Pair $test $findCorrupt -Runs $Runs
    $pythonFound = @($script:last | Where-Object { $_ -like 'Corrupt Whisper file:*' }).Count
    $ours = @(& $test)
    $oursFound = @($ours | Where-Object { -not $_.IsValid }).Count
    if ($ours.Count -ne $small) { throw "Test-WhisperFile returned $($ours.Count) results for $small files" }
    $m2 = Measure-Pair $testRollups $findCorrupt -Runs $Runs

    $big = Join-Path $WorkDir 'big'
    $null = New-Tree $big $large '1m:1d'
    $null = @(Get-ChildItem -LiteralPath $big -Recurse -Filter *.wsp | Test-WhisperFile -Now $now -Quiet)   # warm
    $tBig = (Measure-Command { $script:bigOut = @(Get-ChildItem -LiteralPath $big -Recurse -Filter *.wsp | Test-WhisperFile -Now $now -Quiet) }).TotalSeconds
    $tBigPy = (Measure-Command { & /usr/bin/python3 /usr/bin/find-corrupt-whisper-files $big 2>&1 | Out-Null }).TotalSeconds
    if ($script:bigOut.Count -ne $large) { throw "expected $large results" }

    $rows = @(
        @{ W = "$small files (69 KB, 1% damaged): whole tree"; P = $m1.Theirs; O = $m1.Ours }
        @{ W = "$small files, Test-WhisperFile -Rollups"; P = $m2.Theirs; O = $m2.Ours }
        @{ W = "$large files (17 KB): whole tree, one run"; P = $tBigPy; O = $tBig }
    )
    $md = [Text.StringBuilder]::new()
    $null = $md.AppendLine('## Test-WhisperFile')
    $null = $md.AppendLine()
    $null = $md.AppendLine("Run $(Get-Date -Format 'yyyy-MM-dd HH:mm') UTC$(if ($Quick) { ' (-Quick)' })" + '.')
    $null = $md.AppendLine()
    $null = $md.AppendLine('| workload | find-corrupt-whisper-files | Test-WhisperFile | ratio (python / ours) | target | met |')
    $null = $md.AppendLine('|---|---|---|---|---|---|')
    foreach ($r in $rows) {
        $n = [double]($r.W -replace '^(\d+).*', '$1')
        $ratio = $r.P / $r.O
        $fps = $n / $r.O
        $null = $md.AppendLine(('| {0} | {1:N2} s ({2:N0} files/s) | {3:N2} s ({4:N0} files/s) | {5:N2}x | 100,000 files practical: at least 1,000 files/s | {6} |' -f
                $r.W, $r.P, ($n / $r.P), $r.O, $fps, $ratio, $(if ($fps -ge 1000) { 'yes' } else { 'no' })))
    }
    $null = $md.AppendLine()
    $null = $md.AppendLine("Damaged files found in the $small-file tree ($($damaged.Count) damaged: half-truncated, archive offset into another archive, wrong maxRetention): Test-WhisperFile $oursFound, find-corrupt-whisper-files $pythonFound.")
    $null = $md.AppendLine('find-corrupt-whisper-files reads the header only (whisper.info); Test-WhisperFile reads every slot of every file (one sequential read, 256 KB chunks). Ours runs in this pwsh, fed by Get-ChildItem -Recurse; python is one process for the whole tree. Medians of ' + $Runs + ' interleaved runs after a warm-up (page cache warm for both).')
    if (Test-Path -LiteralPath /proc/loadavg) {
        $null = $md.AppendLine("Load average at the end of the run: $(((Get-Content /proc/loadavg) -split ' ')[0..2] -join ', ') on $([Environment]::ProcessorCount) cores; ratios are interleaved, absolute times depend on that load.")
    }
    [IO.File]::WriteAllText($OutMarkdown, $md.ToString())
    $md.ToString()
}
finally {
    if (Test-Path -LiteralPath $WorkDir) { Remove-Item -LiteralPath $WorkDir -Recurse -Force }
}
