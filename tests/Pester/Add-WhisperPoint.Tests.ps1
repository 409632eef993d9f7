BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-WhisperModulePath) -Force -ErrorAction Stop
    $script:Now = 1767323045   # 2026-01-02T03:04:05Z
    function Read-Slots([string] $Path, [int] $Archive = 0) {
        # Every stored slot of an archive, straight from the bytes: UnixTime -> value bits.
        $info = Get-WhisperInfo -LiteralPath $Path
        $a = $info.Archives[$Archive]
        $bytes = [IO.File]::ReadAllBytes($Path)
        $map = @{}
        for ($i = 0; $i -lt $a.Points; $i++) {
            $o = $a.Offset + 12 * $i
            $t = ([long]$bytes[$o] -shl 24) -bor ([long]$bytes[$o + 1] -shl 16) -bor ([long]$bytes[$o + 2] -shl 8) -bor [long]$bytes[$o + 3]
            if ($t -eq 0) { continue }
            $bits = [BitConverter]::ToString($bytes, $o + 4, 8).Replace('-', '')
            $map[$t] = $bits
        }
        $map
    }
    function Bits([double] $d) { '{0:X16}' -f [BitConverter]::DoubleToInt64Bits($d) }
}

Describe 'Add-WhisperPoint' {
    BeforeEach {
        $dir = New-TestFolder
        $file = (New-WhisperFile (Join-Path $dir 'cpu.wsp') '10s:1h', '1m:1d').Path
    }

    It 'writes one point from -Value and -Timestamp, snapped to the finest step' {
        Add-WhisperPoint -Path $file -Value 42.5 -Timestamp ($Now - 7) -Now $Now | Should -BeNullOrEmpty
        $slots = Read-Slots $file
        $slots.Count | Should -Be 1
        $slots[[long]($Now - 7 - (($Now - 7) % 10))] | Should -Be (Bits 42.5)
    }

    It 'uses now when there is no timestamp' {
        Add-WhisperPoint -LiteralPath $file -Value 1 -Now $Now
        (Read-Slots $file).Keys | Should -Be ([long]($Now - $Now % 10))
    }

    It 'reads the timestamp form <Form>' -ForEach @(
        @{ Form = 'Unix int'; Time = 1767322985 }
        @{ Form = 'Unix double (truncated)'; Time = 1767322985.9 }
        @{ Form = 'numeric string'; Time = '1767322985' }
        @{ Form = 'UTC DateTime'; Time = [datetime]::new(2026, 1, 2, 3, 3, 5, [DateTimeKind]::Utc) }
        @{ Form = 'DateTimeOffset'; Time = [datetimeoffset]::new(2026, 1, 2, 4, 3, 5, [timespan]::FromHours(1)) }
        @{ Form = 'ISO 8601 string with Z'; Time = '2026-01-02T03:03:05Z' }
        @{ Form = 'ISO 8601 string with offset'; Time = '2026-01-02T01:03:05-02:00' }
        @{ Form = 'relative -60s'; Time = '-60s' }
        @{ Form = 'relative -1min'; Time = '-1min' }
        @{ Form = 'now-1m'; Time = 'now-1m' }
    ) {
        Add-WhisperPoint -LiteralPath $file -Value 3 -Timestamp $Time -Now $Now
        (Read-Slots $file).Keys | Should -Be ([long]1767322980)
    }

    It 'reads local DateTime as local time, like Get-Date' {
        $local = [DateTimeOffset]::FromUnixTimeSeconds(1767322985).LocalDateTime
        $local.Kind | Should -Be 'Local'
        Add-WhisperPoint -LiteralPath $file -Value 3 -Timestamp $local -Now $Now
        (Read-Slots $file).Keys | Should -Be ([long]1767322980)
    }

    It 'refuses a -Timestamp it cannot read before touching the file' {
        $before = Get-FileSha256 $file
        { Add-WhisperPoint -LiteralPath $file -Value 1 -Timestamp 'yesterday-ish' } |
            Should -Throw -ErrorId 'WhisperTimestampInvalid,WhisperPS.Commands.AddWhisperPointCommand'
        Get-FileSha256 $file | Should -Be $before
    }

    It 'reports a piped time it cannot read as WhisperTimestampInvalid and stores the other points' {
        $in = [pscustomobject] @{ Timestamp = 'yesterday-ish'; Value = 1 }, [pscustomobject] @{ Timestamp = $Now - 10; Value = 2 }
        $in | Add-WhisperPoint -LiteralPath $file -Now $Now -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'WhisperTimestampInvalid,WhisperPS.Commands.AddWhisperPointCommand'
        $err[0].Exception.Message | Should -Match 'yesterday-ish'
        (Read-Slots $file).Keys | Should -Be ([long]1767323030)
    }

    It 'uses UnixTime when the Timestamp text is from another culture (de-DE CSV read under en-US)' {
        # Day-first dates after the 12th cannot be read as month-first; the exact UnixTime column must win.
        $csv = @('"Path","Timestamp","UnixTime","Value"',
                 '"x","25.12.2025 03:04:05","1767323035","4.5"',
                 '"x","31.12.2025 03:04:15","1767323045","5"')
        $csv | ConvertFrom-Csv | Add-WhisperPoint -LiteralPath $file -Now $Now -ErrorVariable err
        $err.Count | Should -Be 0
        $slots = Read-Slots $file
        $slots[[long]1767323030] | Should -Be (Bits 4.5)
        $slots[[long]1767323040] | Should -Be (Bits 5)
    }

    It 'takes piped objects with Timestamp and Value, in one update_many' {
        $points = 0..29 | ForEach-Object { [pscustomobject] @{ Timestamp = $Now - 10 * $_; Value = $_ } }
        $verbose = $points | Add-WhisperPoint -LiteralPath $file -Now $Now -Verbose 4>&1
        @($verbose | Where-Object { "$_" -match 'wrote 30 point\(s\) in one update_many' }).Count | Should -Be 1
        $slots = Read-Slots $file
        $slots.Count | Should -Be 30
        $slots[[long]($Now - $Now % 10 - 290)] | Should -Be (Bits 29)
    }

    It 'accepts the aliases Time and UnixTime' {
        [pscustomobject] @{ Time = $Now - 100; Value = 1 }, [pscustomobject] @{ UnixTime = $Now - 200; Value = 2 } |
            Add-WhisperPoint -LiteralPath $file -Now $Now
        (Read-Slots $file).Keys | Sort-Object | Should -Be @([long]1767322840, [long]1767322940)
    }

    It 'writes every point of the call in one update_many, whatever -BatchSize says' {
        $verbose = 0..49 | ForEach-Object { [pscustomobject] @{ Timestamp = $Now - 10 * $_; Value = $_ } } |
            Add-WhisperPoint -LiteralPath $file -Now $Now -BatchSize 7 -Verbose 4>&1
        @($verbose | Where-Object { "$_" -match "wrote 50 point\(s\) in one update_many" }).Count | Should -Be 1
        (Read-Slots $file).Count | Should -Be 50
    }

    It 'reads value strings the way Python float() does: <Text>' -ForEach @(
        @{ Text = '1.5'; Bits = '3FF8000000000000' }
        @{ Text = ' -2e3 '; Bits = 'C09F400000000000' }
        @{ Text = 'nan'; Bits = '7FF8000000000000' }
        @{ Text = 'NaN'; Bits = '7FF8000000000000' }
        @{ Text = 'inf'; Bits = '7FF0000000000000' }
        @{ Text = '-Infinity'; Bits = 'FFF0000000000000' }
    ) {
        Add-WhisperPoint -LiteralPath $file -Value $Text -Timestamp $Now -Now $Now
        (Read-Slots $file).Values | Should -Be $Bits
    }

    It 'writes a .NET NaN as Python''s NaN' {
        Add-WhisperPoint -LiteralPath $file -Value ([double]::NaN) -Timestamp $Now -Now $Now
        (Read-Slots $file).Values | Should -Be '7FF8000000000000'
    }

    It 'skips gaps (null or empty Value) without an error' {
        $in = [pscustomobject] @{ Timestamp = $Now - 10; Value = '' }, [pscustomobject] @{ Timestamp = $Now - 20; Value = $null },
              [pscustomobject] @{ Timestamp = $Now - 30; Value = '7' }
        $in | Add-WhisperPoint -LiteralPath $file -Now $Now -ErrorVariable err
        $err.Count | Should -Be 0
        (Read-Slots $file).Keys | Should -Be ([long]1767323010)
    }

    It 'reports a non-numeric value as WhisperValueInvalid and stores the rest' {
        $in = [pscustomobject] @{ Timestamp = $Now - 10; Value = 'abc' }, [pscustomobject] @{ Timestamp = $Now - 20; Value = '1,000.5' },
              [pscustomobject] @{ Timestamp = $Now - 30; Value = 7 }
        $in | Add-WhisperPoint -LiteralPath $file -Now $Now -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 2
        $err | ForEach-Object { $_.FullyQualifiedErrorId | Should -Be 'WhisperValueInvalid,WhisperPS.Commands.AddWhisperPointCommand' }
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err[0].TargetObject.Value | Should -Be 'abc'
        (Read-Slots $file).Keys | Should -Be ([long]1767323010)
    }

    It 'reports an object without a Value property' {
        [pscustomobject] @{ Timestamp = $Now; Reading = 5 } | Add-WhisperPoint -LiteralPath $file -Now $Now -ErrorVariable err -ErrorAction SilentlyContinue
        $err.FullyQualifiedErrorId | Should -Be 'WhisperValueInvalid,WhisperPS.Commands.AddWhisperPointCommand'
        (Read-Slots $file).Count | Should -Be 0
    }

    It 'reports timestamps before 1970 and after 2106 as WhisperTimestampInvalid' {
        $in = [pscustomobject] @{ Timestamp = '1969-12-31T23:59:59Z'; Value = 1 }, [pscustomobject] @{ Timestamp = 4294967296; Value = 2 },
              [pscustomobject] @{ Timestamp = $Now; Value = 3 }
        $in | Add-WhisperPoint -LiteralPath $file -Now $Now -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 2
        $err | ForEach-Object { $_.FullyQualifiedErrorId | Should -Be 'WhisperTimestampInvalid,WhisperPS.Commands.AddWhisperPointCommand' }
        (Read-Slots $file).Count | Should -Be 1
    }

    It 'reports each point older than the retention as WhisperPointNotCovered, never dropping it silently' {
        $in = [pscustomobject] @{ Timestamp = $Now - 86400 - 60; Value = 1 }, [pscustomobject] @{ Timestamp = $Now - 90000; Value = 2 },
              [pscustomobject] @{ Timestamp = $Now - 5; Value = 3 }
        $in | Add-WhisperPoint -LiteralPath $file -Now $Now -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 2
        $err | ForEach-Object {
            $_.FullyQualifiedErrorId | Should -Be 'WhisperPointNotCovered,WhisperPS.Commands.AddWhisperPointCommand'
            $_.CategoryInfo.Category | Should -Be 'InvalidData'
            $_.TargetObject | Should -BeOfType WhisperPS.WhisperPoint
        }
        @($err.TargetObject.UnixTime | Sort-Object) | Should -Be @([long]($Now - 90000), [long]($Now - 86460))
        (Read-Slots $file).Count | Should -Be 1
    }

    It 'never lets a piped point''s Path redirect the write' {
        $other = (New-WhisperFile (Join-Path $dir 'other.wsp') '10s:1h', '1m:1d').Path
        Add-WhisperPoint -LiteralPath $file -Value 9 -Timestamp ($Now - 30) -Now $Now
        $before = Get-FileSha256 $file
        Get-WhisperSeries -LiteralPath $file -From -5min -Now $Now -SkipEmpty | Add-WhisperPoint -LiteralPath $other -Now $Now
        Get-FileSha256 $file | Should -Be $before
        (Read-Slots $other).Values | Should -Be (Bits 9)
    }

    It 'prefers a piped UnixTime over Timestamp (exact after a CSV round trip)' {
        [pscustomobject] @{ Timestamp = '01/01/2026 00:00:00'; UnixTime = '1767322985'; Value = '2' } |
            Add-WhisperPoint -LiteralPath $file -Now $Now
        (Read-Slots $file).Keys | Should -Be ([long]1767322980)
    }

    It 'writes to several files, and -PassThru outputs each file''s info' {
        $b = (New-WhisperFile (Join-Path $dir 'b.wsp') '10s:1h', '1m:1d').Path
        $out = Add-WhisperPoint -Path (Join-Path $dir '*.wsp') -Value 4 -Timestamp $Now -Now $Now -PassThru
        $out | Should -HaveCount 2
        $out[0] | Should -BeOfType WhisperPS.WhisperInfo
        (Read-Slots $file).Count | Should -Be 1
        (Read-Slots $b).Count | Should -Be 1
    }

    It '-WhatIf changes no byte' {
        $before = Get-FileSha256 $file
        0..9 | ForEach-Object { [pscustomobject] @{ Timestamp = $Now - 10 * $_; Value = $_ } } | Add-WhisperPoint -LiteralPath $file -Now $Now -WhatIf
        Add-WhisperPoint -LiteralPath $file -Value 1 -WhatIf
        Get-FileSha256 $file | Should -Be $before
    }

    It 'gives a missing target WhisperFileNotFound and a corrupt one a single WhisperFileCorrupt' {
        $bad = Join-Path $dir 'bad.wsp'
        [IO.File]::WriteAllBytes($bad, [byte[]](0, 0, 0, 9) * 10)
        0..4 | ForEach-Object { [pscustomobject] @{ Timestamp = $Now - 10 * $_; Value = $_ } } |
            Add-WhisperPoint -LiteralPath $bad, (Join-Path $dir 'missing.wsp'), $file -Now $Now -BatchSize 1 -ErrorVariable err -ErrorAction SilentlyContinue
        $err.FullyQualifiedErrorId | Sort-Object | Should -Be @(
            'WhisperFileCorrupt,WhisperPS.Commands.AddWhisperPointCommand',
            'WhisperFileNotFound,WhisperPS.Commands.AddWhisperPointCommand')
        ($err | Where-Object FullyQualifiedErrorId -like 'WhisperFileCorrupt*').TargetObject | Should -Be $bad
        (Read-Slots $file).Count | Should -Be 5
    }
}
