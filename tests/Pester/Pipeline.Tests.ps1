BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-WhisperModulePath) -Force -ErrorAction Stop
    $script:Now = 1767323045
}

Describe 'Pipelines and files the PowerShell way' {
    BeforeEach { $dir = New-TestFolder }

    It 'Get-ChildItem -Recurse *.wsp | Get-WhisperInfo finds every file, brackets included' {
        $null = New-Item -ItemType Directory (Join-Path $dir 'sub')
        $names = 'a.wsp', 'b[1].wsp', 'sub/c[x].wsp', 'sub/d e.wsp'
        foreach ($n in $names) { $null = New-WhisperFile -LiteralPath (Join-Path $dir $n) '60:10' }
        $info = Get-ChildItem -LiteralPath $dir -Recurse -Filter *.wsp | Get-WhisperInfo -ErrorVariable err
        $err.Count | Should -Be 0
        ($info.Name | Sort-Object) | Should -Be (@('a.wsp', 'b[1].wsp', 'c[x].wsp', 'd e.wsp') | Sort-Object)
    }

    It 'Get-ChildItem output also drives Get-WhisperSeries and Set-WhisperAggregation' {
        $f = (New-WhisperFile -LiteralPath (Join-Path $dir 'x[1].wsp') '10s:1h').Path
        Add-WhisperPoint -LiteralPath $f -Value 5 -Timestamp $Now -Now $Now
        (Get-ChildItem -LiteralPath $f | Get-WhisperSeries -Now $Now -From -1min -SkipEmpty).Value | Should -Be 5
        Get-ChildItem -LiteralPath $f | Set-WhisperAggregation -AggregationMethod sum
        (Get-WhisperInfo -LiteralPath $f).AggregationMethod | Should -Be 'Sum'
    }

    It '-Path treats brackets as wildcards, -LiteralPath does not' {
        $f = (New-WhisperFile -LiteralPath (Join-Path $dir 'b[1].wsp') '60:10').Path
        $null = New-WhisperFile -LiteralPath (Join-Path $dir 'b1.wsp') '60:10'
        (Get-WhisperInfo -Path (Join-Path $dir 'b[1].wsp')).Name | Should -Be 'b1.wsp'
        (Get-WhisperInfo -LiteralPath $f).Name | Should -Be 'b[1].wsp'
        (Get-WhisperInfo -Path (Join-Path $dir 'b`[1`].wsp')).Name | Should -Be 'b[1].wsp'
    }

    It 'a corrupt file among fifty gets one error and the other forty-nine are processed' {
        1..50 | ForEach-Object { $null = New-WhisperFile (Join-Path $dir "m$_.wsp") '60:10' }
        [IO.File]::WriteAllBytes((Join-Path $dir 'm17.wsp'), [byte[]](0..60))
        $out = Get-ChildItem -LiteralPath $dir -Filter *.wsp | Get-WhisperInfo -ErrorVariable err -ErrorAction SilentlyContinue
        $out | Should -HaveCount 49
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -Be 'WhisperFileCorrupt,WhisperPS.Commands.GetWhisperInfoCommand'
        $err[0].TargetObject | Should -Be (Join-Path $dir 'm17.wsp')
        $out2 = Get-ChildItem -LiteralPath $dir -Filter *.wsp | Get-WhisperSeries -Now $Now -From -5min -IncludeEmpty -ErrorVariable err2 -ErrorAction SilentlyContinue
        $out2 | Should -HaveCount (49 * 5)
        $err2 | Should -HaveCount 1
    }

    It 'Get-WhisperSeries | Export-Csv, then Import-Csv | Add-WhisperPoint round-trips every value exactly' {
        $src = (New-WhisperFile (Join-Path $dir 'src.wsp') '10s:1h', '1m:1d' -AggregationMethod max).Path
        $rng = [Random]::new(4242)
        $values = 0..299 | ForEach-Object {
            switch ($_ % 7) {
                0 { $null }
                1 { $rng.NextDouble() * 1e-300 }
                2 { -$rng.NextDouble() * 1e15 }
                3 { [Math]::PI * $_ }
                4 { 0.1 + 0.2 }
                default { $rng.NextDouble() }
            }
        }
        $i = 0
        $values | ForEach-Object { [pscustomobject] @{ Timestamp = $Now - 10 * $i++; Value = $_ } } | Add-WhisperPoint -LiteralPath $src -Now $Now
        $csv = Join-Path $dir 'series.csv'
        Get-WhisperSeries -LiteralPath $src -Now $Now -From -1h | Export-Csv -LiteralPath $csv -NoTypeInformation
        $info = Get-WhisperInfo -LiteralPath $src
        $copy = (New-WhisperFile (Join-Path $dir 'copy.wsp') $info.Retention -AggregationMethod $info.AggregationMethod -XFilesFactor $info.XFilesFactor).Path
        Import-Csv -LiteralPath $csv | Add-WhisperPoint -LiteralPath $copy -Now $Now -ErrorVariable err
        $err.Count | Should -Be 0
        $a = Get-WhisperSeries -LiteralPath $src -Now $Now -From -1h -IncludeEmpty | ForEach-Object { "$($_.UnixTime)=$(ConvertTo-Bits $_.Value)" }
        $b = Get-WhisperSeries -LiteralPath $copy -Now $Now -From -1h -IncludeEmpty | ForEach-Object { "$($_.UnixTime)=$(ConvertTo-Bits $_.Value)" }
        $a | Should -HaveCount 360
        @($a | Where-Object { $_ -notlike '*=None' }).Count | Should -Be 257
        $b | Should -Be $a
        # Same points, same now, same schema: the files are identical.
        Get-FileSha256 $copy | Should -Be (Get-FileSha256 $src)
    }

    It 'runs as a scheduled task would: pwsh -NonInteractive -File, no prompts, exit code 0' {
        $script = Join-Path $dir 'task.ps1'
        $wsp = Join-Path $dir 'task.wsp'
        @"
`$ErrorActionPreference = 'Stop'
Import-Module '$(Get-WhisperModulePath)'
`$null = New-WhisperFile -LiteralPath '$wsp' -Retention '10s:1h' -Force
`$null = New-WhisperFile -LiteralPath '$wsp' -Retention '10s:1h' -Force
1..3 | ForEach-Object { [pscustomobject] @{ Timestamp = $Now - 10 * `$_; Value = `$_ } } | Add-WhisperPoint -LiteralPath '$wsp' -Now $Now
Set-WhisperAggregation -LiteralPath '$wsp' -AggregationMethod last
Get-WhisperSeries -LiteralPath '$wsp' -Now $Now -From -1min -SkipEmpty | ForEach-Object { 'point ' + `$_.UnixTime + ' ' + `$_.Value }
"@ | Set-Content -LiteralPath $script
        $r = Invoke-ChildPwsh -File $script
        $expected = @(3, 2, 1) | ForEach-Object { "point $($Now - $Now % 10 - 10 * $_) $_" }
        ($r.Output -join "`n") | Should -Be ($expected -join "`n")
        $r.ExitCode | Should -Be 0
        (Get-WhisperInfo -LiteralPath $wsp).AggregationMethod | Should -Be 'Last'
    }

    It 'gives the same results and bytes under de-DE and en-US' {
        $script = Join-Path $dir 'culture.ps1'
        @'
param([string] $Culture, [string] $Folder, [string] $Module)
$ErrorActionPreference = 'Stop'
[cultureinfo]::CurrentCulture = $Culture
Import-Module $Module
$now = 1767323045
$f = (New-WhisperFile -LiteralPath (Join-Path $Folder 'c.wsp') -Retention '10s:1h,1m:1d' -AggregationMethod average -XFilesFactor 0.3).Path
# Culture-sensitive inputs: dates and numbers as strings, then a CSV written and read in this culture.
[pscustomobject] @{ Timestamp = '2026-01-02T03:00:00Z'; Value = '1.5' } | Add-WhisperPoint -LiteralPath $f -Now $now
Add-WhisperPoint -LiteralPath $f -Value 2.25 -Timestamp '2026-01-02T02:59:00+00:00' -Now $now
Add-WhisperPoint -LiteralPath $f -Value '1e3' -Timestamp '-3min' -Now $now
$csv = Join-Path $Folder 'c.csv'
Get-WhisperSeries -LiteralPath $f -Now $now -From -10min | Export-Csv -LiteralPath $csv -NoTypeInformation
Get-Content -LiteralPath $csv | Select-Object -Skip 1 -First 1 | ForEach-Object { "csv-row-count-check $(@(Import-Csv -LiteralPath $csv).Count)" }
$g = (New-WhisperFile -LiteralPath (Join-Path $Folder 'g.wsp') -Retention '10s:1h,1m:1d' -AggregationMethod average -XFilesFactor 0.3).Path
Import-Csv -LiteralPath $csv | Add-WhisperPoint -LiteralPath $g -Now $now
foreach ($p in (Get-WhisperSeries -LiteralPath $g -Now $now -From '2026-01-02T02:50:00Z' -Until $now -SkipEmpty)) {
    '{0} {1}' -f $p.UnixTime, $p.Value.ToString('R', [cultureinfo]::InvariantCulture)
}
(Get-WhisperInfo -LiteralPath $f).XFilesFactor.ToString([cultureinfo]::InvariantCulture)
(Get-FileHash -LiteralPath $f).Hash
(Get-FileHash -LiteralPath $g).Hash
'@ | Set-Content -LiteralPath $script
        $de = New-Item -ItemType Directory (Join-Path $dir 'de')
        $en = New-Item -ItemType Directory (Join-Path $dir 'en')
        $rde = Invoke-ChildPwsh -File $script -Arguments @('de-DE', $de.FullName, (Get-WhisperModulePath))
        $ren = Invoke-ChildPwsh -File $script -Arguments @('en-US', $en.FullName, (Get-WhisperModulePath))
        $rde.ExitCode | Should -Be 0 -Because ($rde.Output -join "`n")
        $ren.ExitCode | Should -Be 0 -Because ($ren.Output -join "`n")
        $rde.Output | Should -Be $ren.Output
        $ren.Output | Should -Contain '1767322860 1000'
        $ren.Output | Should -Contain '1767322800 1.5'
        $ren.Output | Should -Contain '1767322740 2.25'
        Get-FileSha256 (Join-Path $de 'c.wsp') | Should -Be (Get-FileSha256 (Join-Path $en 'c.wsp'))
        # The de-DE CSV really was culture-formatted, so the round trip above proves culture-safe reading.
        (Get-Content -Raw (Join-Path $de 'c.csv')) | Should -Match '"1,5"'
    }
}

