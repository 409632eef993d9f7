BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-WhisperModulePath) -Force -ErrorAction Stop

    function Set-UInt32BE([byte[]] $Bytes, [int] $Offset, [uint32] $Value) {
        $Bytes[$Offset] = [byte](($Value -shr 24) -band 0xFF)
        $Bytes[$Offset + 1] = [byte](($Value -shr 16) -band 0xFF)
        $Bytes[$Offset + 2] = [byte](($Value -shr 8) -band 0xFF)
        $Bytes[$Offset + 3] = [byte]($Value -band 0xFF)
    }

    function Get-UInt32BE([byte[]] $Bytes, [int] $Offset) {
        return ([uint32]$Bytes[$Offset] -shl 24) -bor ([uint32]$Bytes[$Offset + 1] -shl 16) -bor ([uint32]$Bytes[$Offset + 2] -shl 8) -bor [uint32]$Bytes[$Offset + 3]
    }

    function Get-StressDll {
        # The Windows stage names its self-contained WhisperPS.Stress.exe; otherwise the solution's build
        # (build.ps1 Build), the newest of any configuration.
        if ($env:WHISPERPS_STRESS) { return $env:WHISPERPS_STRESS }
        $dll = Get-ChildItem -Path (Join-Path $PSScriptRoot '../WhisperPS.Stress/bin/*/net10.0/WhisperPS.Stress.dll') -ErrorAction SilentlyContinue |
            Sort-Object LastWriteTimeUtc -Descending | Select-Object -First 1
        if (-not $dll) { throw 'tests/WhisperPS.Stress is not built; run build.ps1 Build first' }
        return $dll.FullName
    }
}

