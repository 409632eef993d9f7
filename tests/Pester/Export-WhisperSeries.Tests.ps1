# Export-WhisperSeries against the pipeline it replaces: its Csv must be the bytes Get-WhisperSeries | Export-Csv
# writes with the same options, in several cultures, on random trees (seeds printed); JsonLines must read back
# exactly; Wide must equal a table built from Get-WhisperSeries here.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-WhisperModulePath) -Force -ErrorAction Stop
    $script:Now = 1796133630   # 2026-12-01T14:00:30Z: not on a minute, so ranges start mid-slot

    # A random tree: files in nested folders (names with spaces, a comma and a double quote), random schemas,
    # random values (integers, fractions, tiny and huge magnitudes, negative zero, NaN, infinities) and gaps.
    function New-RandomTree([int] $Seed, [string] $Root, [int] $Files = 8) {
        $rng = [Random]::new($Seed)
        $schemas = @(@('10s:6h', '1m:1d'), @('1m:1d', '10m:30d'), @('1m:2d'))
        # (Windows allows no double quote in a file name: there the name has single quotes.)
        $names = @('cpu/user.wsp', 'cpu/sys tem.wsp', 'disk/free,sda.wsp', $(if ($IsWindows) { "disk/say 'hi'.wsp" } else { 'disk/say "hi".wsp' }), 'net/rx.wsp', 'net/tx.wsp', 'mem/used.wsp', 'load/1.wsp', 'load/5.wsp', 'load/15.wsp')
        $paths = for ($i = 0; $i -lt $Files; $i++) {
            $p = Join-Path $Root ("host$($rng.Next(3))/" + $names[$i % $names.Count])
            if (Test-Path -LiteralPath $p) { continue }
            $null = New-Item -ItemType Directory -Force (Split-Path $p)
            $schema = $schemas[$rng.Next($schemas.Count)]
            $null = New-WhisperFile -LiteralPath $p -Retention $schema -XFilesFactor 0
            $step = if ($schema[0] -like '10s*') { 10 } else { 60 }
            $points = for ($t = $Now - 7200; $t -le $Now; $t += $step) {
                if ($rng.NextDouble() -lt 0.3) { continue }
                $v = switch ($rng.Next(9)) {
                    0 { [double] $rng.Next(-1000, 1000) }
                    1 { [Math]::Round($rng.NextDouble() * 100, 2) }
                    2 { $rng.NextDouble() * 1e-300 }
                    3 { ($rng.NextDouble() - 0.5) * 1e300 }
                    4 { -0.0 }
                    5 { if ($rng.Next(20) -eq 0) { [double]::NaN } else { 1.5 } }
                    6 { if ($rng.Next(30) -eq 0) { [double]::PositiveInfinity } else { 1e15 } }
                    default { $rng.NextDouble() * 1e6 - 5e5 }
                }
                [pscustomobject] @{ UnixTime = $t; Value = $v }
            }
            $points | Add-WhisperPoint -LiteralPath $p -Now $Now
            $p
        }
        $paths
    }

    function Invoke-InCulture([string] $Culture, [scriptblock] $Block) {
        $old = [Globalization.CultureInfo]::CurrentCulture
        [Globalization.CultureInfo]::CurrentCulture = [Globalization.CultureInfo]::GetCultureInfo($Culture)
        try { & $Block } finally { [Globalization.CultureInfo]::CurrentCulture = $old }
    }

    function Get-Bytes([string] $Path) { [Convert]::ToBase64String([IO.File]::ReadAllBytes($Path)) }

    # Runs an export in a runspace of its own and stops it, as Ctrl+C does, once its output has grown past $Bytes;
    # returns the output's lines after checking that it ends with a line break.
    function Stop-GrowingExport([scriptblock] $Script, [object[]] $Arguments, [string] $Out, [long] $Bytes) {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript($Script).AddArgument((Get-WhisperModulePath))
            foreach ($a in $Arguments) { $null = $ps.AddArgument($a) }
            $async = $ps.BeginInvoke()
            $deadline = [DateTime]::UtcNow.AddSeconds(120)
            while (-not (Test-Path $Out) -or (Get-Item $Out).Length -lt $Bytes) {
                if ([DateTime]::UtcNow -gt $deadline -or $async.IsCompleted) { throw 'the export did not get going' }
                Start-Sleep -Milliseconds 50
            }
            $ps.Stop()
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
        }
        finally { $ps.Dispose() }
        $text = [IO.File]::ReadAllText($Out)
        $text.EndsWith("`n") | Should -BeTrue
        $text.TrimEnd("`n").Split("`n")
    }

    # The wide table as the help defines it, built from Get-WhisperSeries (same-step files only).
    function Get-WideReference([string[]] $Paths, [string[]] $Names, [hashtable] $Range, [string] $Delimiter = ',') {
        $byTime = [Collections.Generic.SortedDictionary[long, object]]::new()
        for ($i = 0; $i -lt $Paths.Count; $i++) {
            foreach ($p in Get-WhisperSeries -LiteralPath $Paths[$i] @Range) {
                if (-not $byTime.ContainsKey($p.UnixTime)) { $byTime[$p.UnixTime] = @{} }
                $byTime[$p.UnixTime][$i] = $p.Value
            }
        }
        $q = { param($s) '"' + ([string] $s).Replace('"', '""') + '"' }
        $lines = [Collections.Generic.List[string]]::new()
        $lines.Add(((@('Timestamp', 'UnixTime') + $Names) | ForEach-Object { & $q $_ }) -join $Delimiter)
        foreach ($t in $byTime.Keys) {
            $cells = @((& $q ([DateTimeOffset]::FromUnixTimeSeconds($t).ToString())), (& $q $t.ToString()))
            for ($i = 0; $i -lt $Paths.Count; $i++) {
                $cells += if ($byTime[$t].ContainsKey($i) -and $null -ne $byTime[$t][$i]) { & $q $byTime[$t][$i].ToString() } else { '' }
            }
            $lines.Add($cells -join $Delimiter)
        }
        $lines
    }
}

