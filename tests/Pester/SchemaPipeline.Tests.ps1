# Test-WhisperSchema's records piped straight into Resize-WhisperFile and Set-WhisperAggregation (their expected
# Retention, AggregationMethod and XFilesFactor bind by property name), and Get-WhisperInfo -StorageRoot's Metric.
# What "expected" means is Get-CarbonStorageSchema's decision, which CarbonSchema.Tests proves against carbon itself;
# here every file must end with the header New-WhisperFile -Metric writes for its metric, byte for byte.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-WhisperModulePath) -Force -ErrorAction Stop

    function Get-HeaderHex([string] $LiteralPath) {
        $info = Get-WhisperInfo -LiteralPath $LiteralPath
        $length = 16 + 12 * $info.ArchiveCount
        ([IO.File]::ReadAllBytes($LiteralPath)[0..($length - 1)] | ForEach-Object { '{0:X2}' -f $_ }) -join ''
    }

    # A storage tree whose files were created under an old configuration, then a new configuration that differs for
    # some of them in retention, method or xFilesFactor (or several), and leaves others alone.
    function New-SchemaFixture([int] $Seed) {
        $rng = [Random]::new($Seed)
        $root = New-TestFolder
        $storage = Join-Path $root 'whisper'
        $conf = Join-Path $root 'conf'
        $null = New-Item -ItemType Directory $storage, $conf
        $now = 1767225600
        $retentions = '1m:1d,10m:30d', '1m:2d,1h:90d', '10s:6h,1m:7d,1h:1y', '5m:30d'
        $methods = 'average', 'sum', 'max', 'min', 'last'
        $groups = foreach ($g in 'apps', 'db', 'net', 'stats_counts', 'web') {
            [pscustomobject]@{
                Name = $g
                Old  = $retentions[$rng.Next($retentions.Count)]; OldMethod = $methods[$rng.Next($methods.Count)]; OldXff = @(0, 0.5, 0.3)[$rng.Next(3)]
                New  = $retentions[$rng.Next($retentions.Count)]; NewMethod = $methods[$rng.Next($methods.Count)]; NewXff = @(0, 0.5, 0.3, 0.501)[$rng.Next(4)]
            }
        }
        foreach ($g in $groups) {
            foreach ($i in 1..(1 + $rng.Next(3))) {
                $file = Join-Path $storage "$($g.Name)/host$i/value.wsp"
                $null = New-Item -ItemType Directory -Force (Split-Path $file)
                $null = New-WhisperFile -LiteralPath $file -Retention ($g.Old -split ',') -AggregationMethod $g.OldMethod -XFilesFactor $g.OldXff
                $points = foreach ($k in 0..(100 + $rng.Next(200))) { [pscustomobject]@{ UnixTime = $now - 60 * $k; Value = $rng.Next(1000) } }
                $points | Add-WhisperPoint -LiteralPath $file -Now $now
            }
        }
        $schemas = ($groups | ForEach-Object { "[$($_.Name)]`npattern = ^$($_.Name)\.`nretentions = $($_.New)`n" }) -join "`n"
        $aggregation = ($groups | ForEach-Object { "[$($_.Name)]`npattern = ^$($_.Name)\.`nxFilesFactor = $($_.NewXff)`naggregationMethod = $($_.NewMethod)`n" }) -join "`n"
        Set-Content -LiteralPath (Join-Path $conf 'storage-schemas.conf') $schemas
        Set-Content -LiteralPath (Join-Path $conf 'storage-aggregation.conf') $aggregation
        [pscustomobject]@{ Root = $root; Storage = $storage; Conf = $conf; Groups = $groups; Now = $now }
    }

    # The header New-WhisperFile -Metric writes for the metric (carbon's file), in a scratch storage root.
    function Get-ExpectedHeaderHex([string] $Metric, [string] $Conf) {
        $scratch = New-TestFolder
        $info = New-WhisperFile -Metric $Metric -StorageRoot $scratch -ConfigPath $Conf
        Get-HeaderHex $info.Path
    }
}