Describe 'Reliability: damaged files through the cmdlets' {
    It 'ends each of 10000 mutated files (fewer with WHISPERPS_FUZZ_CASES) in correct output or one WhisperFileCorrupt error, and never changes the file' {
        # WHISPERPS_FUZZ_CASES: fewer cases where each is slow (the Windows stage under Wine runs 2000).
        $cases = if ($env:WHISPERPS_FUZZ_CASES) { [int] $env:WHISPERPS_FUZZ_CASES } else { 10000 }
        $seed = if ($env:WHISPERPS_FUZZ_SEED) { [int] $env:WHISPERPS_FUZZ_SEED } else { Get-Random -Minimum 0 -Maximum ([int]::MaxValue) }
        Write-Host "WHISPERPS_FUZZ_SEED=$seed"
        $rng = [Random]::new($seed)
        $dir = New-TestFolder
        $now = 1700000000
        $seeds = foreach ($layout in @(@('60:100'), @('1s:60', '1m:60', '1h:24'), @('10s:360', '1m:240', '10m:150'))) {
            $p = Join-Path $dir ('seed{0}.wsp' -f [guid]::NewGuid().ToString('N'))
            $null = New-WhisperFile -LiteralPath $p -Retention $layout -XFilesFactor 0
            $info = Get-WhisperInfo -LiteralPath $p
            $step = [math]::Max(1, [math]::Floor($info.MaxRetention / 300))
            $points = for ($t = $now - $info.MaxRetention + 1; $t -le $now; $t += $step) { [pscustomobject] @{ UnixTime = $t; Value = $t % 1000 + 0.25 } }
            $points | Add-WhisperPoint -LiteralPath $p -Now $now
            , [IO.File]::ReadAllBytes($p)
        }
        $interesting = [uint32[]] @(0, 1, 2, 12, 16, 28, 40, 60, 4096, 2147483647, 2147483648, 4294967295)
        $case = Join-Path $dir 'case.wsp'
        $failures = [Collections.Generic.List[string]]::new()
        $ok = 0; $corrupt = 0
        $sw = [Diagnostics.Stopwatch]::StartNew()
        for ($i = 0; $i -lt $cases; $i++) {
            $src = $seeds[$rng.Next($seeds.Count)]
            $b = [byte[]] $src.Clone()
            $headerSize = 16 + 12 * (Get-UInt32BE $src 12)
            switch ($rng.Next(7)) {
                0 { for ($k = 0; $k -lt 1 + $rng.Next(3); $k++) { $b[$rng.Next($headerSize)] = $b[$rng.Next($headerSize)] -bxor [byte](1 -shl $rng.Next(8)) } }
                1 { Set-UInt32BE $b (4 * $rng.Next($headerSize / 4)) $interesting[$rng.Next($interesting.Count)] }
                2 { Set-UInt32BE $b 12 $(if ($rng.Next(2)) { [uint32] $rng.Next() } else { $interesting[$rng.Next($interesting.Count)] }) }
                3 { $b = [byte[]] $b[0..([math]::Max(0, $rng.Next($b.Length) - 1))]; if ($rng.Next(20) -eq 0) { $b = [byte[]]::new(0) } }
                4 { $b = [byte[]]::new($rng.Next(1, 2048)); $rng.NextBytes($b) }
                5 { for ($k = 0; $k -lt 32; $k++) { $b[$headerSize + $rng.Next($b.Length - $headerSize)] = [byte] $rng.Next(256) } }
                6 { Set-UInt32BE $b (16 + 4 * $rng.Next(($headerSize - 16) / 4)) ([uint32] ($b.Length + $rng.Next(-2, 3))) }
            }
            [IO.File]::WriteAllBytes($case, $b)
            $context = "case $i (seed $seed, $($b.Length) bytes)"

            $info = Get-WhisperInfo -LiteralPath $case -ErrorVariable infoErrors -ErrorAction SilentlyContinue
            $points = @(Get-WhisperSeries -LiteralPath $case -From ($now - 86400) -Until $now -Now $now -IncludeEmpty -ErrorVariable seriesErrors -ErrorAction SilentlyContinue)
            if ($infoErrors.Count -gt 0) {
                $corrupt++
                if ($infoErrors.Count -ne 1 -or $infoErrors[0].FullyQualifiedErrorId -ne 'WhisperFileCorrupt,WhisperPS.Commands.GetWhisperInfoCommand' -or
                    $infoErrors[0].TargetObject -ne $case -or $infoErrors[0].CategoryInfo.Category -ne 'InvalidData' -or $info) {
                    $failures.Add("${context}: Get-WhisperInfo gave $($infoErrors | ForEach-Object { $_.FullyQualifiedErrorId + ': ' + $_ })")
                }
                if ($seriesErrors.Count -ne 1 -or $seriesErrors[0].FullyQualifiedErrorId -ne 'WhisperFileCorrupt,WhisperPS.Commands.GetWhisperSeriesCommand' -or $points.Count -ne 0) {
                    $failures.Add("${context}: Get-WhisperSeries on a corrupt file gave $($points.Count) points and $($seriesErrors | ForEach-Object { $_.FullyQualifiedErrorId })")
                }
            }
            else {
                $ok++
                if ($info.FileSize -ne $b.Length -or $info.ArchiveCount -ne (Get-UInt32BE $b 12) -or $info.Path -ne $case) {
                    $failures.Add("${context}: Get-WhisperInfo described the file wrongly: $($info.FileSize) bytes, $($info.ArchiveCount) archives")
                }
                if ($seriesErrors.Count -ne 0 -or $points.Count -eq 0 -or @($points | Where-Object { $_.Path -ne $case }).Count) {
                    $failures.Add("${context}: Get-WhisperSeries on a readable file gave $($points.Count) points and errors $($seriesErrors | ForEach-Object { $_.FullyQualifiedErrorId })")
                }
            }
            if (-not [Linq.Enumerable]::SequenceEqual($b, [IO.File]::ReadAllBytes($case))) { $failures.Add("${context}: a read changed the file") }
        }
        Write-Host "$cases mutated files: $ok readable, $corrupt WhisperFileCorrupt, $($sw.ElapsedMilliseconds) ms"
        $failures | Select-Object -First 10 | Should -BeNullOrEmpty
        $ok | Should -BeGreaterThan ($cases / 100)
        $corrupt | Should -BeGreaterThan ($cases * 6 / 100)
    }
}

