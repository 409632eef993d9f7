BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-WhisperModulePath) -Force -ErrorAction Stop
    $script:Now = 1700000000
    function New-Filled([string] $Path, [string] $Method = 'Sum') {
        $null = New-WhisperFile -LiteralPath $Path -Retention 10s:1h, 1m:1d -AggregationMethod $Method -XFilesFactor 0
        $pts = foreach ($i in 0..359) { [pscustomobject]@{ UnixTime = $Now - 10 * $i; Value = $i % 9 } }
        $pts | Add-WhisperPoint -LiteralPath $Path -Now $Now
        $Path
    }
}

Describe 'Resize-WhisperFile' {
    BeforeEach { $dir = New-TestFolder }

    It 'takes files from Get-ChildItem, keeps sums, and -PassThru shows the new layout' {
        $a = New-Filled (Join-Path $dir 'a.wsp'); $b = New-Filled (Join-Path $dir 'b.wsp')
        $sum = (Get-WhisperSeries -LiteralPath $a -From ($Now - 3600) -Until $Now -Now $Now -SkipEmpty | Measure-Object Value -Sum).Sum
        $out = Get-ChildItem $dir -Filter *.wsp | Resize-WhisperFile -Retention 5m:7d -Now $Now -PassThru
        @($out).Count | Should -Be 2
        $out[0].Retention | Should -Be '5min:7d'
        foreach ($f in $a, $b) {
            (Get-WhisperSeries -LiteralPath $f -From ($Now - 3900) -Until $Now -Now $Now -SkipEmpty | Measure-Object Value -Sum).Sum | Should -Be $sum
        }
        Get-ChildItem $dir | Where-Object Name -like '*.journal' | Should -BeNullOrEmpty
    }

    It '-NoFlush gives the same files, keeps one journal for the pipeline and leaves none, also when stopped early' {
        $files = foreach ($i in 1..6) { New-Filled (Join-Path $dir "n$i.wsp") ('Sum', 'Max', 'Average')[$i % 3] }
        $ref = Join-Path $dir 'ref'
        $null = New-Item -ItemType Directory $ref
        foreach ($f in $files) { Copy-Item -LiteralPath $f -Destination $ref }
        Get-ChildItem $ref -Filter *.wsp | Resize-WhisperFile -Retention 1m:7d, 1h:30d -Now $Now
        # Between two files the pipeline keeps one (invalid) journal: seen from the next command in the pipeline.
        # Not on Windows, where every rewrite creates and deletes its own (a file open there cannot be renamed).
        $seen = Get-ChildItem $dir -Filter *.wsp | Resize-WhisperFile -Retention 1m:7d, 1h:30d -Now $Now -NoFlush -PassThru |
            ForEach-Object { @(Get-ChildItem $dir -Filter *.journal).Count }
        $kept = if ($IsWindows) { 0 } else { 1 }
        $seen | Should -Be @($kept, $kept, $kept, $kept, $kept, $kept)
        Get-ChildItem $dir -Filter *.journal | Should -BeNullOrEmpty
        foreach ($f in $files) { Get-FileSha256 $f | Should -Be (Get-FileSha256 (Join-Path $ref (Split-Path -Leaf $f))) }
        # Stopped part-way by Select-Object -First: the kept journal is removed too.
        Get-ChildItem $dir -Filter *.wsp | Resize-WhisperFile -Retention 1m:1d -Now $Now -NoFlush -PassThru | Select-Object -First 2 | Out-Null
        Get-ChildItem $dir -Filter *.journal | Should -BeNullOrEmpty
    }

    It 'tells each file''s old and new layout with -Verbose or $VerbosePreference, and nothing without' {
        $a = New-Filled (Join-Path $dir 'a.wsp')
        $v = @(Resize-WhisperFile -LiteralPath $a -Retention 1m:2d -Now $Now -Verbose 4>&1 | Where-Object { $_ -is [Management.Automation.VerboseRecord] })
        @($v.Message -match "^'.*a\.wsp': 10s:1h,1min:1d sum xff 0 -> 1min:2d sum xff 0; \d+ point\(s\) before, \d+ after").Count | Should -Be 1
        $v = & { $VerbosePreference = 'Continue'; Resize-WhisperFile -LiteralPath $a -Retention 1m:3d -Now $Now 4>&1 }
        @($v).Count | Should -Be 1
        @(Resize-WhisperFile -LiteralPath $a -Retention 1m:4d -Now $Now 4>&1).Count | Should -Be 0
    }

    It '-WhatIf changes nothing' {
        $a = New-Filled (Join-Path $dir 'a.wsp')
        $hash = Get-FileSha256 $a
        Resize-WhisperFile $a 1m:1d -Now $Now -WhatIf
        Get-FileSha256 $a | Should -Be $hash
    }

    It 'one bad file gets an error record and the others are still resized' {
        $a = New-Filled (Join-Path $dir 'a.wsp')
        $bad = Join-Path $dir 'bad.wsp'
        [IO.File]::WriteAllBytes($bad, [byte[]](1..40))
        $c = New-Filled (Join-Path $dir 'c.wsp')
        $errs = $null
        Resize-WhisperFile $a, $bad, $c -Retention 1m:2d -Now $Now -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'WhisperFileCorrupt,*'
        $errs[0].TargetObject | Should -Be $bad
        (Get-WhisperInfo $a).Retention | Should -Be '1min:2d'
        (Get-WhisperInfo $c).Retention | Should -Be '1min:2d'
    }

    It '-Backup keeps the old file, and refuses to overwrite an existing backup' {
        $a = New-Filled (Join-Path $dir 'a.wsp')
        $hash = Get-FileSha256 $a
        Resize-WhisperFile $a 1m:1d -Now $Now -Backup
        Get-FileSha256 "$a.bak" | Should -Be $hash
        $hash2 = Get-FileSha256 $a
        $errs = $null
        Resize-WhisperFile $a 5m:1d -Now $Now -Backup -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs.Count | Should -Be 1
        Get-FileSha256 $a | Should -Be $hash2
    }

    It 'rejects an invalid retention before touching any file' {
        $a = New-Filled (Join-Path $dir 'a.wsp')
        { Resize-WhisperFile $a -Retention 1m:1d, 90s:7d } |
            Should -Throw -ErrorId 'WhisperRetentionInvalid,WhisperPS.Commands.ResizeWhisperFileCommand'
    }
}

