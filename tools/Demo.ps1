<#
.SYNOPSIS
    A short, real tour of WhisperPS: creates a whisper file in a temporary folder, feeds it points, reads them
    back, exports a CSV, and cleans up. build.ps1 Demo runs it in a child PowerShell; it exits non-zero on failure.
#>
param(
    [string] $RepoRoot = (Split-Path $PSScriptRoot),
    [string] $ModuleOut = (Join-Path (Split-Path $PSScriptRoot) 'out/WhisperPS'),
    [string] $Configuration = 'Release'
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3

function Step([string] $Text) { Write-Host ''; Write-Host "--- $Text" }

$work = Join-Path ([IO.Path]::GetTempPath()) ('whisperps-demo-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
$null = New-Item -ItemType Directory -Path $work
try {
    Import-Module (Join-Path $ModuleOut 'WhisperPS.psd1') -Force
    $module = Get-Module WhisperPS
    Write-Host "WhisperPS $($module.Version) ($Configuration) from $($module.ModuleBase); working in $work"

    Step "New-WhisperFile cpu.wsp -Retention '10s:1h','1m:1d' -AggregationMethod average"
    $file = Join-Path $work 'cpu.wsp'
    $info = New-WhisperFile -Path $file -Retention '10s:1h', '1m:1d' -AggregationMethod average
    $info | Format-Table | Out-String -Width 120 | Write-Host
    $info.Archives | Format-Table | Out-String -Width 120 | Write-Host

    Step 'Add-WhisperPoint: 30 minutes of a sine wave, one point every 10 seconds, piped in'
    $now = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
    $points = 0..179 | ForEach-Object { [pscustomobject] @{ Timestamp = $now - 10 * $_; Value = [Math]::Round(50 + 40 * [Math]::Sin($_ / 10), 3) } }
    $points | Add-WhisperPoint -Path $file -Now $now
    Write-Host "    piped $($points.Count) points (one update_many write)"

    Step 'Get-WhisperSeries -From -5min (the last five 10-second slots)'
    $recent = Get-WhisperSeries -Path $file -From -5min -Now $now
    $recent | Select-Object -Last 5 | Format-Table | Out-String -Width 120 | Write-Host
    if (@($recent | Where-Object { $null -ne $_.Value }).Count -ne 30) { throw "expected 30 values in the last 5 minutes" }

    Step 'Get-WhisperSeries -From -30min -Archive 1 (the 1-minute rollups, averaged by whisper''s rules)'
    $rollup = Get-WhisperSeries -Path $file -From -30min -Now $now -Archive 1 -SkipEmpty
    $rollup | Select-Object -First 3 | Format-Table | Out-String -Width 120 | Write-Host
    Write-Host "    $(@($rollup).Count) one-minute values"

    Step 'Export-Csv, then Import-Csv | Add-WhisperPoint into a copy with the same schema'
    $csv = Join-Path $work 'cpu.csv'
    Get-WhisperSeries -Path $file -From -1h -Now $now | Export-Csv -LiteralPath $csv -NoTypeInformation
    Get-Content -LiteralPath $csv -TotalCount 3 | ForEach-Object { Write-Host "    $_" }
    $copy = New-WhisperFile -Path (Join-Path $work 'copy.wsp') -Retention $info.Retention
    Import-Csv -LiteralPath $csv | Add-WhisperPoint -LiteralPath $copy.Path -Now $now
    $same = (Get-FileHash -LiteralPath $file).Hash -eq (Get-FileHash -LiteralPath $copy.Path).Hash
    Write-Host "    copy.wsp is byte-identical to cpu.wsp: $same"
    if (-not $same) { throw 'the CSV round trip changed the file' }

    Step 'Set-WhisperAggregation -AggregationMethod max -XFilesFactor 0 -WhatIf, then for real'
    Set-WhisperAggregation -Path $file -AggregationMethod max -XFilesFactor 0 -WhatIf
    Set-WhisperAggregation -Path $file -AggregationMethod max -XFilesFactor 0 -PassThru | Format-Table | Out-String -Width 120 | Write-Host

    Step 'Get-ChildItem *.wsp | Get-WhisperInfo'
    Get-ChildItem -LiteralPath $work -Filter *.wsp | Get-WhisperInfo | Format-Table | Out-String -Width 120 | Write-Host

    Step 'Errors are per file and carry stable ids'
    Get-WhisperInfo -Path (Join-Path $work 'missing.wsp'), $file -ErrorAction SilentlyContinue -ErrorVariable problems | Out-Null
    $problems | ForEach-Object { Write-Host "    $($_.FullyQualifiedErrorId): $($_.Exception.Message)" }
    Write-Host ''
    Write-Host 'Demo finished.'
}
catch {
    Write-Host "Demo failed: $_"
    Write-Host $_.ScriptStackTrace
    exit 1
}
finally {
    Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue
}
exit 0
