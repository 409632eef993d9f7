# What each documented example must achieve, checked after it has run (tests/Pester/Examples.Tests.ps1).
# One entry per example, keyed '<Cmdlet> <Number>': Check runs in the example's scratch folder (./whisper is the storage
# tree of docs/examples/New-ExampleStorage.ps1, as the example left it) and gets the text of each code block's output
# as $Outputs; it uses Should. An optional Setup runs in the same folder before the example, to add what the check
# needs to have teeth. An example without an entry fails the suite: add one with every new example.

function script:Get-SeriesText([string] $LiteralPath, [string] $From = '-1h') {
    Get-WhisperSeries -LiteralPath $LiteralPath -From $From | ForEach-Object { "$($_.UnixTime)=$($_.Value)" }
}


function script:Assert-DocumentedOutput([string[]] $Outputs) {
    # The example prints what its page shows, up to what depends on the clock and the data (numbers, dates, column
    # widths) and the folder it ran in (captured in /srv/graphite): the same lines with the same words, in order.
    $normalize = {
        param([string] $Text)
        $t = $Text -replace [regex]::Escape([string] $ExampleScratch), '/srv/graphite'
        $t = $t -replace '\d+([.,]\d+)*([eE][+-]?\d+)?', '#' -replace '-{2,}', '--'
        # Without white space: a longer scratch path wraps a table's columns differently, not its text.
        $t -replace '\s+', ''
    }
    $actual = & $normalize (($Outputs | Where-Object { $_ }) -join "`n")
    $documented = & $normalize ($ExampleDocumented -join "`n")
    $actual.Length | Should -BeGreaterThan 0
    $actual | Should -Be $documented
}

