# Show-WhisperChart and Export-WhisperChart: the SVG's structure (gaps, columns, axes) and the text chart's, on files
# whose every slot is known.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-WhisperModulePath) -Force
    $script:Now = 1795000020   # a minute boundary: 1795000020 % 60 = 0
    $script:Step = 60

    # A 1m file whose last $Count minutes hold $Values[i] (null = empty slot), oldest first.
    function New-ChartFile([string] $Path, [object[]] $Values) {
        $null = New-WhisperFile -LiteralPath $Path -Retention 1m:1d
        $n = $Values.Count
        $points = for ($i = 0; $i -lt $n; $i++) {
            if ($null -ne $Values[$i]) { [pscustomobject] @{ UnixTime = $Now - ($n - 1 - $i) * $Step; Value = $Values[$i] } }
        }
        if ($points) { $points | Add-WhisperPoint -LiteralPath $Path -Now $Now -WarningAction SilentlyContinue }
    }

    # Export with one plot column per slot: the range holds exactly $Count slots and the plot is $Count pixels wide.
    function Export-Exact([string] $File, [int] $Count, [string] $Out, [hashtable] $Extra = @{}) {
        $width = $Count + 96   # SvgChartWriter's left and right margins
        Export-WhisperChart -LiteralPath $Out -LiteralInputPath $File -From ($Now - $Count * $Step) -Until $Now -Now $Now -Width $width @Extra
        [xml] (Get-Content -Raw -LiteralPath $Out)
    }

    # XPath, not PowerShell's XML adapter: piping an XmlElement would enumerate its children.
    function Select-Svg($Node, [string] $XPath) {
        $list = New-Object System.Collections.Generic.List[object]
        foreach ($n in $Node.SelectNodes($XPath)) { $list.Add($n) }
        , $list.ToArray()
    }
    function Get-Plot([xml] $Svg) { (Select-Svg $Svg "//*[local-name()='g'][@class='plot']")[0] }
    function Get-SeriesGroups([xml] $Svg) { Select-Svg $Svg "//*[local-name()='g'][@class='series']" }
    function Get-Drawn($Group) {
        # Each polyline as 'first-last' columns, each lone dot as 'c-c', in column order.
        $runs = @((Select-Svg $Group "*[local-name()='polyline']") | ForEach-Object { '{0}-{1}' -f $_.GetAttribute('data-first'), $_.GetAttribute('data-last') }) +
            @((Select-Svg $Group "*[local-name()='circle']") | ForEach-Object { '{0}-{0}' -f $_.GetAttribute('data-columns') })
        (@($runs | Where-Object { $_ } | Sort-Object { [int] ($_ -split '-')[0] })) -join ','
    }
    function Get-Points($Group, [int] $Axis) {
        @((Select-Svg $Group "*[local-name()='polyline']") | ForEach-Object { $_.GetAttribute('points') -split ' ' } | ForEach-Object { [double] ($_ -split ',')[$Axis] })
    }

    # Runs of consecutive non-null values as "first-last" index pairs.
    function Get-Runs([object[]] $Values) {
        $runs = @(); $start = -1
        for ($i = 0; $i -le $Values.Count; $i++) {
            $has = $i -lt $Values.Count -and $null -ne $Values[$i]
            if ($has -and $start -lt 0) { $start = $i }
            if (-not $has -and $start -ge 0) { $runs += "$start-$($i - 1)"; $start = -1 }
        }
        $runs
    }
}