Describe 'Export-WhisperSeries -Format Csv is what Get-WhisperSeries | Export-Csv writes' {
    It 'matches byte for byte on random trees in <Culture> (<Options>)' -ForEach @(
        @{ Culture = 'en-US'; Options = 'defaults'; Gws = @{}; Csv = @{} }
        @{ Culture = 'de-DE'; Options = 'defaults'; Gws = @{}; Csv = @{} }
        @{ Culture = 'ja-JP'; Options = 'defaults'; Gws = @{}; Csv = @{} }
        @{ Culture = 'de-DE'; Options = '-UseCulture -IncludeEmpty'; Gws = @{ IncludeEmpty = $true }; Csv = @{ UseCulture = $true } }
        @{ Culture = 'en-US'; Options = '-Delimiter ; -UseQuotes AsNeeded'; Gws = @{}; Csv = @{ Delimiter = ';'; UseQuotes = 'AsNeeded' } }
        @{ Culture = 'ja-JP'; Options = '-UseQuotes Never -NoHeader -Encoding unicode'; Gws = @{}; Csv = @{ UseQuotes = 'Never'; NoHeader = $true; Encoding = 'unicode' } }
        @{ Culture = 'de-DE'; Options = '-Encoding utf8BOM -Archive 1'; Gws = @{ Archive = 1; ErrorAction = 'SilentlyContinue' }; Csv = @{ Encoding = 'utf8BOM' } }
    ) {
        foreach ($round in 1..2) {
            $seed = [Environment]::TickCount -band 0x7fffffff
            Write-Host "    seed $seed ($Culture, $Options, round $round)"
            $dir = New-TestFolder
            $paths = @(New-RandomTree -Seed $seed -Root $dir)
            $rng = [Random]::new($seed)
            $range = @{ From = $Now - $rng.Next(60, 7300); Until = $Now - $rng.Next(0, 50); Now = $Now }
            Invoke-InCulture $Culture {
                Get-ChildItem $dir -Recurse -Filter *.wsp | Get-WhisperSeries @range @Gws | Export-Csv (Join-Path $dir 'pipe.csv') -NoTypeInformation @Csv
                Get-ChildItem $dir -Recurse -Filter *.wsp | Export-WhisperSeries (Join-Path $dir 'ours.csv') @range @Gws @Csv
            }
            (Get-Item (Join-Path $dir 'pipe.csv')).Length | Should -BeGreaterThan 100
            Get-Bytes (Join-Path $dir 'ours.csv') | Should -Be (Get-Bytes (Join-Path $dir 'pipe.csv')) -Because "seed $seed"
        }
    }

    It 'writes the Timestamp with its zone and the value in the culture (de-DE: comma decimals)' {
        $dir = New-TestFolder
        $f = Join-Path $dir 'a.wsp'
        $null = New-WhisperFile -LiteralPath $f -Retention '1m:1d'
        Add-WhisperPoint -LiteralPath $f -Timestamp ($Now - 60) -Value 1.5 -Now $Now
        Invoke-InCulture 'de-DE' { Export-WhisperSeries (Join-Path $dir 'o.csv') -InputPath $f -From -5min -Now $Now }
        $line = (Get-Content (Join-Path $dir 'o.csv'))[1]
        $line | Should -Be ('"{0}","01.12.2026 13:59:00 +00:00","1796133540","1,5"' -f $f)
    }

    It 'appends as Export-Csv -Append does: no second header, the file''s column order, its encoding' {
        $dir = New-TestFolder
        $paths = @(New-RandomTree -Seed 17 -Root $dir -Files 4)
        $a = Join-Path $dir 'a.csv'; $b = Join-Path $dir 'b.csv'
        # An existing file with its own column order and a BOM, then two appends.
        Set-Content -LiteralPath $a -Value '"UnixTime","Value","Path"' -Encoding utf8BOM
        Copy-Item $a $b
        foreach ($range in @(@{ From = $Now - 3600; Until = $Now - 1800; Now = $Now }, @{ From = $Now - 1800; Now = $Now })) {
            Get-WhisperSeries -LiteralPath $paths @range | Export-Csv $a -Append
            Export-WhisperSeries $b -LiteralInputPath $paths @range -Append
        }
        (Get-Content $b).Count | Should -BeGreaterThan 10
        Get-Bytes $b | Should -Be (Get-Bytes $a)
    }

    It 'refuses to append to a file with a column the points do not have, unless -Force (then as Export-Csv -Force)' {
        $dir = New-TestFolder
        $paths = @(New-RandomTree -Seed 5 -Root $dir -Files 2)
        $a = Join-Path $dir 'a.csv'; $b = Join-Path $dir 'b.csv'
        Set-Content -LiteralPath $a -Value '"Path","Host","Value"'
        Copy-Item $a $b
        { Export-WhisperSeries $b -LiteralInputPath $paths -From -1h -Now $Now -Append } |
            Should -Throw -ErrorId 'WhisperExportColumnsMismatch,WhisperPS.Commands.ExportWhisperSeriesCommand'
        Get-Bytes $b | Should -Be (Get-Bytes $a)
        Get-WhisperSeries -LiteralPath $paths -From -1h -Now $Now | Export-Csv $a -Append -Force
        Export-WhisperSeries $b -LiteralInputPath $paths -From -1h -Now $Now -Append -Force
        Get-Bytes $b | Should -Be (Get-Bytes $a)
    }

    It 'writes an empty file when there is nothing to export, as Export-Csv does' {
        $dir = New-TestFolder
        $f = Join-Path $dir 'empty.wsp'
        $null = New-WhisperFile -LiteralPath $f -Retention '1m:1d'
        Export-WhisperSeries (Join-Path $dir 'o.csv') -InputPath $f -Now $Now
        (Get-Item (Join-Path $dir 'o.csv')).Length | Should -Be 0
    }

    It 'reports a bad input file with its ErrorId and target, and exports the rest' {
        $dir = New-TestFolder
        $paths = @(New-RandomTree -Seed 23 -Root $dir -Files 3)
        $bad = Join-Path $dir 'host0/bad.wsp'
        $null = New-Item -ItemType Directory -Force (Split-Path $bad)
        [IO.File]::WriteAllBytes($bad, [byte[]] (1..7))
        $inputs = @($paths[0], $bad, (Join-Path $dir 'missing.wsp')) + $paths[1..($paths.Count - 1)]
        Get-WhisperSeries -LiteralPath $inputs -From -2h -Now $Now -ErrorAction SilentlyContinue | Export-Csv (Join-Path $dir 'pipe.csv')
        Export-WhisperSeries (Join-Path $dir 'ours.csv') -LiteralInputPath $inputs -From -2h -Now $Now -ErrorVariable err -ErrorAction SilentlyContinue
        $err | Should -HaveCount 2
        $corrupt = @($err | Where-Object FullyQualifiedErrorId -eq 'WhisperFileCorrupt,WhisperPS.Commands.ExportWhisperSeriesCommand')
        $corrupt | Should -HaveCount 1
        $corrupt[0].TargetObject | Should -Be $bad
        @($err | Where-Object FullyQualifiedErrorId -eq 'WhisperFileNotFound,WhisperPS.Commands.ExportWhisperSeriesCommand') | Should -HaveCount 1
        Get-Bytes (Join-Path $dir 'ours.csv') | Should -Be (Get-Bytes (Join-Path $dir 'pipe.csv'))
    }

    It '-NoClobber keeps an existing file; -WhatIf writes nothing' {
        $dir = New-TestFolder
        $paths = @(New-RandomTree -Seed 3 -Root $dir -Files 1)
        $o = Join-Path $dir 'o.csv'
        Set-Content -LiteralPath $o -Value 'keep'
        { Export-WhisperSeries $o -InputPath $paths[0] -Now $Now -NoClobber } |
            Should -Throw -ErrorId 'WhisperFileExists,WhisperPS.Commands.ExportWhisperSeriesCommand'
        Get-Content $o | Should -Be 'keep'
        Export-WhisperSeries (Join-Path $dir 'w.csv') -InputPath $paths[0] -Now $Now -WhatIf
        Test-Path (Join-Path $dir 'w.csv') | Should -BeFalse
    }

    It 'leaves a file of complete rows when stopped (Ctrl+C)' {
        $dir = New-TestFolder
        $f = Join-Path $dir 'big.wsp'
        $null = New-WhisperFile -LiteralPath $f -Retention '1s:60d'
        $o = Join-Path $dir 'o.csv'
        $lines = Stop-GrowingExport -Out $o -Bytes 200000 -Arguments $f, $o, $Now -Script {
            param($Module, $File, $Out, $Now)
            Import-Module $Module
            Export-WhisperSeries $Out -LiteralInputPath $File -From -60d -Now $Now -IncludeEmpty
        }
        $lines.Count | Should -BeLessThan (60 * 86400) -Because 'the export was stopped before its end'
        $lines[0] | Should -Be '"Path","Timestamp","UnixTime","Value"'
        $first = [long] ($lines[1].Split(',')[2].Trim('"'))
        for ($i = 1; $i -lt $lines.Count; $i++) {
            $cells = $lines[$i].Split(',')
            if ($cells.Count -ne 4 -or $cells[2] -ne ('"' + ($first + $i - 1) + '"')) { throw "line $i is not a complete row: $($lines[$i])" }
        }
    }
}

