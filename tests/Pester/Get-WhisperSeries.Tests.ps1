BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-WhisperModulePath) -Force -ErrorAction Stop
    $script:Now = 1767323045   # 2026-01-02T03:04:05Z
    $script:Dir = New-TestFolder
    # 60s for 2 days, then 5 min for 30 days; points every minute over the last 3 hours.
    $script:File = (New-WhisperFile (Join-Path $Dir 'load.wsp') '1m:2d', '5m:30d').Path
    0..179 | ForEach-Object { [pscustomobject] @{ Timestamp = $Now - 60 * $_; Value = $_ + 0.25 } } |
        Add-WhisperPoint -LiteralPath $File -Now $Now
}

Describe 'Get-WhisperSeries' {
    It 'streams typed points with the columns Path, Timestamp, UnixTime, Value in that order' {
        $p = Get-WhisperSeries -LiteralPath $File -Now $Now -From -10min
        $p[0] | Should -BeOfType WhisperPS.WhisperPoint
        $p[0].PSObject.Properties.Name | Should -Be @('Path', 'Timestamp', 'UnixTime', 'Value')
        $p[0].Path | Should -Be $File
        $p[0].Timestamp | Should -BeOfType [DateTimeOffset]
        $p[0].Timestamp.Offset | Should -Be ([TimeSpan]::Zero)
        $p[0].Timestamp | Should -Be ([DateTimeOffset]::FromUnixTimeSeconds($p[0].UnixTime))
        $p | ForEach-Object { $_.Value | Should -BeOfType double }
        (($p | ConvertTo-Csv -NoTypeInformation)[0]) | Should -Be '"Path","Timestamp","UnixTime","Value"'
    }

    It 'defaults to the last 24 hours, as whisper-fetch does (every slot with -IncludeEmpty)' {
        $p = Get-WhisperSeries -LiteralPath $File -Now $Now -IncludeEmpty
        $p | Should -HaveCount 1440
        $p[0].UnixTime | Should -Be ($Now - 86400 - ($Now - 86400) % 60 + 60)
        $p[-1].UnixTime | Should -Be ($Now - $Now % 60)
        $p[-1].Value | Should -Be 0.25
        @($p | Where-Object { $null -ne $_.Value }).Count | Should -Be 180
    }

    It 'takes -From and -Until as relative, Unix and date values' {
        $a = Get-WhisperSeries -LiteralPath $File -Now $Now -From -1h -Until -30min
        $b = Get-WhisperSeries -LiteralPath $File -Now $Now -From ($Now - 3600) -Until ([datetimeoffset]::FromUnixTimeSeconds($Now - 1800))
        $a | Should -HaveCount 30
        ($a | ForEach-Object { "$($_.UnixTime)=$($_.Value)" }) | Should -Be ($b | ForEach-Object { "$($_.UnixTime)=$($_.Value)" })
        $a[0].Value | Should -Be 59.25
    }

    It 'stops with WhisperTimeIntervalInvalid when -From is after -Until' {
        { Get-WhisperSeries -LiteralPath $File -Now $Now -From -1h -Until -2h } |
            Should -Throw -ErrorId 'WhisperTimeIntervalInvalid,WhisperPS.Commands.GetWhisperSeriesCommand'
    }

    It 'picks the coarser archive for an older range, as whisper does' {
        $p = Get-WhisperSeries -LiteralPath $File -Now $Now -From -3d -IncludeEmpty
        ($p[1].UnixTime - $p[0].UnixTime) | Should -Be 300
    }

    It 'reads the archive given by -Archive' {
        $p = Get-WhisperSeries -LiteralPath $File -Now $Now -From -1d -Archive 0 -IncludeEmpty
        ($p[1].UnixTime - $p[0].UnixTime) | Should -Be 60
        $p | Should -HaveCount 1440
        $q = Get-WhisperSeries -LiteralPath $File -Now $Now -From -1h -Archive 1 -IncludeEmpty
        ($q[1].UnixTime - $q[0].UnixTime) | Should -Be 300
        $q | Should -HaveCount 12
    }

    It 'gives WhisperArchiveInvalid for an archive the file does not have' {
        Get-WhisperSeries -LiteralPath $File -Now $Now -Archive 2 -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -Be 'WhisperArchiveInvalid,WhisperPS.Commands.GetWhisperSeriesCommand'
        $err[0].TargetObject | Should -Be $File
    }

    It 'leaves out slots without a value by default, and with the old -SkipEmpty' {
        $p = Get-WhisperSeries -LiteralPath $File -Now $Now
        $p | Should -HaveCount 180
        $p | ForEach-Object { $_.Value | Should -Not -BeNullOrEmpty }
        (Get-WhisperSeries -LiteralPath $File -Now $Now -SkipEmpty | ForEach-Object UnixTime) | Should -Be ($p | ForEach-Object UnixTime)
    }

    It 'Measure-Object Value -Average averages the stored values, not empty slots as 0' {
        # 180 values 0.25 .. 179.25 among 1440 slots: the mean of the values is 89.75; counting the empty
        # slots as 0 (what the old default gave) would say 11.22.
        $m = Get-WhisperSeries -LiteralPath $File -Now $Now | Measure-Object Value -Average
        $m.Count | Should -Be 180
        $m.Average | Should -Be 89.75
    }

    It 'refuses -IncludeEmpty with -SkipEmpty as WhisperParameterConflict' {
        { Get-WhisperSeries -LiteralPath $File -Now $Now -IncludeEmpty -SkipEmpty } |
            Should -Throw -ErrorId 'WhisperParameterConflict,WhisperPS.Commands.GetWhisperSeriesCommand'
    }

    It 'returns nothing, without an error, for a range outside the retention' {
        Get-WhisperSeries -LiteralPath $File -Now $Now -From -90d -Until -60d -ErrorVariable err | Should -BeNullOrEmpty
        Get-WhisperSeries -LiteralPath $File -Now $Now -From '+1h' -Until '+2h' -ErrorVariable +err | Should -BeNullOrEmpty
        $err.Count | Should -Be 0
    }

    It 'streams several files one after another' {
        $copy = Join-Path $Dir 'load2.wsp'
        Copy-Item -LiteralPath $File $copy
        $p = Get-WhisperSeries -Path (Join-Path $Dir 'load*.wsp') -Now $Now -From -5min
        $p | Should -HaveCount 10
        $p.Path | Should -Be (@($File) * 5 + @($copy) * 5)
        Remove-Item -LiteralPath $copy
    }

    It 'stops cleanly under Select-Object -First' {
        $p = Get-WhisperSeries -LiteralPath $File -Now $Now -ErrorVariable err | Select-Object -First 2
        $p | Should -HaveCount 2
        $err.Count | Should -Be 0
    }

    It 'stops promptly when the pipeline is stopped (Ctrl+C)' {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript({
                param($Module, $File)
                Import-Module $Module
                while ($true) { Get-WhisperSeries -LiteralPath $File -From -30d -IncludeEmpty | ForEach-Object { Start-Sleep -Milliseconds 1 } }
            }).AddArgument((Get-WhisperModulePath)).AddArgument($File)
            $async = $ps.BeginInvoke()
            Start-Sleep -Milliseconds 1500
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $sw.Elapsed.TotalSeconds | Should -BeLessThan 5
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            $ps.Streams.Error.Count | Should -Be 0
        }
        finally { $ps.Dispose() }
    }
}