Describe 'Reliability: bad arguments are refused before any file is touched' {
    BeforeEach {
        $dir = New-TestFolder
        $file = (New-WhisperFile -LiteralPath (Join-Path $dir 'a.wsp') -Retention '1s:1h', '1m:1d').Path
        Add-WhisperPoint -LiteralPath $file -Value 1 -Timestamp ([DateTimeOffset]::UtcNow.ToUnixTimeSeconds() - 10)
        $hash = Get-FileSha256 $file
        $new = Join-Path $dir 'new.wsp'
    }
    AfterEach {
        Get-FileSha256 $file | Should -Be $hash
        Test-Path -LiteralPath $new | Should -BeFalse
        @(Get-ChildItem -LiteralPath $dir -Force).Name | Should -Be @('a.wsp')
    }

    It 'refuses retention <Retention> with a message saying what is wrong' -TestCases @(
        @{ Retention = @('bogus'); Text = 'precision:retention' }
        @{ Retention = @('10x:1d'); Text = 'Invalid' }
        @{ Retention = @('0s:1d'); Text = 'at least 1 second' }
        @{ Retention = @('1s:1h', '1s:2h'); Text = 'same precision' }
        @{ Retention = @('7s:1h', '10s:2h'); Text = 'evenly' }
        @{ Retention = @('1m:1h', '1h:30m'); Text = 'retention' }
    ) {
        { New-WhisperFile -LiteralPath $new -Retention $Retention -ErrorAction Stop } |
            Should -Throw -ErrorId 'WhisperRetentionInvalid,WhisperPS.Commands.NewWhisperFileCommand' -ExpectedMessage "*$Text*"
    }

    It 'refuses xFilesFactor <Xff> on New-WhisperFile and Set-WhisperAggregation' -TestCases @(
        @{ Xff = 1.5 }, @{ Xff = -0.1 }, @{ Xff = [double]::NaN }, @{ Xff = [double]::PositiveInfinity }
    ) {
        { New-WhisperFile -LiteralPath $new -Retention '1s:1h' -XFilesFactor $Xff } | Should -Throw -ErrorId 'ParameterArgumentValidationError*' -ExpectedMessage '*XFilesFactor*'
        { Set-WhisperAggregation -LiteralPath $file -XFilesFactor $Xff } | Should -Throw -ErrorId 'ParameterArgumentValidationError*' -ExpectedMessage '*XFilesFactor*'
    }

    It 'refuses an unknown aggregation method and lists the valid ones' {
        { New-WhisperFile -LiteralPath $new -Retention '1s:1h' -AggregationMethod median } | Should -Throw -ExpectedMessage '*avg_zero*'
        { Set-WhisperAggregation -LiteralPath $file -AggregationMethod median } | Should -Throw -ExpectedMessage '*Average*'
    }

    It 'refuses -From after -Until on Get-WhisperSeries and Merge-WhisperFile' {
        { Get-WhisperSeries -LiteralPath $file -From 1700000100 -Until 1700000000 } |
            Should -Throw -ErrorId 'WhisperTimeIntervalInvalid,WhisperPS.Commands.GetWhisperSeriesCommand' -ExpectedMessage '*after*'
        $source = Join-Path ([IO.Path]::GetTempPath()) ("src-" + [guid]::NewGuid().ToString('N') + '.wsp')
        try {
            $null = New-WhisperFile -LiteralPath $source -Retention '1s:1h', '1m:1d'
            { Merge-WhisperFile -LiteralPath $source -Destination $file -From 1700000100 -Until 1700000000 -ErrorAction Stop } |
                Should -Throw -ErrorId 'WhisperTimeIntervalInvalid*'
        }
        finally { Remove-Item -LiteralPath $source -Force -ErrorAction SilentlyContinue }
    }

    It 'refuses timestamp <Timestamp> (outside 1970..2106) with WhisperTimestampInvalid' -TestCases @(
        @{ Timestamp = -1 }, @{ Timestamp = 4294967296 }, @{ Timestamp = '1969-12-31T23:59:59Z' }, @{ Timestamp = '2106-02-07T06:28:16Z' }
    ) {
        Add-WhisperPoint -LiteralPath $file -Value 1 -Timestamp $Timestamp -ErrorVariable e -ErrorAction SilentlyContinue
        $e | Should -HaveCount 1
        $e[0].FullyQualifiedErrorId | Should -Be 'WhisperTimestampInvalid,WhisperPS.Commands.AddWhisperPointCommand'
        $e[0].Exception.Message | Should -Match '1970|2106'
    }

    It 'refuses a value that is not a number with WhisperValueInvalid' {
        Add-WhisperPoint -LiteralPath $file -Value 'twelve' -ErrorVariable e -ErrorAction SilentlyContinue
        $e | Should -HaveCount 1
        $e[0].FullyQualifiedErrorId | Should -Be 'WhisperValueInvalid,WhisperPS.Commands.AddWhisperPointCommand'
        $e[0].Exception.Message | Should -BeLike "*'twelve'*not a number*"
    }
}