Describe 'Export-WhisperChart: the SVG' {
    It 'splits the line exactly at every gap (random gaps, seed printed)' {
        $seed = Get-Random
        $rng = [Random]::new($seed)
        $count = 150
        $values = for ($i = 0; $i -lt $count; $i++) { if ($rng.NextDouble() -lt 0.2) { $null } else { [math]::Round($rng.NextDouble() * 100, 2) } }
        $dir = New-TestFolder
        $file = Join-Path $dir 'gaps.wsp'
        New-ChartFile $file $values
        $svg = Export-Exact $file $count (Join-Path $dir 'gaps.svg')
        $g = Get-SeriesGroups $svg
        $g.Count | Should -Be 1
        Get-Drawn $g[0] | Should -Be ((Get-Runs $values) -join ',') -Because "seed $seed"
    }

    It 'plots one column per pixel of the plot width' {
        $dir = New-TestFolder
        $file = Join-Path $dir 'dense.wsp'
        # 1,440 slots over 333 pixels: every column holds values, and spikes survive the reduction.
        $values = for ($i = 0; $i -lt 1440; $i++) { if ($i -eq 700) { 1000 } else { 50 + ($i % 7) } }
        New-ChartFile $file $values
        $out = Join-Path $dir 'dense.svg'
        Export-WhisperChart -LiteralPath $out -LiteralInputPath $file -From ($Now - 1440 * 60) -Until $Now -Now $Now -Width 429
        [xml] $svg = Get-Content -Raw $out
        $plot = Get-Plot $svg
        [int] $plot.GetAttribute('data-columns') | Should -Be 333
        [int] $plot.GetAttribute('data-width') | Should -Be 333
        $xs = @(Get-Points (Get-SeriesGroups $svg)[0] 0 | Sort-Object -Unique)
        $xs.Count | Should -Be 333
        # The one-slot spike reaches its height although 4 slots share each column.
        $ys = Get-Points (Get-SeriesGroups $svg)[0] 1
        $top = [double] $plot.GetAttribute('data-top')
        $max = [double] $plot.GetAttribute('data-max')
        $max | Should -BeGreaterOrEqual 1000
        ($ys | Measure-Object -Minimum).Minimum | Should -BeLessOrEqual ($top + [double] $plot.GetAttribute('data-height') * (1 - 1000 / $max) + 0.01)
    }

    It 'labels the value axis around the data and the time axis inside the range' {
        $dir = New-TestFolder
        $file = Join-Path $dir 'range.wsp'
        $values = for ($i = 0; $i -lt 120; $i++) { -37.5 + $i * 1.1 }
        New-ChartFile $file $values
        $svg = Export-Exact $file 120 (Join-Path $dir 'range.svg')
        $labels = @((Select-Svg $svg "//*[@class='value-label']") | ForEach-Object { [double] $_.GetAttribute('data-value') } | Sort-Object)
        $labels.Count | Should -BeGreaterOrEqual 3
        $step = $labels[1] - $labels[0]
        $lo = ($values | Measure-Object -Minimum).Minimum
        $hi = ($values | Measure-Object -Maximum).Maximum
        $labels[0] | Should -BeLessOrEqual $lo
        $labels[0] | Should -BeGreaterThan ($lo - $step)
        $labels[-1] | Should -BeGreaterOrEqual $hi
        $labels[-1] | Should -BeLessThan ($hi + $step)
        @($labels | Where-Object { $_ -lt 0 }).Count | Should -BeGreaterThan 0
        $times = @((Select-Svg $svg "//*[@class='time-label']") | ForEach-Object { [long] $_.GetAttribute('data-time') })
        $times.Count | Should -BeGreaterOrEqual 1
        foreach ($t in $times) { $t | Should -BeGreaterOrEqual ($Now - 120 * 60); $t | Should -BeLessOrEqual $Now; ($t % 60) | Should -Be 0 }
    }

    It 'draws a constant series flat, a single point as a dot, and an empty range as "no data"' {
        $dir = New-TestFolder
        New-ChartFile (Join-Path $dir 'flat.wsp') (@(7.25) * 60)
        $svg = Export-Exact (Join-Path $dir 'flat.wsp') 60 (Join-Path $dir 'flat.svg')
        $ys = @(Get-Points (Get-SeriesGroups $svg)[0] 1 | Sort-Object -Unique)
        $ys.Count | Should -Be 1
        Get-Drawn (Get-SeriesGroups $svg)[0] | Should -Be '0-59'

        New-ChartFile (Join-Path $dir 'one.wsp') (@($null) * 30 + @(3) + @($null) * 29)
        $svg = Export-Exact (Join-Path $dir 'one.wsp') 60 (Join-Path $dir 'one.svg')
        Get-Drawn (Get-SeriesGroups $svg)[0] | Should -Be '30-30'

        New-ChartFile (Join-Path $dir 'empty.wsp') @($null)
        $svg = Export-Exact (Join-Path $dir 'empty.wsp') 60 (Join-Path $dir 'empty.svg')
        Get-Drawn (Get-SeriesGroups $svg)[0] | Should -Be ''
        @(Select-Svg $svg "//*[@class='no-data']").Count | Should -Be 1
    }

    It 'leaves NaN and infinite values out of the line and counts them in the legend' {
        $dir = New-TestFolder
        $values = @(1, 2, 'nan', 4, 'inf', 6, '-inf', 8, 9, 10)
        New-ChartFile (Join-Path $dir 'odd.wsp') $values
        $svg = Export-Exact (Join-Path $dir 'odd.wsp') 10 (Join-Path $dir 'odd.svg')
        $text = Get-Content -Raw (Join-Path $dir 'odd.svg')
        $text | Should -Not -Match 'NaN,|Infinity|∞'
        (Select-Svg $svg "//*[@class='summary']")[0].InnerText | Should -Match '3 NaN/infinite not drawn'
        Get-Drawn (Get-SeriesGroups $svg)[0] | Should -Be '0-1,3-3,5-5,7-9'
    }

    It 'draws piped points exactly as the file they came from' {
        $dir = New-TestFolder
        $values = for ($i = 0; $i -lt 90; $i++) { if ($i % 13 -in 5, 6) { $null } else { $i * 2.5 } }
        $file = Join-Path $dir 'piped.wsp'
        New-ChartFile $file $values
        $a = Export-Exact $file 90 (Join-Path $dir 'file.svg')
        Get-WhisperSeries -LiteralPath $file -From ($Now - 90 * 60) -Until $Now -Now $Now |
            Export-WhisperChart -LiteralPath (Join-Path $dir 'piped.svg') -From ($Now - 90 * 60) -Until $Now -Now $Now -Width (90 + 96)
        [xml] $b = Get-Content -Raw (Join-Path $dir 'piped.svg')
        $pa = ((Select-Svg (Get-SeriesGroups $a)[0] "*[local-name()='polyline']") | ForEach-Object { $_.GetAttribute('points') }) -join '|'
        $pb = ((Select-Svg (Get-SeriesGroups $b)[0] "*[local-name()='polyline']") | ForEach-Object { $_.GetAttribute('points') }) -join '|'
        $pa | Should -Not -BeNullOrEmpty
        $pb | Should -Be $pa
        Get-Drawn (Get-SeriesGroups $b)[0] | Should -Be ((Get-Runs $values) -join ',')
    }

    It 'writes an HTML page holding the SVG, with no script' {
        $dir = New-TestFolder
        New-ChartFile (Join-Path $dir 'h.wsp') (1..30)
        Export-WhisperChart -LiteralPath (Join-Path $dir 'h.html') -LiteralInputPath (Join-Path $dir 'h.wsp') -Now $Now -Title 'A & B'
        $html = Get-Content -Raw (Join-Path $dir 'h.html')
        $html | Should -Match '^<!DOCTYPE html>'
        $html | Should -Match '<title>A &amp; B</title>'
        $html | Should -Not -Match '<script'
        $svgText = $html.Substring($html.IndexOf('<svg'), $html.IndexOf('</svg>') - $html.IndexOf('<svg') + 6)
        (Select-Svg ([xml] $svgText) "//*[local-name()='title']")[0].InnerText | Should -Be 'A & B'
    }

    It 'refuses an unknown extension, keeps a file with -NoClobber, and writes nothing with -WhatIf' {
        $dir = New-TestFolder
        New-ChartFile (Join-Path $dir 'x.wsp') (1..5)
        { Export-WhisperChart -LiteralPath (Join-Path $dir 'x.png') -LiteralInputPath (Join-Path $dir 'x.wsp') -ErrorAction Stop } |
            Should -Throw -ErrorId 'WhisperChartOutputInvalid,WhisperPS.Commands.ExportWhisperChartCommand'
        Set-Content -LiteralPath (Join-Path $dir 'keep.svg') -Value 'mine'
        { Export-WhisperChart -LiteralPath (Join-Path $dir 'keep.svg') -LiteralInputPath (Join-Path $dir 'x.wsp') -NoClobber -ErrorAction Stop } |
            Should -Throw -ErrorId 'WhisperFileExists,WhisperPS.Commands.ExportWhisperChartCommand'
        (Get-Content -Raw (Join-Path $dir 'keep.svg')).Trim() | Should -Be 'mine'
        Export-WhisperChart -LiteralPath (Join-Path $dir 'no.svg') -LiteralInputPath (Join-Path $dir 'x.wsp') -WhatIf
        Test-Path (Join-Path $dir 'no.svg') | Should -BeFalse
    }

    It 'reports a bad file and still draws the good ones' {
        $dir = New-TestFolder
        New-ChartFile (Join-Path $dir 'good.wsp') (1..5)
        [IO.File]::WriteAllBytes((Join-Path $dir 'bad.wsp'), [byte[]] (1..10))
        $out = Join-Path $dir 'mixed.svg'
        Get-ChildItem $dir -Filter *.wsp | Export-WhisperChart -LiteralPath $out -Now $Now -ErrorVariable errs -ErrorAction SilentlyContinue
        @($errs).Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -Match '^WhisperFileCorrupt'
        [xml] $svg = Get-Content -Raw $out
        @(Get-SeriesGroups $svg).Count | Should -Be 1
        (Get-SeriesGroups $svg)[0].GetAttribute('data-name') | Should -Be 'good'
    }
}