Describe 'Export-WhisperSeries -Format JsonLines' {
    It 'reads back with ConvertFrom-Json to the same paths, times and bit-exact values (seeded)' {
        $seed = [Environment]::TickCount -band 0x7fffffff
        Write-Host "    seed $seed"
        $dir = New-TestFolder
        $paths = @(New-RandomTree -Seed $seed -Root $dir -Files 6)
        $o = Join-Path $dir 'o.jsonl'
        Invoke-InCulture 'de-DE' { Export-WhisperSeries $o -LiteralInputPath $paths -Format JsonLines -From -2h -Now $Now -IncludeEmpty }
        $expected = @(Get-WhisperSeries -LiteralPath $paths -From -2h -Now $Now -IncludeEmpty)
        $back = @(Get-Content $o | ConvertFrom-Json)
        $back.Count | Should -Be $expected.Count
        for ($i = 0; $i -lt $back.Count; $i++) {
            $b = $back[$i]; $e = $expected[$i]
            $b.Path | Should -Be $e.Path -Because "seed $seed"
            $b.UnixTime | Should -Be $e.UnixTime
            ([DateTimeOffset] $b.Timestamp).ToUnixTimeSeconds() | Should -Be $e.UnixTime
            $v = if ($null -eq $b.Value) { $null } else { [double] $b.Value }
            if ($null -ne $e.Value -and [double]::IsNaN($e.Value)) {
                # JSON has no NaN: it is written as the string "NaN", which keeps NaN but not its payload bits.
                [double]::IsNaN($v) | Should -BeTrue -Because "seed $seed, row $i"
                continue
            }
            ConvertTo-Bits $v | Should -Be (ConvertTo-Bits $e.Value) -Because "seed $seed, row $i"
        }
        @($expected | Where-Object { $null -ne $_.Value -and [double]::IsNaN($_.Value) }).Count + @($expected | Where-Object { $_.Value -eq 0 }).Count | Should -BeGreaterThan 0 -Because 'the special values were exercised'
    }
}