Describe 'Test-WhisperSchema | Resize-WhisperFile' {
    It 'gives every file the header carbon would create for its metric (seed <_>)' -ForEach @(Get-Random -Maximum 1000000; 7) {
        $seed = $_
        $f = New-SchemaFixture $seed
        $before = @(Test-WhisperSchema -StorageRoot $f.Storage -ConfigPath $f.Conf)
        $all = @(Get-ChildItem $f.Storage -Recurse -Filter *.wsp)
        # Keep the values of the files' finest archive in the last hours: a resize keeps data, the audit must not cost any.
        $series = @{}
        foreach ($file in $all) { $series[$file.FullName] = @(Get-WhisperSeries -LiteralPath $file.FullName -From ($f.Now - 3600) -Until $f.Now -Archive 0 | ForEach-Object { "$($_.UnixTime)=$($_.Value)" }) -join ' ' }

        $before | Resize-WhisperFile -Now $f.Now

        $after = @(Test-WhisperSchema -StorageRoot $f.Storage -ConfigPath $f.Conf)
        $after.Count | Should -Be 0 -Because "seed $seed; $($before.Count) of $($all.Count) files differed before"
        foreach ($file in $all) {
            $metric = (Get-WhisperInfo -LiteralPath $file.FullName -StorageRoot $f.Storage).Metric
            Get-HeaderHex $file.FullName | Should -Be (Get-ExpectedHeaderHex $metric $f.Conf) -Because "seed $seed, $metric"
        }
        # Untouched files are byte-identical in data too; resized ones with an unchanged first step keep those values.
        foreach ($m in $before) {
            $old = $m.CurrentRetention[0] -replace ':.*'
            $new = $m.Retention[0] -replace ':.*'
            if ($old -eq $new -and $m.Differences -notcontains 'AggregationMethod') {
                (@(Get-WhisperSeries -LiteralPath $m.Path -From ($f.Now - 3600) -Until $f.Now -Archive 0 | ForEach-Object { "$($_.UnixTime)=$($_.Value)" }) -join ' ') |
                    Should -Be $series[$m.Path] -Because "seed $seed, $($m.Path)"
            }
        }
    }

    It 'binds each record''s own values, never the previous record''s' {
        $dir = New-TestFolder
        $a = Join-Path $dir 'a.wsp'; $b = Join-Path $dir 'b.wsp'
        $null = New-WhisperFile $a -Retention 1m:1d -AggregationMethod average -XFilesFactor 0.5
        $null = New-WhisperFile $b -Retention 1m:1d -AggregationMethod average -XFilesFactor 0.5
        [pscustomobject]@{ Path = $a; Retention = '1m:2d'; AggregationMethod = 'Max'; XFilesFactor = 0.25 },
        [pscustomobject]@{ Path = $b; Retention = '5m:1d' } | Resize-WhisperFile
        $ia = Get-WhisperInfo $a; $ib = Get-WhisperInfo $b
        "$($ia.Retention) $($ia.AggregationMethod) $($ia.XFilesFactor)" | Should -Be '1min:2d Max 0.25'
        "$($ib.Retention) $($ib.AggregationMethod) $($ib.XFilesFactor)" | Should -Be '5min:1d Average 0.5'
    }

    It 'lets a value given on the command line win over the piped one' {
        $dir = New-TestFolder
        $a = Join-Path $dir 'a.wsp'
        $null = New-WhisperFile $a -Retention 1m:1d
        [pscustomobject]@{ Path = $a; Retention = '1m:2d'; AggregationMethod = 'Max' } | Resize-WhisperFile -AggregationMethod Min
        $i = Get-WhisperInfo $a
        "$($i.Retention) $($i.AggregationMethod)" | Should -Be '1min:2d Min'
    }

    It 'makes a piped record with an invalid retention that record''s error, and goes on' {
        $dir = New-TestFolder
        $a = Join-Path $dir 'a.wsp'; $b = Join-Path $dir 'b.wsp'
        $null = New-WhisperFile $a -Retention 1m:1d
        $null = New-WhisperFile $b -Retention 1m:1d
        $err = $null
        [pscustomobject]@{ Path = $a; Retention = '1m:1d,1m:2d' }, [pscustomobject]@{ Path = $b; Retention = '1m:3d' } |
            Resize-WhisperFile -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'WhisperRetentionInvalid,WhisperPS.Commands.ResizeWhisperFileCommand'
        $err[0].TargetObject | Should -Be $a
        (Get-WhisperInfo $a).Retention | Should -Be '1min:1d'
        (Get-WhisperInfo $b).Retention | Should -Be '1min:3d'
    }

    It 'still stops before touching any file when the command line''s retention is invalid' {
        $dir = New-TestFolder
        $a = Join-Path $dir 'a.wsp'
        $null = New-WhisperFile $a -Retention 1m:1d
        $hash = Get-FileSha256 $a
        { Get-Item $a | Resize-WhisperFile -Retention 1m:1d, 1m:2d -ErrorAction Stop } |
            Should -Throw -ErrorId 'WhisperRetentionInvalid,WhisperPS.Commands.ResizeWhisperFileCommand'
        Get-FileSha256 $a | Should -Be $hash
    }
}