Describe 'Reliability: runspaces and processes writing one file at once' {
    It 'loses no point when 4 runspaces and 2 writer processes add 6000 points concurrently' {
        $dir = New-TestFolder
        $file = (New-WhisperFile -LiteralPath (Join-Path $dir 'shared.wsp') -Retention '1s:1d', '1m:7d' -XFilesFactor 0).Path
        $t0 = [long] [math]::Floor(([DateTimeOffset]::UtcNow.ToUnixTimeSeconds() - 6 * 3600) / 60) * 60
        $owners = 6; $perOwner = 1000
        $dotnet = if ($env:DOTNET_HOST_PATH -and (Test-Path $env:DOTNET_HOST_PATH)) { $env:DOTNET_HOST_PATH } else { 'dotnet' }
        $stress = Get-StressDll
        $seed = Get-Random -Minimum 0 -Maximum 1000000
        Write-Host "t0 $t0, seed $seed"

        $procs = foreach ($k in 4, 5) {
            # An .exe starts by itself, a .dll through the dotnet host.
            $psi = if ($stress -like '*.exe') { [Diagnostics.ProcessStartInfo]::new($stress) } else { [Diagnostics.ProcessStartInfo]::new($dotnet) }
            foreach ($a in @(@($stress) -notlike '*.exe') + @('write', $file, [string]($t0 + $k), [string]$perOwner, [string]$owners, '40', [string]($seed + $k), 'mixed')) { $psi.ArgumentList.Add($a) }
            $psi.UseShellExecute = $false; $psi.RedirectStandardError = $true; $psi.RedirectStandardOutput = $true
            [Diagnostics.Process]::Start($psi)
        }
        $pool = [runspacefactory]::CreateRunspacePool(1, 4)
        $pool.Open()
        $module = Get-WhisperModulePath
        $jobs = foreach ($k in 0..3) {
            $ps = [powershell]::Create()
            $ps.RunspacePool = $pool
            $null = $ps.AddScript({
                    param($Module, $File, $First, $Count, $Stride, $Seed)
                    Import-Module $Module
                    $rng = [Random]::new($Seed)
                    $i = 0
                    while ($i -lt $Count) {
                        $n = [math]::Min($Count - $i, 1 + $rng.Next(40))
                        $batch = for ($j = $i; $j -lt $i + $n; $j++) { $t = $First + $j * $Stride; [pscustomobject] @{ UnixTime = $t; Value = $t + 0.5 } }
                        $batch | Add-WhisperPoint -LiteralPath $File -BatchSize (1 + $rng.Next(10)) -ErrorAction Stop
                        $i += $n
                    }
                }).AddParameters(@{ Module = $module; File = $file; First = $t0 + $k; Count = $perOwner; Stride = $owners; Seed = $seed + $k })
            [pscustomobject] @{ PS = $ps; Handle = $ps.BeginInvoke() }
        }
        try {
            foreach ($j in $jobs) {
                $j.PS.EndInvoke($j.Handle)
                $j.PS.HadErrors | Should -BeFalse
            }
            foreach ($p in $procs) {
                $p.WaitForExit(120000) | Should -BeTrue
                $p.ExitCode | Should -Be 0 -Because $p.StandardError.ReadToEnd()
            }
        }
        finally {
            foreach ($j in $jobs) { $j.PS.Dispose() }
            $pool.Dispose()
            foreach ($p in $procs) { if (-not $p.HasExited) { $p.Kill($true) } }
        }

        $total = $owners * $perOwner
        $series = Get-WhisperSeries -LiteralPath $file -From ($t0 - 1) -Until ($t0 + $total - 1) -Archive 0
        $series | Should -HaveCount $total
        $wrong = @($series | Where-Object { $_.Value -ne $_.UnixTime + 0.5 })
        $wrong.Count | Should -Be 0 -Because "lost points, e.g. $($wrong | Select-Object -First 5 | ForEach-Object { "$($_.UnixTime)=$($_.Value)" })"
        # Every full minute's rollup was written last by whoever wrote its last point, having seen all 60.
        $minutes = Get-WhisperSeries -LiteralPath $file -From ($t0 - 60) -Until ($t0 + $total - 60) -Archive 1
        $minutes | Should -HaveCount ($total / 60)
        @($minutes | Where-Object { $_.Value -ne $_.UnixTime + 30 }).Count | Should -Be 0
    }
}