Describe 'Export-WhisperSeries -Format Wide' {
    It 'equals a table built from Get-WhisperSeries for files of one step (<Culture>)' -ForEach @(@{ Culture = 'en-US' }, @{ Culture = 'de-DE' }) {
        $dir = New-TestFolder
        $paths = @(foreach ($n in 'web01/cpu/user', 'web01/cpu/system', 'web02/cpu/user') {
                $f = Join-Path $dir "servers/$n.wsp"
                $null = New-Item -ItemType Directory -Force (Split-Path $f)
                $null = New-WhisperFile -LiteralPath $f -Retention '1m:1d'
                $k = $n.Length
                0..50 | Where-Object { ($_ * $k) % 7 -ne 0 } | ForEach-Object { [pscustomobject] @{ UnixTime = $Now - 60 * $_; Value = $_ * $k / 8.0 } } |
                    Add-WhisperPoint -LiteralPath $f -Now $Now
                $f
            })
        $range = @{ From = $Now - 3000; Until = $Now - 100; Now = $Now }
        $o = Join-Path $dir 'wide.csv'
        $expected = Invoke-InCulture $Culture {
            Export-WhisperSeries $o -LiteralInputPath $paths -Format Wide @range
            Get-WideReference -Paths $paths -Names 'web01.cpu.user', 'web01.cpu.system', 'web02.cpu.user' -Range $range
        }
        $got = Get-Content $o
        $got[0] | Should -Be '"Timestamp","UnixTime","web01.cpu.user","web01.cpu.system","web02.cpu.user"'
        $got.Count | Should -BeGreaterThan 40
        $got | Should -Be $expected
    }

    It 'rolls a finer file up into the common step with its own method and xFilesFactor' {
        $dir = New-TestFolder
        $coarse = Join-Path $dir 'coarse.wsp'; $fine = Join-Path $dir 'fine.wsp'
        $null = New-WhisperFile -LiteralPath $coarse -Retention '1m:1d'
        $null = New-WhisperFile -LiteralPath $fine -Retention '10s:1d' -AggregationMethod Max -XFilesFactor 0.5
        0..30 | ForEach-Object { [pscustomobject] @{ UnixTime = $Now - 60 * $_; Value = $_ } } | Add-WhisperPoint -LiteralPath $coarse -Now $Now
        $rng = [Random]::new(99)
        0..180 | Where-Object { $rng.Next(3) -ne 0 } | ForEach-Object { [pscustomobject] @{ UnixTime = $Now - 10 * $_; Value = $rng.Next(1000) } } | Add-WhisperPoint -LiteralPath $fine -Now $Now
        $range = @{ From = $Now - 1800; Until = $Now - 60; Now = $Now }
        $o = Join-Path $dir 'wide.csv'
        Export-WhisperSeries $o -LiteralInputPath $coarse, $fine -Format Wide @range -IncludeEmpty
        # Reference: each minute row, the max of the fine file's slots in it when at least half hold a value.
        $finePoints = @{}
        Get-WhisperSeries -LiteralPath $fine @range | ForEach-Object { $finePoints[$_.UnixTime] = $_.Value }
        $coarsePoints = @{}
        Get-WhisperSeries -LiteralPath $coarse @range | ForEach-Object { $coarsePoints[$_.UnixTime] = $_.Value }
        $lines = @('"Timestamp","UnixTime","coarse","fine"')
        [long] $first = $range.From - $range.From % 60 + 60
        for ([long] $t = $first; $t -le $range.Until; $t += 60) {
            $vals = @(for ([long] $s = $t; $s -lt $t + 60; $s += 10) { if ($s -gt $range.From -and $s -le $range.Until -and $finePoints.ContainsKey($s)) { $finePoints[$s] } })
            $f = if ($vals.Count -ge 3) { '"' + ($vals | Measure-Object -Maximum).Maximum + '"' } else { '' }
            $c = if ($coarsePoints.ContainsKey($t)) { '"' + $coarsePoints[$t] + '"' } else { '' }
            $lines += '"{0}","{1}",{2},{3}' -f [DateTimeOffset]::FromUnixTimeSeconds($t).ToString(), $t, $c, $f
        }
        Get-Content $o | Should -Be $lines
        @($lines | Where-Object { $_ -match ',$' }).Count | Should -BeGreaterThan 0 -Because 'some rows miss the xFilesFactor'
    }

    It 'reads a long range in windows and still equals the reference (86,400 rows of 1s)' {
        $dir = New-TestFolder
        $f = Join-Path $dir 'sec.wsp'
        $null = New-WhisperFile -LiteralPath $f -Retention '1s:1d'
        $start = $Now - 86399
        $pts = [Collections.Generic.List[WhisperPS.Engine.Point]]::new()
        for ($i = 0; $i -lt 86400; $i += 1 + ($i % 3)) { $pts.Add([WhisperPS.Engine.Point]::new($start + $i, $i * 0.5)) }
        $wf = [WhisperPS.Engine.WhisperFile]::Open($f, [WhisperPS.Engine.IO.FileOpenMode]::ReadWrite)
        try { $null = $wf.UpdateMany($pts, $Now) } finally { $wf.Dispose() }
        $range = @{ From = $Now - 86400; Now = $Now }
        $o = Join-Path $dir 'wide.csv'
        Export-WhisperSeries $o -LiteralInputPath $f -Format Wide @range
        $got = Get-Content $o
        $span = [long] $got[-1].Split(',')[1].Trim('"') - [long] $got[1].Split(',')[1].Trim('"')
        $span | Should -BeGreaterThan 65536 -Because 'the rows span more than one window of 65,536 one-second rows'
        $got | Should -Be (Get-WideReference -Paths $f -Names 'sec' -Range $range)
    }
}