Describe 'Time parameter forms' {
    It 'reads <Text> relative to -Now as <Offset> seconds' -ForEach @(
        @{ Text = 'now'; Offset = 0 }, @{ Text = '-90s'; Offset = -90 }, @{ Text = '-30min'; Offset = -1800 },
        @{ Text = '+1h'; Offset = 3600 }, @{ Text = 'now-1h'; Offset = -3600 }, @{ Text = '-7d'; Offset = -604800 },
        @{ Text = '-2w'; Offset = -1209600 }, @{ Text = '-1mon'; Offset = -2592000 }, @{ Text = '-1y'; Offset = -31536000 },
        @{ Text = '-5m'; Offset = -300 }
    ) {
        $t = [WhisperPS.WhisperTimeTransformationAttribute]::new().Transform($null, $Text)
        $t.IsRelative | Should -BeTrue
        $t.Resolve(1000000000) | Should -Be (1000000000 + $Offset)
    }

    It 'reads ISO 8601 the same whatever the current culture, and refuses a date whose reading depends on it' {
        $old = [cultureinfo]::CurrentCulture
        try {
            $results = foreach ($c in 'en-US', 'de-DE', 'ja-JP') {
                [cultureinfo]::CurrentCulture = $c
                [WhisperPS.WhisperTimeTransformationAttribute]::new().Transform($null, '2026-01-02T03:04:05+00:00').Seconds
                # 2 January month-first, 1 February day-first: never a silent guess...
                if ($IsWindows -and $c -eq 'en-US') {
                    # ...unless it is the culture's own format, which is read in it: Windows lists M/d/yyyy HH:mm:ss
                    # among en-US's date-time patterns (ICU on Linux has only the 12-hour one), so there it is 2 January.
                    [WhisperPS.WhisperTimeTransformationAttribute]::new().Transform($null, '01/02/2026 03:04:05 +00:00').Seconds | Should -Be 1767323045
                }
                else { { [WhisperPS.WhisperTimeTransformationAttribute]::new().Transform($null, '01/02/2026 03:04:05 +00:00') } | Should -Throw '*ambiguous*' }
            }
        }
        finally { [cultureinfo]::CurrentCulture = $old }
        $results | Should -Be @(1767323045, 1767323045, 1767323045)
    }

    It 'refuses <Text> with a message listing the accepted forms' -ForEach @(@{ Text = 'soon' }, @{ Text = '-1 fortnight' }, @{ Text = $true }) {
        { [WhisperPS.WhisperTimeTransformationAttribute]::new().Transform($null, $Text) } | Should -Throw '*Unix seconds*'
    }
}