Describe 'Show-WhisperChart: the text chart' {
    BeforeAll {
        $script:Dir = New-TestFolder
        # 58 slots with a gap of 5 at 20..24: with -Ascii and 58 plot cells, one cell per slot.
        $script:GapValues = for ($i = 0; $i -lt 58; $i++) { if ($i -ge 20 -and $i -lt 25) { $null } else { 10 + ($i % 5) } }
        New-ChartFile (Join-Path $Dir 'gap.wsp') $GapValues
    }

    It 'fits the width, in braille, with labels, a time axis and a legend' {
        foreach ($w in 60, 120) {
            $lines = @(Show-WhisperChart -LiteralPath (Join-Path $Dir 'gap.wsp') -From ($Now - 58 * 60) -Until $Now -Now $Now -Width $w -Height 12)
            foreach ($l in $lines) { $l.Length | Should -BeLessOrEqual $w }
            ($lines -join "`n") | Should -Match '[\u2801-\u28FF]'
            ($lines -join "`n") | Should -Not -Match "`e\["
            ($lines -join "`n") | Should -Match '(?m)^● gap'
            ($lines -join "`n") | Should -Match 'min 10\s+max 14'
            ($lines -join "`n") | Should -Match 'UTC'
        }
    }

    It 'leaves the gap empty, and only the gap (ASCII, one cell per slot)' {
        $lines = @(Show-WhisperChart -LiteralPath (Join-Path $Dir 'gap.wsp') -From ($Now - 58 * 60) -Until $Now -Now $Now -Width 69 -Height 10 -Ascii)
        $plot = $lines[0..7]   # -Height 10 = 8 plot rows, the rule and the time labels
        foreach ($l in $lines) { $l | Should -Match '^[\x20-\x7E]*$' }
        for ($i = 0; $i -lt 58; $i++) {
            $col = @($plot | ForEach-Object { if ($_.Length -gt 11 + $i) { $_[11 + $i] } else { ' ' } })
            $marked = @($col | Where-Object { $_ -ne ' ' }).Count -gt 0
            $marked | Should -Be ($null -ne $GapValues[$i]) -Because "slot $i"
        }
    }

    It 'draws one chart per file with -Stack' {
        New-ChartFile (Join-Path $Dir 'second.wsp') (1..58)
        $lines = @(Show-WhisperChart -LiteralPath (Join-Path $Dir 'gap.wsp'), (Join-Path $Dir 'second.wsp') -From ($Now - 58 * 60) -Until $Now -Now $Now -Width 80 -Height 8 -Stack)
        @($lines | Where-Object { $_ -match '^● ' }).Count | Should -Be 2
        @($lines | Where-Object { $_ -match '└' }).Count | Should -Be 2
    }

    It 'uses 80 columns when the output is redirected' {
        $script = Join-Path $Dir 'redirect.ps1'
        "Import-Module '$(Get-WhisperModulePath)'; Show-WhisperChart -LiteralPath '$(Join-Path $Dir 'gap.wsp')' -Now $Now -From -1h" | Set-Content $script
        $r = Invoke-ChildPwsh -File $script
        $r.ExitCode | Should -Be 0
        $rule = @($r.Output | Where-Object { $_ -match '└' })
        $rule.Count | Should -Be 1
        $rule[0].Length | Should -Be 80
    }
}
