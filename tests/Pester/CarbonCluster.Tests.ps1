# A live carbon cluster on 127.0.0.1: carbon-relay (consistent-hashing, RF 2, DIVERSE_REPLICAS False) in front of
# three carbon-caches (Debian graphite-carbon), ports chosen free at run time, every process stopped by its PID.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'CarbonCluster.psm1') -Force
    Import-Module (Get-WhisperModulePath) -Force -ErrorAction Stop

    # Not TestDrive: Pester empties it after each Describe, under the running caches' feet.
    $script:root = Join-Path ([IO.Path]::GetTempPath()) ('whisperps-cluster-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    $null = New-Item -ItemType Directory -Path $root
    $script:caches = foreach ($i in 'a', 'b', 'c') { New-CarbonCacheNode -Root (Join-Path $root "cache-$i") -Instance $i }
    $script:relay = $null
    # The relay starts after the caches listen, or twisted's reconnect back-off delays the first sends.
    foreach ($c in $caches) { Start-CarbonNode $c }
    $script:relay = New-CarbonRelayNode -Root (Join-Path $root 'relay') -Destination $caches.Destination -ReplicationFactor 2
    Start-CarbonNode $relay
    $script:ring = @{ Destination = $caches.Destination; ReplicationFactor = 2 }
    # Every point each metric was sent (through the relay), to check that no slot of history is ever lost.
    $script:history = @{}

    function Get-NodeFor([string] $Destination) { $script:caches | Where-Object { $_.Destination -eq $Destination } }

    # Waits until every metric's file on every owner holds the expected values; returns what is still wrong.
    function Wait-Placement($Expected, [int] $TimeoutSec = 180) {
        $sw = [Diagnostics.Stopwatch]::StartNew()
        do {
            $problems = [Collections.Generic.List[string]]::new()
            foreach ($m in $Expected) {
                foreach ($d in $m.Destinations) {
                    $file = Join-Path (Get-NodeFor $d).DataDir (Get-MetricRelativePath $m.Metric)
                    if (-not (Test-Path -LiteralPath $file)) { $problems.Add("$($m.Metric): missing on $d"); continue }
                    # carbon may be creating the file right now (0 bytes for a moment): not ready yet, not an error.
                    $got = @(Get-WhisperSeries -LiteralPath $file -From $m.From -Until $m.Until -Now $m.Now -ErrorAction SilentlyContinue | Where-Object { $null -ne $_.Value })
                    $want = $m.Points
                    if ($got.Count -ne $want.Count) { $problems.Add("$($m.Metric) on ${d}: $($got.Count) of $($want.Count) points"); continue }
                    for ($k = 0; $k -lt $want.Count; $k++) {
                        if ($got[$k].UnixTime -ne $want[$k].UnixTime -or $got[$k].Value -ne $want[$k].Value) {
                            $problems.Add("$($m.Metric) on ${d}: slot $($got[$k].UnixTime)=$($got[$k].Value), sent $($want[$k].UnixTime)=$($want[$k].Value)"); break
                        }
                    }
                }
            }
            if ($problems.Count -eq 0) { return @() }
            Start-Sleep -Milliseconds 500
        } while ($sw.Elapsed.TotalSeconds -lt $TimeoutSec)
        return $problems
    }
}

AfterAll {
    if ($script:relay) { Stop-CarbonNode $script:relay }
    foreach ($c in $script:caches) { Stop-CarbonNode $c }
    if ($script:root -and (Test-Path -LiteralPath $script:root)) { Remove-Item -LiteralPath $script:root -Recurse -Force }
}

