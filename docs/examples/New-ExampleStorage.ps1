<#
.SYNOPSIS
    Creates the small carbon storage tree that the examples in the WhisperPS help work on.

.DESCRIPTION
    Every example in Get-Help <cmdlet> -Examples (docs/<Cmdlet>.md) runs in a folder that holds ./whisper, made by
    this script: servers web01, web02 and db01 with CPU metrics (1m:1d,10m:30d, average), a disk metric on db01
    (last) and a request counter under stats_counts (average, the mistake Set-WhisperAggregation's first example
    fixes). Each file gets one point a minute for the last three hours. The WhisperPS module must be imported.

        Set-Location (New-Item -ItemType Directory ./whisper-try)
        & ./docs/examples/New-ExampleStorage.ps1 -Path ./whisper

.PARAMETER Path
    The storage folder to create (default ./whisper). It must not exist yet.

.PARAMETER Now
    The time the data ends at (default: the clock), as Unix seconds.
#>
param(
    [string] $Path = './whisper',
    [long] $Now = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
)
$ErrorActionPreference = 'Stop'
if (Test-Path -LiteralPath $Path) { throw "$Path exists already" }

$metrics = @(
    @{ Name = 'servers/web01/cpu/user.wsp'; Base = 35; Swing = 20; Method = 'Average' }
    @{ Name = 'servers/web01/cpu/system.wsp'; Base = 8; Swing = 4; Method = 'Average' }
    @{ Name = 'servers/web02/cpu/user.wsp'; Base = 22; Swing = 15; Method = 'Average' }
    @{ Name = 'servers/web02/cpu/system.wsp'; Base = 6; Swing = 3; Method = 'Average' }
    @{ Name = 'servers/db01/cpu/user.wsp'; Base = 55; Swing = 25; Method = 'Average' }
    @{ Name = 'servers/db01/disk/free.wsp'; Base = 820; Swing = 5; Method = 'Last' }
    @{ Name = 'stats_counts/web/requests.wsp'; Base = 1200; Swing = 400; Method = 'Average' }
)
$start = $Now - ($Now % 60) - 180 * 60
$k = 0
foreach ($m in $metrics) {
    $file = Join-Path $Path $m.Name
    $null = New-Item -ItemType Directory -Force -Path (Split-Path $file)
    $null = New-WhisperFile -LiteralPath $file -Retention '1m:1d', '10m:30d' -AggregationMethod $m.Method
    $k++
    $points = for ($i = 1; $i -le 180; $i++) {
        # A smooth daily-looking curve plus a deterministic wobble; rounded like a real collector would.
        $v = $m.Base + $m.Swing * [math]::Sin(($i + 7 * $k) / 23.0) + ($m.Swing / 5.0) * [math]::Sin($i * 1.7 + $k)
        [pscustomobject] @{ UnixTime = $start + 60 * $i; Value = [math]::Round($v, 1) }
    }
    $points | Add-WhisperPoint -LiteralPath $file -Now $Now
}