Describe 'Export-WhisperSeries -ThrottleLimit and -Recurse' {
    It '-ThrottleLimit <Limit> writes the bytes, errors and notes of one reader, in input order (random trees, <Format>)' -ForEach @(
        @{ Limit = 2; Format = 'Csv' }
        @{ Limit = 5; Format = 'Csv' }
        @{ Limit = 3; Format = 'JsonLines' }
    ) {
        foreach ($round in 1..2) {
            $seed = [Environment]::TickCount -band 0x7fffffff
            Write-Host "    seed $seed (ThrottleLimit $Limit, $Format, round $round)"
            $dir = New-TestFolder
            $paths = @(New-RandomTree -Seed $seed -Root $dir -Files 30)
            $rng = [Random]::new($seed)
            # Bad inputs at random places: a corrupt file, a missing one and a folder, each a per-file error.
            $bad = Join-Path $dir 'bad.wsp'
            [IO.File]::WriteAllBytes($bad, [byte[]] (1..9))
            $inputs = [Collections.Generic.List[string]] $paths
            foreach ($b in @($bad, (Join-Path $dir 'missing.wsp'), (Join-Path $dir 'host0'))) { $inputs.Insert($rng.Next($inputs.Count + 1), $b) }
            $range = @{ From = $Now - $rng.Next(60, 7300); Until = $Now - $rng.Next(0, 50); Now = $Now }
            $one = Join-Path $dir 'one.out'; $many = Join-Path $dir 'many.out'
            $notesOne = @($inputs | Export-WhisperSeries $one -Format $Format @range -ErrorVariable errOne -ErrorAction SilentlyContinue -Verbose 4>&1)
            # The parallel run meets a file held under carbon's exclusive lock for a while, so the reads after it finish
            # first: they must still be written after it.
            $held = [WhisperPS.Engine.WhisperFile]::Open($paths[1], [WhisperPS.Engine.IO.FileOpenMode]::ReadWrite)
            $ps = [powershell]::Create()
            try {
                $null = $ps.AddScript({
                    param($Module, $Inputs, $Out, $Format, $Range, $Limit)
                    Import-Module $Module
                    $Inputs | Export-WhisperSeries $Out -Format $Format @Range -ThrottleLimit $Limit -ErrorVariable e -ErrorAction SilentlyContinue -Verbose
                    $e
                }).AddArgument((Get-WhisperModulePath)).AddArgument([string[]] $inputs).AddArgument($many).AddArgument($Format).AddArgument($range).AddArgument($Limit)
                $async = $ps.BeginInvoke()
                $deadline = [DateTime]::UtcNow.AddSeconds(60)
                while (-not (Test-Path $many) -and -not $async.IsCompleted -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
                Start-Sleep -Milliseconds 500
                $held.Dispose()
                $errMany = @($ps.EndInvoke($async))
                $notesMany = @($ps.Streams.Verbose)
            }
            finally { $held.Dispose(); $ps.Dispose() }
            (Get-Item $one).Length | Should -BeGreaterThan 100
            Get-Bytes $many | Should -Be (Get-Bytes $one) -Because "seed $seed"
            $errOne | Should -HaveCount 3
            @($errMany | ForEach-Object { "$($_.FullyQualifiedErrorId) $($_.TargetObject)" }) |
                Should -Be @($errOne | ForEach-Object { "$($_.FullyQualifiedErrorId) $($_.TargetObject)" }) -Because "seed $seed"
            $notesMany.Count | Should -BeGreaterThan (2 * $paths.Count)
            # The notes of the reads (not ShouldProcess's, which names the output file).
            @($notesMany | ForEach-Object Message | Select-Object -Skip 1) | Should -Be @($notesOne | ForEach-Object Message | Select-Object -Skip 1) -Because "seed $seed"
        }
    }

    It '-ThrottleLimit <Limit> -Format Wide writes the bytes and errors of one reader (random trees, and two read windows)' -ForEach @(@{ Limit = 2 }, @{ Limit = 4 }) {
        $seed = [Environment]::TickCount -band 0x7fffffff
        Write-Host "    seed $seed (Wide, ThrottleLimit $Limit)"
        $dir = New-TestFolder
        $paths = [Collections.Generic.List[string]] @(New-RandomTree -Seed $seed -Root $dir -Files 20)
        $bad = Join-Path $dir 'bad.wsp'
        [IO.File]::WriteAllBytes($bad, [byte[]] (1..9))
        $paths.Insert(3, $bad)
        $rng = [Random]::new($seed)
        $range = @{ From = $Now - $rng.Next(600, 7300); Until = $Now - $rng.Next(0, 50); Now = $Now }
        $one = Join-Path $dir 'one.csv'; $many = Join-Path $dir 'many.csv'
        Export-WhisperSeries $one -LiteralInputPath $paths -Format Wide @range -IncludeEmpty -ErrorVariable errOne -ErrorAction SilentlyContinue
        Export-WhisperSeries $many -LiteralInputPath $paths -Format Wide @range -IncludeEmpty -ThrottleLimit $Limit -ErrorVariable errMany -ErrorAction SilentlyContinue
        (Get-Item $one).Length | Should -BeGreaterThan 100
        Get-Bytes $many | Should -Be (Get-Bytes $one) -Because "seed $seed"
        $errOne | Should -HaveCount 1
        @($errMany | ForEach-Object { "$($_.FullyQualifiedErrorId) $($_.TargetObject)" }) | Should -Be @($errOne | ForEach-Object { "$($_.FullyQualifiedErrorId) $($_.TargetObject)" })
        # A day of 1s files is 86,400 rows: two read windows (at most 65,536 rows each).
        $fine = for ($k = 0; $k -lt 5; $k++) {
            $f = Join-Path $dir "fine/s$k.wsp"
            $null = New-Item -ItemType Directory -Force (Split-Path $f)
            $null = New-WhisperFile -LiteralPath $f -Retention '1s:1d'
            $(for ($i = 0; $i -lt 300; $i++) { [pscustomobject] @{ UnixTime = $Now - $rng.Next(1, 86400); Value = $rng.Next(-500, 500) / 4 } }) | Add-WhisperPoint -LiteralPath $f -Now $Now
            $f
        }
        $fine = @($fine[0..1]) + $bad + @($fine[2..4])
        Export-WhisperSeries $one -LiteralInputPath $fine -Format Wide -From -1d -Now $Now -ErrorAction SilentlyContinue -Verbose 4>&1 |
            Where-Object Message -Match 'row\(s\) per read window' | ForEach-Object Message | Should -Match ' 65536 row'
        Export-WhisperSeries $many -LiteralInputPath $fine -Format Wide -From -1d -Now $Now -ThrottleLimit $Limit -ErrorVariable errFine -ErrorAction SilentlyContinue
        @(Get-Content $one).Count | Should -BeGreaterThan 1000
        Get-Bytes $many | Should -Be (Get-Bytes $one) -Because "seed $seed"
        $errFine | Should -HaveCount 1
    }

    It '-ThrottleLimit: stopped (Ctrl+C), it leaves complete rows and no input file locked' {
        $dir = New-TestFolder
        $template = Join-Path $dir 'template.wsp'
        $null = New-WhisperFile -LiteralPath $template -Retention '1s:1d'
        $files = for ($i = 0; $i -lt 400; $i++) { $p = Join-Path $dir ('m{0:D3}.wsp' -f $i); [IO.File]::Copy($template, $p); $p }
        $o = Join-Path $dir 'o.csv'
        $lines = Stop-GrowingExport -Out $o -Bytes 2000000 -Arguments ([string[]] $files), $o, $Now -Script {
            param($Module, $Files, $Out, $Now)
            Import-Module $Module
            Export-WhisperSeries $Out -LiteralInputPath $Files -From -1d -Now $Now -IncludeEmpty -ThrottleLimit 3
        }
        $lines.Count | Should -BeLessThan (400 * 86400) -Because 'the export was stopped before its end'
        $previous = $null
        for ($i = 1; $i -lt $lines.Count; $i++) {
            $cells = $lines[$i].Split(',')
            if ($cells.Count -ne 4) { throw "line $i is not a complete row: $($lines[$i])" }
            $t = [long] $cells[2].Trim('"')
            if ($null -ne $previous -and $cells[0] -eq $previous[0] -and $t -ne $previous[1] + 1) { throw "line $i skips a slot: $($lines[$i])" }
            $previous = @($cells[0], $t)
        }
        # Every read has closed its file: a writer gets each lock at once.
        foreach ($f in $files) {
            [pscustomobject] @{ UnixTime = $Now - 5; Value = 1 } | Add-WhisperPoint -LiteralPath $f -Now $Now -LockTimeout 5
        }
    }

    It '-Recurse exports the *.wsp files below a folder: ordinal order, files before subfolders, no hidden ones, no links to folders' {
        $dir = New-TestFolder
        $root = Join-Path $dir 'tree'
        $paths = @(New-RandomTree -Seed 77 -Root $root -Files 12)
        $null = New-Item -ItemType Directory -Force (Join-Path $root '.hidden'), (Join-Path $root 'host0/B')
        Copy-Item $paths[0] (Join-Path $root '.hidden/h.wsp')
        Copy-Item $paths[0] (Join-Path $root 'host0/.h.wsp')
        Copy-Item $paths[1] (Join-Path $root 'host0/B/z.wsp')
        Copy-Item $paths[2] (Join-Path $root 'host0/a.wsp')
        Set-Content (Join-Path $root 'host0/notes.txt') 'not a whisper file'
        $null = New-Item -ItemType SymbolicLink -Path (Join-Path $root 'host9') -Target (Join-Path $root 'host0')
        # The documented order, built here: a folder's files by ordinal name, then its subfolders.
        function Get-Expected([string] $Folder) {
            $items = @(Get-ChildItem -LiteralPath $Folder | Where-Object { -not $_.Name.StartsWith('.') })
            [string[]] $names = @($items | Where-Object { -not $_.PSIsContainer -and $_.Name.EndsWith('.wsp') } | ForEach-Object FullName)
            [Array]::Sort($names, [StringComparer]::Ordinal)
            $names
            [string[]] $subs = @($items | Where-Object { $_.PSIsContainer -and -not $_.LinkType } | ForEach-Object FullName)
            [Array]::Sort($subs, [StringComparer]::Ordinal)
            foreach ($s in $subs) { Get-Expected $s }
        }
        $expected = @(Get-Expected $root)
        $expected | Should -Contain (Join-Path $root 'host0/B/z.wsp')
        $expected | Should -Not -Contain (Join-Path $root 'host0/.h.wsp')
        $range = @{ From = $Now - 3600; Now = $Now }
        Get-WhisperSeries -LiteralPath $expected @range | Export-Csv (Join-Path $dir 'pipe.csv')
        Export-WhisperSeries (Join-Path $dir 'ours.csv') -InputPath $root -Recurse @range
        Get-Bytes (Join-Path $dir 'ours.csv') | Should -Be (Get-Bytes (Join-Path $dir 'pipe.csv'))
        Export-WhisperSeries (Join-Path $dir 'wide.csv') -InputPath $root -Recurse -Format Wide @range
        Export-WhisperSeries (Join-Path $dir 'wide-list.csv') -LiteralInputPath $expected -Format Wide @range
        Get-Bytes (Join-Path $dir 'wide.csv') | Should -Be (Get-Bytes (Join-Path $dir 'wide-list.csv'))
        # Without -Recurse a folder is still an error, not an export.
        Export-WhisperSeries (Join-Path $dir 'none.csv') -LiteralInputPath $root -ErrorVariable err -ErrorAction SilentlyContinue @range
        $err[0].FullyQualifiedErrorId | Should -Be 'WhisperFileNotFound,WhisperPS.Commands.ExportWhisperSeriesCommand'
    }

    It 'writes every value as Double.ToString does in <Culture> (<Options>): decimals, exponents, signs, 15 to 17 digits' -ForEach @(
        @{ Culture = 'en-US'; Options = 'defaults'; Csv = @{} }
        @{ Culture = 'de-DE'; Options = '-UseQuotes AsNeeded'; Csv = @{ UseQuotes = 'AsNeeded' } }
        @{ Culture = 'sv-SE'; Options = '-UseQuotes Never'; Csv = @{ UseQuotes = 'Never' } }
        @{ Culture = 'fr-CH'; Options = '-UseCulture'; Csv = @{ UseCulture = $true } }
    ) {
        $seed = [Environment]::TickCount -band 0x7fffffff
        Write-Host "    seed $seed ($Culture)"
        $rng = [Random]::new($seed)
        $dir = New-TestFolder
        $edges = @(1e-4, 1e-5, 9.9999e-5, 1e14, 1e15, 999999999999999, 123456789012345, 0.1, 0.30000000000000004, 1.5, 100, 1e-300, 5e-324)
        $files = for ($k = 0; $k -lt 4; $k++) {
            $f = Join-Path $dir "v$k.wsp"
            $null = New-WhisperFile -LiteralPath $f -Retention '1m:1d' -XFilesFactor 0
            $points = for ($i = 0; $i -lt 1440; $i++) {
                $v = switch ($rng.Next(7)) {
                    0 { [Math]::Round(($rng.NextDouble() - 0.5) * [Math]::Pow(10, $rng.Next(-6, 17)), $rng.Next(0, 15)) }
                    1 { [BitConverter]::Int64BitsToDouble(([long] $rng.Next() -shl 32) -bor $rng.Next()) }
                    2 { [double] $rng.Next(-100000, 100000) / [Math]::Pow(10, $rng.Next(0, 9)) }
                    3 { $edges[$rng.Next($edges.Count)] * (1 + $rng.Next(-3, 4) * 1.1e-16) * ($rng.Next(2) * 2 - 1) }
                    4 { [double] [long] ($rng.NextDouble() * 1e16) }
                    5 { 0.1 * $rng.Next(0, 100000) }
                    default { [Math]::Round($rng.NextDouble() * 100, 2) }
                }
                if ([double]::IsNaN($v) -or [double]::IsInfinity($v)) { $v = 0.0 }
                [pscustomobject] @{ UnixTime = $Now - 60 * $i; Value = $v }
            }
            $points | Add-WhisperPoint -LiteralPath $f -Now $Now
            $f
        }
        Invoke-InCulture $Culture {
            Get-WhisperSeries -LiteralPath $files -Now $Now | Export-Csv (Join-Path $dir 'pipe.csv') -NoTypeInformation @Csv
            Export-WhisperSeries (Join-Path $dir 'ours.csv') -LiteralInputPath $files -Now $Now @Csv
        }
        @([IO.File]::ReadAllLines((Join-Path $dir 'pipe.csv'))).Count | Should -BeGreaterThan 5000
        Get-Bytes (Join-Path $dir 'ours.csv') | Should -Be (Get-Bytes (Join-Path $dir 'pipe.csv')) -Because "seed $seed"
    }
}