Describe 'Send-CarbonMetric and Get-CarbonDestination on a live cluster' -Tag 'Carbon' {
    It 'puts ~200 metrics (plaintext and pickle through the relay) exactly on the nodes Get-CarbonDestination names, with the values sent' {
        $now = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
        $base = $now - $now % 60 - 3600
        $expected = foreach ($i in 0..199) {
            $metric = 'cluster.{0}.host{1}.m{2}' -f $(if ($i % 2) { 'pickle' } else { 'plain' }), ($i % 7), $i
            $points = foreach ($k in 0..4) { [pscustomobject] @{ Metric = $metric; UnixTime = $base + 60 * $k; Value = $i * 10 + $k + 0.25 } }
            [pscustomobject] @{ Metric = $metric; Points = @($points); From = $base - 60; Until = $base + 300; Now = $now; Destinations = $null }
        }
        foreach ($m in $expected) { $script:history[$m.Metric] = [Collections.Generic.List[object]]::new($m.Points) }
        $placements = $expected.Metric | Get-CarbonDestination @ring
        foreach ($m in $expected) { $m.Destinations = @(($placements | Where-Object Metric -EQ $m.Metric).Destinations | ForEach-Object ToString) }
        # RF 2 without DIVERSE_REPLICAS on one host: two distinct caches for every metric.
        $expected | ForEach-Object { $_.Destinations.Count | Should -Be 2 }

        $plain = $expected | Where-Object Metric -Like 'cluster.plain.*' | ForEach-Object Points |
            Send-CarbonMetric -Server 127.0.0.1 -Port $relay.LinePort -PassThru -ErrorVariable sendErrors
        $pickle = $expected | Where-Object Metric -Like 'cluster.pickle.*' | ForEach-Object Points |
            Send-CarbonMetric -Server 127.0.0.1 -Port $relay.PicklePort -Protocol Pickle -BatchSize 37 -PassThru -ErrorVariable +sendErrors
        $sendErrors | Should -BeNullOrEmpty
        $plain.Sent | Should -Be 500
        $pickle.Sent | Should -Be 500
        ($plain.Failed + $pickle.Failed) | Should -Be 0

        $problems = Wait-Placement $expected
        $problems | Select-Object -First 10 | Should -BeNullOrEmpty

        # Exactly there and nowhere else: the set of files on all nodes is the set of owners.
        $want = foreach ($m in $expected) { foreach ($d in $m.Destinations) { "$d|$(Get-MetricRelativePath $m.Metric)" } }
        $have = foreach ($c in $caches) {
            Get-ChildItem -LiteralPath $c.DataDir -Recurse -File -Filter *.wsp | ForEach-Object { "$($c.Destination)|$([IO.Path]::GetRelativePath($c.DataDir, $_.FullName))" }
        }
        Compare-Object @($want | Sort-Object) @($have | Sort-Object) | Should -BeNullOrEmpty
        $have.Count | Should -Be 400
    }

    It 'reports every point it could not deliver, and sends nothing under -WhatIf' {
        $port = Get-FreeTcpPort
        $points = foreach ($k in 1..25) { [pscustomobject] @{ Metric = 'unsent.m'; UnixTime = 1700000000 + $k; Value = $k } }
        $r = $points | Send-CarbonMetric -Port $port -RetryCount 1 -TimeoutSec 5 -PassThru -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'CarbonSendFailed,*'
        $failures[0].TargetObject.Count | Should -Be 25
        ($failures[0].TargetObject | ForEach-Object Value | Measure-Object -Sum).Sum | Should -Be 325
        $r.Failed | Should -Be 25
        $r.Sent | Should -Be 0

        $w = $points | Send-CarbonMetric -Port $port -WhatIf -PassThru -ErrorVariable none
        $none | Should -BeNullOrEmpty
        $w.Sent | Should -Be 0
        $w.Failed | Should -Be 0
    }

    It 'refuses points carbon would not store, one error each, and sends the rest' {
        $c = $caches[0]
        $now = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
        $t = $now - $now % 60 - 600
        $in = @(
            [pscustomobject] @{ Metric = 'refuse.ok'; UnixTime = $t; Value = 1.5 }
            [pscustomobject] @{ Metric = 'has space'; UnixTime = $t; Value = 1 }
            [pscustomobject] @{ Metric = 'refuse.nan'; UnixTime = $t; Value = [double]::NaN }
            [pscustomobject] @{ UnixTime = $t; Value = 2 }
            [pscustomobject] @{ Metric = 'refuse.gap'; UnixTime = $t; Value = $null }
        )
        $r = $in | Send-CarbonMetric -Port $c.LinePort -PassThru -ErrorVariable bad -ErrorAction SilentlyContinue
        $bad.Count | Should -Be 3
        $bad | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'CarbonPointInvalid,*' }
        $r.Sent | Should -Be 1
        $r.Gaps | Should -Be 1
        $r.Invalid | Should -Be 3
        # Sent straight to one cache, not through the relay: the drills below find it misplaced or fine.
        $script:history['refuse.ok'] = [Collections.Generic.List[object]]::new(@([pscustomobject] @{ Metric = 'refuse.ok'; UnixTime = $t; Value = 1.5 }))
    }
}