@{
    'Add-WhisperPoint 1' = @{
        Check = { param($Outputs)
            $Outputs[0] | Should -Match 'user\.wsp\s+Average'
            (Get-WhisperSeries ./whisper/servers/web01/cpu/user.wsp -From -3min)[-1].Value | Should -Be 42.5
        }
    }
    'Add-WhisperPoint 2' = @{
        Check = { param($Outputs)
            foreach ($name in 'processes.wsp', 'disk_free.wsp') {
                $f = "./whisper/hosts/local/$name"
                (Get-WhisperInfo $f).AggregationMethod | Should -Be 'Last'
                @(Get-WhisperSeries $f -From -10min).Count | Should -Be 1
            }
            @(Get-WhisperSeries ./whisper/hosts/local/processes.wsp -From -10min)[0].Value | Should -BeGreaterThan 0
        }
    }
    'Add-WhisperPoint 3' = @{
        Check = { param($Outputs)
            $source = @(Get-SeriesText ./whisper/servers/web01/cpu/user.wsp)
            $source.Count | Should -BeGreaterOrEqual 59
            Get-SeriesText ./whisper/servers/web01/cpu/user-copy.wsp | Should -Be $source
            $Outputs[0] | Should -Match '(?m)^\d+$'
        }
    }
    'Add-WhisperPoint 4' = @{
        Check = { param($Outputs)
            # 812.5 and 811 in consecutive minutes, the gap skipped (the minute after keeps the stored value).
            $s = @(Get-WhisperSeries ./whisper/servers/db01/disk/free.wsp -From -6min)
            $i = [array]::FindIndex($s, [Predicate[object]] { param($p) $p.Value -eq 812.5 })
            $i | Should -BeGreaterOrEqual 0
            $s[$i + 1].Value | Should -Be 811
            ($s[$i + 1].UnixTime - $s[$i].UnixTime) | Should -Be 60
        }
    }
    'Get-WhisperInfo 1' = @{
        Check = { param($Outputs)
            $Outputs[0] | Should -Match 'AggregationMethod\s*:\s*Average'
            $Outputs[0] | Should -Match 'Retention\s*:\s*1min:1d,10min:30d'
            $Outputs[0] | Should -Match 'FileSize\s*:\s*69160'
        }
    }
    'Get-WhisperInfo 2' = @{
        Check = { param($Outputs)
            $Outputs[0] | Should -Match '(?m)^\s*0\s+1min:1d\s+60\s+1440\s+86400\s+40\s+17280\s*$'
            $Outputs[0] | Should -Match '(?m)^\s*1\s+10min:30d\s+600\s+4320\s+2592000\s+17320\s+51840\s*$'
        }
    }
    'Get-WhisperInfo 3' = @{
        Check = { param($Outputs)
            $Outputs[0] | Should -Match '(?m)^\s*6\s+1min:1d,10min:30d, Average\s+414960'
            $Outputs[0] | Should -Match '(?m)^\s*1\s+1min:1d,10min:30d, Last\s+69160'
        }
    }
    'Get-WhisperInfo 4' = @{
        Check = { param($Outputs)
            $rows = @(Import-Csv ./whisper-inventory.csv)
            $rows.Count | Should -Be @(Get-ChildItem ./whisper -Recurse -Filter *.wsp).Count
            $rows | ForEach-Object { Test-Path -LiteralPath $_.Path | Should -BeTrue; $_.FileSize | Should -Be '69160' }
        }
    }
    'Get-WhisperSeries 1' = @{
        Check = { param($Outputs)
            $rows = @($Outputs[0] -split "`n" | Where-Object { $_ -match '^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+\d+\s+\S+$' })
            $rows.Count | Should -BeGreaterOrEqual 9
            $rows.Count | Should -BeLessOrEqual 10
        }
    }
    'Get-WhisperSeries 2' = @{
        Check = { param($Outputs)
            $rows = @(Import-Csv ./last-hour.csv)
            $rows.Count | Should -Be ([int] ($Outputs[0] -split "`n")[-1])
            $rows.Count | Should -BeGreaterOrEqual (6 * 59)
            # The Timestamp column carries its zone and names the same second as UnixTime, in this culture.
            $rows | ForEach-Object {
                $_.Timestamp | Should -Match '\+00:00$'
                [DateTimeOffset]::Parse($_.Timestamp, [cultureinfo]::CurrentCulture).ToUnixTimeSeconds() | Should -Be ([long] $_.UnixTime)
                $_.Value | Should -Not -BeNullOrEmpty
            }
        }
    }
    'Get-WhisperSeries 3' = @{
        Check = { param($Outputs)
            # Points and Average describe the stored values only: empty slots are neither counted nor averaged as 0.
            foreach ($server in 'web01', 'web02', 'db01') {
                $values = @(Get-WhisperSeries "./whisper/servers/$server/cpu/user.wsp" -From -1h -IncludeEmpty |
                    Where-Object { $null -ne $_.Value } | ForEach-Object Value)
                $line = @($Outputs[0] -split "`n" | Where-Object { $_ -match "^$server\s" })[0]
                $f = -split $line
                [int] $f[1] | Should -Be $values.Count
                [double] $f[2] | Should -Be ([math]::Round(($values | Measure-Object -Average).Average, 2))
            }
        }
    }
    'Get-WhisperSeries 4' = @{
        Check = { param($Outputs)
            $rows = @($Outputs[0] -split "`n" | Where-Object { $_ -match '\+00:00\s+\d+\s+\S+$' })
            $rows.Count | Should -BeGreaterOrEqual 5
            $rows | ForEach-Object { [long] (-split $_)[-2] % 600 | Should -Be 0 }
        }
    }
    'Merge-WhisperFile 1' = @{
        # A renamed host has nested metrics whose last two folders repeat (disk/sda/read/count, disk/sdb/read/count):
        # each must land at the same relative path under the new name, never two in one file.
        Setup = {
            $i = 0
            foreach ($disk in 'sda', 'sdb') {
                $f = "./whisper/servers/web02/disk/$disk/read/count.wsp"
                $null = New-Item -ItemType Directory -Force (Split-Path $f)
                $null = New-WhisperFile -LiteralPath $f -Retention 1m:1d, 10m:30d -AggregationMethod Sum
                $i++
                1..30 | ForEach-Object { [pscustomobject] @{ Timestamp = "-$($_)min"; Value = 1000 * $i + $_ } } | Add-WhisperPoint -LiteralPath $f
            }
        }
        Check = { param($Outputs)
            $old = (Resolve-Path ./whisper/servers/web02).ProviderPath
            $files = @(Get-ChildItem ./whisper/servers/web02 -Recurse -Filter *.wsp)
            $files.Count | Should -Be 4
            foreach ($f in $files) {
                $relative = $f.FullName.Substring($old.Length).TrimStart('/', '\')
                $target = Join-Path ./whisper/servers/app02 $relative
                Test-Path -LiteralPath $target | Should -BeTrue -Because "$relative must be carried over"
                Get-SeriesText $target | Should -Be @(Get-SeriesText $f.FullName) -Because $relative
            }
        }
    }
    'Merge-WhisperFile 2' = @{
        Check = { param($Outputs)
            Get-SeriesText ./whisper/servers/db01/disk/free.wsp | Should -Be @(Get-SeriesText ./free-backup.wsp)
            $Outputs[0] | Should -Match 'free\.wsp'
        }
    }
    'New-WhisperFile 1' = @{
        Check = { param($Outputs)
            (Get-WhisperInfo ./whisper/servers/web03/cpu/user.wsp).Retention | Should -Be '1min:1d,10min:30d'
        }
    }
    'New-WhisperFile 2' = @{
        Check = { param($Outputs)
            $i = Get-WhisperInfo ./whisper/stats_counts/web/errors.wsp
            "$($i.AggregationMethod) $($i.XFilesFactor) $($i.Retention)" | Should -Be 'Sum 0 10s:6h,1min:7d,10min:5y'
        }
    }
    'New-WhisperFile 3' = @{
        Check = { param($Outputs)
            'user', 'system', 'iowait' | ForEach-Object { (Get-WhisperInfo "./whisper/servers/web04/cpu/$_.wsp").Retention | Should -Be '1min:1d,10min:30d' }
        }
    }
    'New-WhisperFile 4' = @{
        Check = { param($Outputs)
            $Outputs[0] | Should -Match 'First attempt: WhisperFileExists,'
            (Get-WhisperInfo ./whisper/servers/web01/cpu/user.wsp).Retention | Should -Be '10s:6h,1min:7d,10min:1y'
            Get-WhisperSeries ./whisper/servers/web01/cpu/user.wsp -From -1h | Should -BeNullOrEmpty
        }
    }
    'Set-WhisperAggregation 1' = @{
        Check = { param($Outputs)
            $i = Get-WhisperInfo ./whisper/stats_counts/web/requests.wsp
            "$($i.AggregationMethod) $($i.XFilesFactor)" | Should -Be 'Sum 0'
        }
    }
    'Set-WhisperAggregation 2' = @{
        Check = { param($Outputs)
            Get-ChildItem ./whisper/servers -Recurse -Filter *.wsp | Where-Object { $_.Directory.Name -eq 'cpu' } |
                ForEach-Object { (Get-WhisperInfo -LiteralPath $_.FullName).AggregationMethod | Should -Be 'Average' }
        }
    }
    'Set-WhisperAggregation 3' = @{
        Check = { param($Outputs)
            $i = Get-WhisperInfo ./whisper/servers/db01/disk/free.wsp
            "$($i.AggregationMethod) $($i.XFilesFactor)" | Should -Be 'Min 0'
            $Outputs[0] | Should -Match 'aggregation last -> min'
        }
    }
    'Export-WhisperSeries 1' = @{
        Check = { param($Outputs)
            # The same bytes as the pipeline, and one row per point of the last hour of the five server files.
            ($Outputs[-1] -split "`n")[-1].Trim() | Should -Be 'True'
            $rows = @(Import-Csv ./last-hour.csv)
            $rows.Count | Should -BeGreaterOrEqual (6 * 59)
            $rows[0].Timestamp | Should -Match '\+00:00$'
            ($rows | Group-Object Path).Count | Should -Be 6
        }
    }
    'Export-WhisperSeries 2' = @{
        Check = { param($Outputs)
            $rows = @(Import-Csv ./cpu.csv)
            @($rows[0].PSObject.Properties.Name) | Should -Be @('Timestamp', 'UnixTime', 'db01.cpu.user', 'web01.cpu.system', 'web01.cpu.user', 'web02.cpu.system', 'web02.cpu.user')
            $rows.Count | Should -BeGreaterOrEqual 4
            foreach ($r in $rows) {
                $p = @(Get-WhisperSeries ./whisper/servers/web01/cpu/user.wsp -From ([long] $r.UnixTime - 1) -Until ([long] $r.UnixTime))
                [double] $r.'web01.cpu.user' | Should -Be $p[0].Value
            }
        }
    }
    'Export-WhisperSeries 3' = @{
        Check = { param($Outputs)
            ($Outputs[-1] -split "`n")[-1].Trim() | Should -Be 'True'
            $back = @(Get-Content ./disk.jsonl | ConvertFrom-Json)
            $back.Count | Should -BeGreaterOrEqual 2
            foreach ($b in $back) {
                $p = @(Get-WhisperSeries ./whisper/servers/db01/disk/free.wsp -From ([long] $b.UnixTime - 1) -Until ([long] $b.UnixTime))
                [double] $b.Value | Should -Be $p[0].Value
            }
        }
    }
    'Export-WhisperSeries 4' = @{
        Check = { param($Outputs)
            ($Outputs[-1] -split "`n")[-1].Trim() | Should -Be 'True'
            # The files in the documented order: a folder's *.wsp files by ordinal name, then its subfolders.
            function Get-Ordered([string] $Folder) {
                $items = @(Get-ChildItem -LiteralPath $Folder | Where-Object { -not $_.Name.StartsWith('.') })
                [string[]] $files = @($items | Where-Object { -not $_.PSIsContainer -and $_.Name.EndsWith('.wsp') } | ForEach-Object FullName)
                [Array]::Sort($files, [StringComparer]::Ordinal)
                $files
                [string[]] $subs = @($items | Where-Object PSIsContainer | ForEach-Object FullName)
                [Array]::Sort($subs, [StringComparer]::Ordinal)
                foreach ($s in $subs) { Get-Ordered $s }
            }
            $rows = @(Import-Csv ./tree.csv)
            $paths = @($rows.Path | Select-Object -Unique)
            $paths.Count | Should -BeGreaterOrEqual 5
            $paths | Should -Be @(Get-Ordered (Resolve-Path ./whisper).ProviderPath | Where-Object { $_ -in $paths })
            foreach ($r in $rows[0..19]) {
                $p = @(Get-WhisperSeries -LiteralPath $r.Path -From ([long] $r.UnixTime - 1) -Until ([long] $r.UnixTime))
                [double] $r.Value | Should -Be $p[0].Value
            }
        }
    }
    'Clear-WhisperSeries 1' = @{ Check = { param($Outputs) Assert-DocumentedOutput $Outputs } }
    'Clear-WhisperSeries 2' = @{ Check = { param($Outputs) Assert-DocumentedOutput $Outputs } }
    'Compare-WhisperFile 1' = @{ Check = { param($Outputs) Assert-DocumentedOutput $Outputs } }
    'Compare-WhisperFile 2' = @{ Check = { param($Outputs) Assert-DocumentedOutput $Outputs } }
    'Compare-WhisperFile 3' = @{ Check = { param($Outputs) Assert-DocumentedOutput $Outputs } }
    'Compare-WhisperFile 4' = @{ Check = { param($Outputs) Assert-DocumentedOutput $Outputs } }
    'Get-CarbonDestination 1' = @{ Check = { param($Outputs) Assert-DocumentedOutput $Outputs } }
    'Get-CarbonDestination 2' = @{ Check = { param($Outputs) Assert-DocumentedOutput $Outputs } }
    'Get-CarbonDestination 3' = @{ Check = { param($Outputs) Assert-DocumentedOutput $Outputs } }
    'Get-CarbonDestination 4' = @{ Check = { param($Outputs) Assert-DocumentedOutput $Outputs } }
    'Get-CarbonStorageSchema 1' = @{ Check = { param($Outputs) Assert-DocumentedOutput $Outputs } }
    'Get-CarbonStorageSchema 2' = @{ Check = { param($Outputs) Assert-DocumentedOutput $Outputs } }
    'Get-CarbonStorageSchema 3' = @{ Check = { param($Outputs) Assert-DocumentedOutput $Outputs } }
    'Get-WhisperInfo 5' = @{
        Check = { param($Outputs)
            # Only the backfilled file is stale, although it was written last.
            $Outputs[0] | Should -Match 'web03/cpu/user\.wsp'
            @($Outputs[0] -split "`n" | Where-Object { $_ -match '\.wsp' }).Count | Should -Be 1
            $info = Get-WhisperInfo ./whisper/servers/web03/cpu/user.wsp
            ((Get-Date) - $info.LastUpdate.UtcDateTime.ToLocalTime()).TotalDays | Should -BeGreaterThan 2.9
            ((Get-Date).ToUniversalTime() - $info.LastWriteTimeUtc).TotalMinutes | Should -BeLessThan 10
        }
    }
    'Get-WhisperInfo 6' = @{ Check = { param($Outputs) Assert-DocumentedOutput $Outputs } }
    'Get-WhisperInfo 7' = @{
        Check = { param($Outputs)
            $rows = @(Get-ChildItem ./whisper/servers/web01 -Recurse -Filter *.wsp | Get-WhisperInfo -StorageRoot ./whisper)
            $rows.Count | Should -Be 2
            foreach ($r in $rows) {
                # carbon's name: the path under the root, folders to dots
                $r.Metric | Should -Be ($r.Path.Substring((Resolve-Path ./whisper).ProviderPath.Length + 1) -replace '\.wsp$' -replace '[\\/]', '.')
                $Outputs[0] | Should -Match ([regex]::Escape($r.Metric) + '\s+1min:1d,10min:30d')
            }
        }
    }
    'Get-WhisperSlot 1' = @{ Check = { param($Outputs) Assert-DocumentedOutput $Outputs } }
    'Get-WhisperSlot 2' = @{ Check = { param($Outputs) Assert-DocumentedOutput $Outputs } }
    'Get-WhisperSlot 3' = @{ Check = { param($Outputs) Assert-DocumentedOutput $Outputs } }
    'New-WhisperFile 5' = @{ Check = { param($Outputs) Assert-DocumentedOutput $Outputs } }
    'Repair-WhisperFile 1' = @{ Check = { param($Outputs) Assert-DocumentedOutput $Outputs } }
    'Repair-WhisperFile 2' = @{
        Check = { param($Outputs)
            # The union of the two replicas is the whole series, and the example's own comparison said so.
            ($Outputs -join "`n") | Should -Match '(?m)^True$'
            # Filled slots reported; StillEmpty depends on the minute the example runs in (the range's newest slot).
            $Outputs[0] | Should -Match 'repaired\.wsp\s+[1-9]\d*\s'
            Get-SeriesText ./repaired.wsp '-3h' | Should -Be @(Get-SeriesText ./whisper/servers/db01/cpu/user.wsp '-3h')
        }
    }
    'Repair-WhisperFile 3' = @{ Check = { param($Outputs) Assert-DocumentedOutput $Outputs } }
    'Repair-WhisperFile 4' = @{
        Check = { param($Outputs)
            Assert-DocumentedOutput $Outputs
            # Every file below the storage root now holds its replica's last hour: the outage is filled from the
            # file at the same relative path, and no file took another's data.
            $files = @(Get-ChildItem ./whisper/servers -Recurse -Filter *.wsp)
            $files.Count | Should -Be 6
            foreach ($f in $files) {
                $replica = $f.FullName -replace '[\\/]whisper[\\/]', '/replica/'
                Get-SeriesText $f.FullName | Should -Be @(Get-SeriesText $replica)
            }
        }
    }
    'Resize-WhisperFile 1' = @{ Check = { param($Outputs) Assert-DocumentedOutput $Outputs } }
    'Resize-WhisperFile 2' = @{ Check = { param($Outputs) Assert-DocumentedOutput $Outputs } }
    'Resize-WhisperFile 3' = @{ Check = { param($Outputs) Assert-DocumentedOutput $Outputs } }
    'Send-CarbonMetric 1' = @{ Check = { param($Outputs) Assert-DocumentedOutput $Outputs } }
    'Send-CarbonMetric 2' = @{ Check = { param($Outputs) Assert-DocumentedOutput $Outputs } }
    'Send-CarbonMetric 3' = @{ Check = { param($Outputs) Assert-DocumentedOutput $Outputs } }
    'Sync-CarbonCluster 1' = @{ Check = { param($Outputs) Assert-DocumentedOutput $Outputs } }
    'Sync-CarbonCluster 2' = @{ Check = { param($Outputs) Assert-DocumentedOutput $Outputs } }
    'Test-CarbonCluster 1' = @{ Check = { param($Outputs) Assert-DocumentedOutput $Outputs } }
    'Test-CarbonCluster 2' = @{ Check = { param($Outputs) Assert-DocumentedOutput $Outputs } }
    'Test-WhisperFile 1' = @{ Check = { param($Outputs) Assert-DocumentedOutput $Outputs } }
    'Test-WhisperFile 2' = @{ Check = { param($Outputs) Assert-DocumentedOutput $Outputs } }
    'Test-WhisperFile 3' = @{ Check = { param($Outputs) Assert-DocumentedOutput $Outputs } }
    'Resize-WhisperFile 4' = @{
        Check = { param($Outputs)
            ($Outputs -join "`n") | Should -Match 'Files that still differ: 0'
            $infos = @(Get-ChildItem ./whisper -Recurse -Filter *.wsp | Get-WhisperInfo -StorageRoot ./whisper)
            $infos.Count | Should -Be 7
            foreach ($i in $infos) {
                $s = Get-CarbonStorageSchema -Metric $i.Metric -ConfigPath ./carbon
                $i.Retention | Should -Be ($s.Retention -join ',')
                $i.AggregationMethod | Should -Be $s.AggregationMethod
                $i.XFilesFactor | Should -Be ([float] $s.XFilesFactor)
                # the last hour's one-minute points survive the resize
                @(Get-WhisperSeries -LiteralPath $i.Path -From -1h).Count | Should -BeGreaterOrEqual 55
            }
        }
    }
    'Test-WhisperSchema 1' = @{ Check = { param($Outputs) Assert-DocumentedOutput $Outputs } }
    'Test-WhisperSchema 2' = @{ Check = { param($Outputs) Assert-DocumentedOutput $Outputs } }
    'Test-WhisperSchema 3' = @{ Check = { param($Outputs) Assert-DocumentedOutput $Outputs } }
    'Show-WhisperChart 1' = @{
        Check = { param($Outputs)
            $lines = $Outputs[0] -split "`n"
            foreach ($l in $lines) { $l.Length | Should -BeLessOrEqual 90 }
            $Outputs[0] | Should -Match '[\u2801-\u28FF]'
            $Outputs[0] | Should -Match '(?m)^● user\s+min \d'
            # The exact summary is the data's: the minimum of the last day's values.
            $min = (Get-WhisperSeries ./whisper/servers/web01/cpu/user.wsp | Measure-Object Value -Minimum).Minimum
            $Outputs[0] | Should -Match ("min " + [regex]::Escape(([double] $min).ToString('G6', [cultureinfo]::InvariantCulture)) + '\s')
        }
    }
    'Show-WhisperChart 2' = @{
        Check = { param($Outputs)
            $Outputs[0] | Should -Not -Match '[^\x09\x0A\x0D\x20-\x7E]'
            @($Outputs[0] -split "`n" | Where-Object { $_ -match '^\s*\+-' }).Count | Should -Be 3
            foreach ($s in 'db01/cpu/user', 'web01/cpu/user', 'web02/cpu/user') { $Outputs[0] | Should -Match ('(?m)^\* ' + [regex]::Escape($s) + '$') }
        }
    }
    'Show-WhisperChart 3' = @{
        Check = { param($Outputs)
            $busy = @(Get-WhisperSeries ./whisper/stats_counts/web/requests.wsp -From -1h | Where-Object Value -gt 1000)
            $Outputs[0] | Should -Match ("\(" + $busy.Count + " points\)")
            $Outputs[0] | Should -Match ('min ' + [regex]::Escape(([double] ($busy | Measure-Object Value -Minimum).Minimum).ToString('G6', [cultureinfo]::InvariantCulture)))
        }
    }
    'Export-WhisperChart 1' = @{
        Check = { param($Outputs)
            $Outputs[0] | Should -Match 'web01-cpu\.svg'
            [xml] $svg = Get-Content -Raw ./web01-cpu.svg
            $names = @($svg.SelectNodes("//*[local-name()='g'][@class='series']") | ForEach-Object { $_.GetAttribute('data-name') })
            $names | Should -Be @('system', 'user')
            $svg.SelectSingleNode("//*[@class='title']").InnerText | Should -Be 'web01 CPU'
        }
    }
    'Export-WhisperChart 2' = @{
        Check = { param($Outputs)
            foreach ($server in 'db01', 'web01', 'web02') {
                $html = Get-Content -Raw "./$server.html"
                $html | Should -Match "<title>$server</title>"
                $html | Should -Not -Match '<script'
                $files = @(Get-ChildItem "./whisper/servers/$server" -Recurse -Filter *.wsp)
                ([regex]::Matches($html, 'class="series"')).Count | Should -Be $files.Count
            }
        }
    }
    'Export-WhisperChart 3' = @{
        Check = { param($Outputs)
            [xml] $svg = Get-Content -Raw ./busy-minutes.svg
            $g = $svg.SelectSingleNode("//*[local-name()='g'][@class='series']")
            $g.GetAttribute('data-name') | Should -Be 'requests'
            # One polyline or dot per run of consecutive busy minutes: the quiet minutes between are gaps.
            $busy = @(Get-WhisperSeries ./whisper/stats_counts/web/requests.wsp -From -1h | Where-Object Value -gt 1000 | ForEach-Object UnixTime)
            $runs = 0
            for ($i = 0; $i -lt $busy.Count; $i++) { if ($i -eq 0 -or $busy[$i] - $busy[$i - 1] -ne 60) { $runs++ } }
            $g.SelectNodes("*[local-name()='polyline' or local-name()='circle']").Count | Should -Be $runs
        }
    }
}