Describe 'Test-WhisperSchema | Set-WhisperAggregation' {
    It 'sets the method and xFilesFactor each file should have (seed <_>)' -ForEach @(Get-Random -Maximum 1000000) {
        $seed = $_
        $f = New-SchemaFixture $seed
        Test-WhisperSchema -StorageRoot $f.Storage -ConfigPath $f.Conf | Set-WhisperAggregation
        $left = @(Test-WhisperSchema -StorageRoot $f.Storage -ConfigPath $f.Conf)
        # Only retention can still differ: Set-WhisperAggregation does not change archives.
        @($left | Where-Object { $_.Differences -ne 'Retention' }).Count | Should -Be 0 -Because "seed $seed"
        foreach ($m in $left) { $m.Differences | Should -Be @('Retention') -Because "seed $seed, $($m.Path)" }
    }

    It 'binds each record''s own values, and a record with neither is that record''s error' {
        $dir = New-TestFolder
        $a = Join-Path $dir 'a.wsp'; $b = Join-Path $dir 'b.wsp'; $c = Join-Path $dir 'c.wsp'
        foreach ($p in $a, $b, $c) { $null = New-WhisperFile $p -Retention 1m:1d -AggregationMethod average -XFilesFactor 0.5 }
        $err = $null
        [pscustomobject]@{ Path = $a; AggregationMethod = 'Sum'; XFilesFactor = 0 },
        [pscustomobject]@{ Path = $b },
        [pscustomobject]@{ Path = $c; XFilesFactor = 0.75 } | Set-WhisperAggregation -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'WhisperAggregationMissing,WhisperPS.Commands.SetWhisperAggregationCommand'
        $err[0].TargetObject | Should -Be $b
        $ia = Get-WhisperInfo $a; $ib = Get-WhisperInfo $b; $ic = Get-WhisperInfo $c
        "$($ia.AggregationMethod) $($ia.XFilesFactor)" | Should -Be 'Sum 0'
        "$($ib.AggregationMethod) $($ib.XFilesFactor)" | Should -Be 'Average 0.5'
        "$($ic.AggregationMethod) $($ic.XFilesFactor)" | Should -Be 'Average 0.75'
    }
}

Describe 'Get-WhisperInfo -StorageRoot' {
    BeforeAll {
        $script:root = New-TestFolder
        $script:files = @{
            'servers/web01/cpu.wsp'                      = 'servers.web01.cpu'
            'stats_counts/a b/ü.wsp'                     = 'stats_counts.a b.ü'
            '_tagged/1e3/4a0/disk_DOT_used;host=a.wsp'   = 'disk.used;host=a'
            ('_tagged/2ab/cde/' + ('0123456789abcdef' * 4) + '.wsp') = $null
        }
        foreach ($rel in $script:files.Keys) {
            $p = Join-Path $script:root $rel
            $null = New-Item -ItemType Directory -Force (Split-Path $p)
            $null = New-WhisperFile -LiteralPath $p -Retention 1m:1h
        }
        $script:outside = Join-Path (New-TestFolder) 'x.wsp'
        $null = New-WhisperFile -LiteralPath $script:outside -Retention 1m:1h
    }

    It 'names each file by carbon''s metric name, and a hashed tagged series not at all' {
        $infos = @(Get-ChildItem -LiteralPath $script:root -Recurse -Filter *.wsp | Get-WhisperInfo -StorageRoot $script:root -WarningVariable w)
        $w.Count | Should -Be 0
        $infos.Count | Should -Be $script:files.Count
        foreach ($rel in $script:files.Keys) {
            $info = $infos | Where-Object Path -eq (Join-Path $script:root $rel)
            $info.Metric | Should -Be $script:files[$rel] -Because $rel
        }
    }

    It 'leaves Metric empty without a storage root, and warns for a file outside it' {
        (Get-WhisperInfo -LiteralPath $script:outside).Metric | Should -BeNullOrEmpty
        $info = Get-WhisperInfo -LiteralPath $script:outside -StorageRoot $script:root -WarningVariable w -WarningAction SilentlyContinue
        $info.Metric | Should -BeNullOrEmpty
        $w.Count | Should -Be 1
        "$($w[0])" | Should -BeLike "*not under the storage root*"
    }

    It 'takes a relative storage root through the provider' {
        Push-Location -LiteralPath (Split-Path $script:root)
        try { (Get-WhisperInfo -LiteralPath (Join-Path $script:root 'servers/web01/cpu.wsp') -StorageRoot (Split-Path $script:root -Leaf)).Metric | Should -Be 'servers.web01.cpu' }
        finally { Pop-Location }
    }
}
