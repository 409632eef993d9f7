# A live carbon cluster on 127.0.0.1: carbon-relay (consistent-hashing, RF 2, DIVERSE_REPLICAS False) in front of
# three carbon-caches (Debian graphite-carbon), ports chosen free at run time, every process stopped by its PID.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'CarbonCluster.psm1') -Force
    Import-Module (Get-WhisperModulePath) -Force -ErrorAction Stop

    $script:root = New-TestFolder
    $script:caches = foreach ($i in 'a', 'b', 'c') { New-CarbonCacheNode -Root (Join-Path $root "cache-$i") -Instance $i }
    $script:relay = $null
    # The relay starts after the caches listen, or twisted's reconnect back-off delays the first sends.
    foreach ($c in $caches) { Start-CarbonNode $c }
    $script:relay = New-CarbonRelayNode -Root (Join-Path $root 'relay') -Destination $caches.Destination -ReplicationFactor 2
    Start-CarbonNode $relay
    $script:ring = @{ Destination = $caches.Destination; ReplicationFactor = 2 }

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
                    $got = @(Get-WhisperSeries -LiteralPath $file -From $m.From -Until $m.Until -Now $m.Now | Where-Object { $null -ne $_.Value })
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
}

Describe 'Send-CarbonMetric and Get-CarbonDestination on a live cluster' {
    It 'puts ~200 metrics (plaintext and pickle through the relay) exactly on the nodes Get-CarbonDestination names, with the values sent' {
        $now = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
        $base = $now - $now % 60 - 3600
        $expected = foreach ($i in 0..199) {
            $metric = 'cluster.{0}.host{1}.m{2}' -f $(if ($i % 2) { 'pickle' } else { 'plain' }), ($i % 7), $i
            $points = foreach ($k in 0..4) { [pscustomobject] @{ Metric = $metric; UnixTime = $base + 60 * $k; Value = $i * 10 + $k + 0.25 } }
            [pscustomobject] @{ Metric = $metric; Points = @($points); From = $base - 60; Until = $base + 300; Now = $now; Destinations = $null }
        }
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
    }
}
