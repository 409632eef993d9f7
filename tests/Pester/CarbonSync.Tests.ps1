# Test-CarbonCluster and Sync-CarbonCluster on local storage roots (no carbon running): drain, fill rules by content,
# leftovers of an interrupted copy, errors. The live drills are in CarbonCluster.Tests.ps1.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-WhisperModulePath) -Force -ErrorAction Stop

    function New-Node([string] $Base, [string] $Name) { (New-Item -ItemType Directory -Path (Join-Path $Base $Name)).FullName }

    function New-Metric([string] $Root, [string] $Metric, $Points, [long] $Now) {
        $file = Join-Path $Root ($Metric.Replace('.', '/') + '.wsp')
        $null = New-Item -ItemType Directory -Force -Path (Split-Path $file)
        $null = New-WhisperFile -LiteralPath $file -Retention '60:1440' -XFilesFactor 0
        if ($Points) { $Points | Add-WhisperPoint -LiteralPath $file -Now $Now }
        return $file
    }

    function Get-Values([string] $File, [long] $From, [long] $Until, [long] $Now) {
        @(Get-WhisperSeries -LiteralPath $File -From $From -Until $Until -Now $Now | ForEach-Object { $_.Value })
    }
}

Describe 'Sync-CarbonCluster on local storage roots' {
    BeforeEach {
        $base = New-TestFolder
        $now = 1764547200
        $t0 = $now - 3600
        $ring = @{ Destination = 'h1:2004:a', 'h2:2004:b'; ReplicationFactor = 2 }
        $roots = @{ 'h1:2004:a' = (New-Node $base a); 'h2:2004:b' = (New-Node $base b) }
    }

    It 'fills by content: 0.0 is a value, the point after a gap is kept, differing values stay and are reported' {
        $pa = @(
            [pscustomobject] @{ UnixTime = $t0; Value = 1 }
            [pscustomobject] @{ UnixTime = $t0 + 60; Value = 0.0 }
            [pscustomobject] @{ UnixTime = $t0 + 180; Value = 5 })
        $pb = foreach ($k in 0..3) { [pscustomobject] @{ UnixTime = $t0 + 60 * $k; Value = 9 } }
        $fa = New-Metric $roots['h1:2004:a'] 'app.x' $pa $now
        $fb = New-Metric $roots['h2:2004:b'] 'app.x' $pb $now
        # Same size and modification time cannot fool a content sync.
        (Get-Item $fb).LastWriteTimeUtc = (Get-Item $fa).LastWriteTimeUtc
        $before = Test-CarbonCluster @ring -StorageRoot $roots -Now $now
        $before.MissingSlots | Should -Be 1
        $steps = Sync-CarbonCluster @ring -StorageRoot $roots -Now $now
        ($steps | Where-Object Action -EQ Fill | Measure-Object Slots -Sum).Sum | Should -Be 1
        Get-Values $fa ($t0 - 60) ($t0 + 180) $now | Should -Be @(1, 0.0, 9, 5)
        Get-Values $fb ($t0 - 60) ($t0 + 180) $now | Should -Be @(9, 9, 9, 9)
        $after = Test-CarbonCluster @ring -StorageRoot $roots -Now $now
        $after.MissingSlots | Should -Be 0
        $after.DifferingSlots | Should -Be 3 -Because 'values that differ are reported, never overwritten'
    }

    It 'drains a node that left the ring: copies to the owners, verifies, removes; and -WhatIf changes nothing' {
        $roots['h9:2004:z'] = New-Node $base z
        $files = foreach ($i in 1..20) { New-Metric $roots['h9:2004:z'] "old.m$i" @([pscustomobject] @{ UnixTime = $t0; Value = $i }) $now }
        $inv = @(Test-CarbonCluster @ring -StorageRoot $roots -Now $now)
        $inv.Count | Should -Be 20
        $inv | ForEach-Object { $_.OrphanedOn.Count | Should -Be 1; $_.MissingOn.Count | Should -Be 2 }
        $plan = @(Sync-CarbonCluster @ring -StorageRoot $roots -Now $now -WhatIf)
        @($plan | Where-Object { -not $_.Planned }) | Should -BeNullOrEmpty
        @($plan | Where-Object Action -EQ Copy).Count | Should -Be 40
        @(Get-ChildItem -LiteralPath $roots['h1:2004:a'] -Recurse -File).Count | Should -Be 0
        $steps = @(Sync-CarbonCluster @ring -StorageRoot $roots -Now $now)
        @($steps | Where-Object Action -EQ Remove).Count | Should -Be 20
        @(Get-ChildItem -LiteralPath $roots['h9:2004:z'] -Recurse -File).Count | Should -Be 0
        @(Test-CarbonCluster @ring -StorageRoot $roots -Now $now) | Should -BeNullOrEmpty
        foreach ($i in 1..20) {
            foreach ($n in 'h1:2004:a', 'h2:2004:b') { Get-Values (Join-Path $roots[$n] "old/m$i.wsp") ($t0 - 60) $t0 $now | Should -Be @($i) }
        }
    }

    It 'resumes after an interrupted copy: a leftover temporary file is removed and the copy made' {
        $f = New-Metric $roots['h1:2004:a'] 'app.y' @([pscustomobject] @{ UnixTime = $t0; Value = 7 }) $now
        $dir = Join-Path $roots['h2:2004:b'] 'app'
        $null = New-Item -ItemType Directory -Path $dir
        $leftover = Join-Path $dir '.whisperps-sync-0123456789abcdef.wsp'
        [IO.File]::WriteAllBytes($leftover, [byte[]] (1..100))
        $null = Sync-CarbonCluster @ring -StorageRoot $roots -Now $now
        Test-Path -LiteralPath $leftover | Should -BeFalse
        Get-Values (Join-Path $dir 'y.wsp') ($t0 - 60) $t0 $now | Should -Be @(7)
    }

    It 'gives a new copy, and the folders made for it, the owner carbon runs as (the storage root''s) and the source''s mode' -Skip:($IsWindows -or (id -u) -ne '0') {
        # As root, an admin's copy would otherwise be root's and 0644: carbon, running as its own user, could not write
        # the points it later receives for that metric.
        $f = New-Metric $roots['h1:2004:a'] 'deep.er.app.z' @([pscustomobject] @{ UnixTime = $t0; Value = 3 }) $now
        chmod 640 $f
        chown 4321:8765 $roots['h2:2004:b']
        chmod 750 $roots['h2:2004:b']
        $steps = @(Sync-CarbonCluster @ring -StorageRoot $roots -Now $now)
        @($steps | Where-Object { $_.Action -eq 'Copy' -and $_.Succeeded }).Count | Should -Be 1
        $copy = Join-Path $roots['h2:2004:b'] 'deep/er/app/z.wsp'
        stat -c '%u:%g %a' $copy | Should -Be '4321:8765 640'
        foreach ($d in 'deep', 'deep/er', 'deep/er/app') { stat -c '%u:%g %a' (Join-Path $roots['h2:2004:b'] $d) | Should -Be '4321:8765 750' -Because $d }
        Get-Values $copy ($t0 - 60) $t0 $now | Should -Be @(3)
    }

    It 'skips node-local carbon.agents.* metrics and refuses a ring node without a storage root' {
        $null = New-Metric $roots['h1:2004:a'] 'carbon.agents.h1-a.cpuUsage' $null $now
        @(Test-CarbonCluster @ring -StorageRoot $roots -Now $now -IncludeHealthy) | Should -BeNullOrEmpty
        { Test-CarbonCluster @ring -StorageRoot @{ 'h1:2004:a' = $roots['h1:2004:a'] } -ErrorAction Stop } |
            Should -Throw -ErrorId 'CarbonStorageRootInvalid,WhisperPS.Commands.TestCarbonClusterCommand'
    }
}