Describe 'Clear-WhisperSeries' {
    BeforeEach { $dir = New-TestFolder }

    It 'removes the range from every archive and recomputes the rollups it fed' {
        $a = New-Filled (Join-Path $dir 'a.wsp')
        Clear-WhisperSeries $a -From ($Now - 1200) -Until ($Now - 601) -Now $Now -Confirm:$false
        $fine = Get-WhisperSeries $a -From ($Now - 3600) -Until $Now -Now $Now -Archive 0 -SkipEmpty
        @($fine | Where-Object { $_.UnixTime -ge $Now - 1200 -and $_.UnixTime -le $Now - 601 }).Count | Should -Be 0
        @($fine).Count | Should -Be (360 - 60)
        # Each minute rollup equals the sum of the ten-second points left in it.
        $coarse = Get-WhisperSeries $a -From ($Now - 3000) -Until ($Now - 120) -Now $Now -Archive 1
        foreach ($m in $coarse) {
            $expected = @($fine | Where-Object { $_.UnixTime -ge $m.UnixTime -and $_.UnixTime -lt $m.UnixTime + 60 })
            if ($expected.Count -eq 0) { $m.Value | Should -BeNullOrEmpty }
            else { $m.Value | Should -Be ($expected | Measure-Object Value -Sum).Sum }
        }
    }

    It 'requires -From' {
        $a = New-Filled (Join-Path $dir 'a.wsp')
        { Clear-WhisperSeries $a -Confirm:$false } |
            Should -Throw -ErrorId 'WhisperTimeIntervalInvalid,WhisperPS.Commands.ClearWhisperSeriesCommand'
    }
}