Describe 'Sync-CarbonCluster drills on the live cluster' -Tag 'Carbon' {
    BeforeAll {
        $script:now = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
        $script:dbase = $now - $now % 60 - 7200
        $script:drill = foreach ($i in 0..59) { 'drill.node{0}.m{1}' -f ($i % 5), $i }

        function Send-Batch([int] $Batch, [string] $Protocol) {
            $points = foreach ($m in $script:drill) {
                $i = [int] ($m -replace '.*\.m', '')
                foreach ($k in 0..2) {
                    $p = [pscustomobject] @{ Metric = $m; UnixTime = $script:dbase + 60 * (3 * $Batch + $k); Value = 1000 * $Batch + 10 * $i + $k + 0.5 }
                    if (-not $script:history.ContainsKey($m)) { $script:history[$m] = [Collections.Generic.List[object]]::new() }
                    $script:history[$m].Add($p)
                    $p
                }
            }
            $port = if ($Protocol -eq 'Pickle') { $script:relay.PicklePort } else { $script:relay.LinePort }
            $r = $points | Send-CarbonMetric -Port $port -Protocol $Protocol -PassThru
            $r.Sent | Should -Be $points.Count
            return $points
        }

        # Waits until each point is on every node in $On that owns its metric (per $Ring).
        function Wait-Points($Points, $Ring, $On, [int] $TimeoutSec = 180) {
            $owners = @{}
            foreach ($p in ($Points.Metric | Sort-Object -Unique | Get-CarbonDestination @Ring)) { $owners[$p.Metric] = @($p.Destinations | ForEach-Object ToString) }
            $sw = [Diagnostics.Stopwatch]::StartNew()
            do {
                $missing = 0
                foreach ($g in ($Points | Group-Object Metric)) {
                    foreach ($node in $On) {
                        if ($owners[$g.Name] -notcontains $node.Destination) { continue }
                        $file = Join-Path $node.DataDir (Get-MetricRelativePath $g.Name)
                        if (-not (Test-Path -LiteralPath $file)) { $missing += $g.Count; continue }
                        $have = @{}
                        Get-WhisperSeries -LiteralPath $file -From ($script:dbase - 60) -Until ($script:now + 60) -Now $script:now -SkipEmpty -ErrorAction SilentlyContinue | ForEach-Object { $have[$_.UnixTime] = $_.Value }
                        foreach ($p in $g.Group) { if ($have[$p.UnixTime] -ne $p.Value) { $missing++ } }
                    }
                }
                if ($missing -eq 0) { return 0 }
                Start-Sleep -Milliseconds 500
            } while ($sw.Elapsed.TotalSeconds -lt $TimeoutSec)
            return $missing
        }

        # Every metric ever sent is on exactly its owners, and every owner copy holds every point sent: returns problems.
        function Test-Exact($Ring, $Nodes) {
            $problems = [Collections.Generic.List[string]]::new()
            $owners = @{}
            foreach ($p in ($script:history.Keys | Get-CarbonDestination @Ring)) { $owners[$p.Metric] = @($p.Destinations | ForEach-Object ToString) }
            $want = foreach ($m in $script:history.Keys) { foreach ($d in $owners[$m]) { "$d|$(Get-MetricRelativePath $m)" } }
            $have = foreach ($c in $Nodes) {
                Get-ChildItem -LiteralPath $c.DataDir -Recurse -File -Filter *.wsp | ForEach-Object { "$($c.Destination)|$([IO.Path]::GetRelativePath($c.DataDir, $_.FullName))" }
            }
            Compare-Object @($want | Sort-Object) @($have | Sort-Object) | ForEach-Object { $problems.Add("$($_.InputObject) $($_.SideIndicator)") }
            $lost = 0
            foreach ($m in $script:history.Keys) {
                foreach ($d in $owners[$m]) {
                    $node = $Nodes | Where-Object Destination -EQ $d
                    $file = Join-Path $node.DataDir (Get-MetricRelativePath $m)
                    if (-not (Test-Path -LiteralPath $file)) { $lost += $script:history[$m].Count; continue }
                    $have = @{}
                    Get-WhisperSeries -LiteralPath $file -From ($script:dbase - 60) -Until ($script:now + 60) -Now $script:now -SkipEmpty | ForEach-Object { $have[$_.UnixTime] = $_.Value }
                    foreach ($p in $script:history[$m]) { if ($have[$p.UnixTime] -ne $p.Value) { $lost++; if ($problems.Count -lt 20) { $problems.Add("$m on ${d}: slot $($p.UnixTime) holds '$($have[$p.UnixTime])', sent $($p.Value)") } } }
                }
            }
            return [pscustomobject] @{ Problems = $problems; LostSlots = $lost }
        }
    }

    It 'drill 1: a cache stops while sending goes on; after Sync-CarbonCluster no slot is missing and replicas are equal' {
        $roots = @{}; foreach ($c in $caches) { $roots[$c.Destination] = $c.DataDir }
        $b1 = Send-Batch 0 Plaintext
        Wait-Points $b1 $ring $caches | Should -Be 0
        $down = $caches[1]
        Stop-CarbonNode $down
        $b2 = Send-Batch 1 Pickle
        Wait-Points $b2 $ring ($caches | Where-Object { $_ -ne $down }) | Should -Be 0
        # The relay queues points for a destination that is down; restarting it loses that queue, as an overflow would.
        Stop-CarbonNode $relay
        Start-CarbonNode $down
        Start-CarbonNode $relay
        $b3 = Send-Batch 2 Plaintext
        Wait-Points $b3 $ring $caches | Should -Be 0

        $before = @(Test-CarbonCluster @ring -StorageRoot $roots -Now $now)
        $gaps = ($before | Measure-Object MissingSlots -Sum).Sum
        Write-Host "drill 1: $($before.Count) metrics unhealthy before the sync, $gaps slots missing on a replica"
        $gaps | Should -BeGreaterThan 0

        $steps = @(Sync-CarbonCluster @ring -StorageRoot $roots -Now $now -KeepMisplaced)
        $filled = ($steps | Where-Object Action -EQ 'Fill' | Measure-Object Slots -Sum).Sum
        Write-Host "drill 1: Sync-CarbonCluster filled $filled slots"
        $filled | Should -BeGreaterOrEqual $gaps
        @($steps | Where-Object { -not $_.Succeeded }) | Should -BeNullOrEmpty

        $after = @(Test-CarbonCluster @ring -StorageRoot $roots -Now $now -IncludeHealthy)
        ($after | Measure-Object MissingSlots -Sum).Sum | Should -Be 0
        ($after | Measure-Object DifferingSlots -Sum).Sum | Should -Be 0
        @($after | Where-Object { $_.MissingOn.Count -gt 0 }) | Should -BeNullOrEmpty
        foreach ($m in $drill) {
            $copies = ($after | Where-Object Metric -EQ $m).Copies.Values
            foreach ($f in $copies) {
                $have = @(Get-WhisperSeries -LiteralPath $f -From ($dbase - 60) -Until ($now + 60) -Now $now -SkipEmpty)
                $have.Count | Should -Be 9 -Because "$f holds batches 0-2"
            }
        }
    }

    It 'drill 2: a fourth cache joins; after Sync-CarbonCluster every metric is exactly on its new owners, no slot lost, nothing removed before it was verified' {
        $script:caches = @($caches) + (New-CarbonCacheNode -Root (Join-Path $root 'cache-d') -Instance d)
        Start-CarbonNode $caches[3]
        Stop-CarbonNode $relay
        $script:relay = New-CarbonRelayNode -Root (Join-Path $root 'relay2') -Destination $caches.Destination -ReplicationFactor 2
        Start-CarbonNode $relay
        $newRing = @{ Destination = $caches.Destination; ReplicationFactor = 2 }
        $b4 = Send-Batch 3 Pickle
        Wait-Points $b4 $newRing $caches | Should -Be 0
        $roots = @{}; foreach ($c in $caches) { $roots[$c.Destination] = $c.DataDir }

        $inventory = @(Test-CarbonCluster @newRing -StorageRoot $roots -Now $now)
        $moving = @($inventory | Where-Object { $_.MisplacedOn.Count -gt 0 -or $_.MissingOn.Count -gt 0 })
        Write-Host "drill 2: $($moving.Count) of $($script:history.Count) metrics move to or from the new node"
        $moving.Count | Should -BeGreaterThan 0

        # -WhatIf: a plan, and not one file touched.
        $stamp = foreach ($c in $caches) { Get-ChildItem -LiteralPath $c.DataDir -Recurse -File | ForEach-Object { "$($_.FullName)|$($_.Length)|$(Get-FileSha256 $_.FullName)" } }
        $plan = @(Sync-CarbonCluster @newRing -StorageRoot $roots -Now $now -WhatIf)
        $plan.Count | Should -BeGreaterThan 0
        @($plan | Where-Object { -not $_.Planned }) | Should -BeNullOrEmpty
        $stamp2 = foreach ($c in $caches) { Get-ChildItem -LiteralPath $c.DataDir -Recurse -File | ForEach-Object { "$($_.FullName)|$($_.Length)|$(Get-FileSha256 $_.FullName)" } }
        Compare-Object @($stamp) @($stamp2) | Should -BeNullOrEmpty

        $sw = [Diagnostics.Stopwatch]::StartNew()
        $steps = @(Sync-CarbonCluster @newRing -StorageRoot $roots -Now $now)
        $sw.Stop()
        Write-Host ("drill 2: Sync-CarbonCluster rebalanced {0} metrics in {1:N1} s: {2} copies, {3} slots filled, {4} verified, {5} removed" -f
            $script:history.Count, $sw.Elapsed.TotalSeconds, @($steps | Where-Object Action -EQ Copy).Count, ($steps | Where-Object Action -EQ Fill | Measure-Object Slots -Sum).Sum,
            @($steps | Where-Object { $_.Action -eq 'Verify' -and $_.Succeeded }).Count, @($steps | Where-Object Action -EQ Remove).Count)
        @($steps | Where-Object { -not $_.Succeeded }) | Should -BeNullOrEmpty
        @($steps | Where-Object Action -EQ Keep) | Should -BeNullOrEmpty
        # Every removal comes after a successful verification of that very copy.
        for ($i = 0; $i -lt $steps.Count; $i++) {
            if ($steps[$i].Action -ne 'Remove') { continue }
            $verified = @($steps[0..($i - 1)] | Where-Object { $_.Action -eq 'Verify' -and $_.Succeeded -and $_.Path -eq $steps[$i].Path })
            $verified.Count | Should -Be 1 -Because "$($steps[$i].Path) is removed only after it was verified"
        }
        @($steps | Where-Object Action -EQ Remove).Count | Should -BeGreaterThan 0

        $check = Test-Exact $newRing $caches
        $check.Problems | Select-Object -First 10 | Should -BeNullOrEmpty
        $check.LostSlots | Should -Be 0
        @(Test-CarbonCluster @newRing -StorageRoot $roots -Now $now) | Should -BeNullOrEmpty
    }
}
