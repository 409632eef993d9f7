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
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript({
                param($Module, $File, $Out, $Now)
                Import-Module $Module
                Export-WhisperSeries $Out -LiteralInputPath $File -From -60d -Now $Now -IncludeEmpty
            }).AddArgument((Get-WhisperModulePath)).AddArgument($f).AddArgument($o).AddArgument($Now)
            $async = $ps.BeginInvoke()
            $deadline = [DateTime]::UtcNow.AddSeconds(120)
            while (-not (Test-Path $o) -or (Get-Item $o).Length -lt 200000) {
                if ([DateTime]::UtcNow -gt $deadline -or $async.IsCompleted) { throw 'the export did not get going' }
                Start-Sleep -Milliseconds 50
            }
            $ps.Stop()
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
        }
        finally { $ps.Dispose() }
        $text = [IO.File]::ReadAllText($o)
        $text.EndsWith("`n") | Should -BeTrue
        $lines = $text.TrimEnd("`n").Split("`n")
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
