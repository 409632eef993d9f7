BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-WhisperModulePath) -Force -ErrorAction Stop
    $script:Now = 1767323040   # a multiple of 60
    function Values([string] $Path) {
        Get-WhisperSeries -LiteralPath $Path -Now $Now -From -1h -SkipEmpty | ForEach-Object { "$($_.UnixTime)=$($_.Value)" }
    }
}

Describe 'Repair-WhisperFile' {
    BeforeEach {
        $dir = New-TestFolder
        $src = (New-WhisperFile (Join-Path $dir 'src.wsp') '10s:1h', '1m:1d').Path
        $dst = (New-WhisperFile (Join-Path $dir 'dst.wsp') '10s:1h', '1m:1d').Path
        # The source has 30 slots; the target has every third one, with other values (0.0 among them).
        0..29 | ForEach-Object { [pscustomobject] @{ Timestamp = $Now - 10 * $_; Value = 100 + $_ } } | Add-WhisperPoint -LiteralPath $src -Now $Now
        0..29 | Where-Object { $_ % 3 -eq 0 } | ForEach-Object { [pscustomobject] @{ Timestamp = $Now - 10 * $_; Value = $_ % 2 * 7 } } |
            Add-WhisperPoint -LiteralPath $dst -Now $Now
    }

    It 'fills only the empty slots and says so per archive' {
        $r = Repair-WhisperFile -Path $dst -Source $src -Now $Now
        $r | Should -BeOfType WhisperPS.WhisperRepairResult
        $r.Path | Should -Be $dst
        $r.Archives[0].FromSources | Should -Be 20
        $r.SourcesUsed | Should -Be @($src)
        $v = Values $dst
        $v | Should -HaveCount 30
        foreach ($i in 0..29) {
            $want = if ($i % 3 -eq 0) { $i % 2 * 7 } else { 100 + $i }
            $v | Should -Contain "$($Now - 10 * $i)=$want"
        }
    }

    It '-WhatIf changes nothing and names the counts per archive' {
        $before = Get-FileSha256 $dst
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript('param($m, $d, $s, $n) Import-Module $m; Repair-WhisperFile -LiteralPath $d -Source $s -Now $n -WhatIf 6>&1 *>&1 | Out-String').
                AddArgument((Get-WhisperModulePath)).AddArgument($dst).AddArgument($src).AddArgument($Now)
            $null = $ps.Invoke()
        } finally { $ps.Dispose() }
        Get-FileSha256 $dst | Should -Be $before
        $dry = [WhisperPS.Engine.WhisperFile]::FillGaps($dst, [string[]] @($src), $null, $null, $Now, $true, $false, [Threading.CancellationToken]::None)
        $dry.Archives[0].FromSources | Should -Be 20
        Get-FileSha256 $dst | Should -Be $before
    }

    It 'reports a missing source and a corrupt one, and still uses the good one' {
        $bad = Join-Path $dir 'bad.wsp'
        [IO.File]::WriteAllBytes($bad, [byte[]] (1..50))
        $r = Repair-WhisperFile -LiteralPath $dst -Source (Join-Path $dir 'none.wsp'), $bad, $src -Now $Now -ErrorVariable err -ErrorAction SilentlyContinue
        $err.FullyQualifiedErrorId | Should -Contain 'WhisperFileNotFound,WhisperPS.Commands.RepairWhisperFileCommand'
        $err.FullyQualifiedErrorId | Should -Contain 'WhisperFileCorrupt,WhisperPS.Commands.RepairWhisperFileCommand'
        ($err | Where-Object { $_.FullyQualifiedErrorId -like 'WhisperFileCorrupt*' }).TargetObject | Should -Be $bad
        $r.Filled | Should -BeGreaterThan 19
        Values $dst | Should -HaveCount 30
    }

    It 'refuses the target as its own source, but skips it when a wildcard matches it' {
        Repair-WhisperFile -LiteralPath $dst -Source $dst -Now $Now -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'WhisperRepairSameFile,WhisperPS.Commands.RepairWhisperFileCommand'
        $r = Repair-WhisperFile -LiteralPath $dst -Source (Join-Path $dir '*.wsp') -Now $Now -ErrorVariable err2
        $err2 | Should -BeNullOrEmpty
        $r.SourcesUsed | Should -Be @($src)
    }

    It 'takes files from Get-ChildItem and computes each replica with a script block' {
        $replicas = Join-Path $dir 'replica'
        $null = New-Item -ItemType Directory $replicas
        Copy-Item $src (Join-Path $replicas 'dst.wsp')
        $r = Get-ChildItem -LiteralPath $dir -Filter 'dst.wsp' | Repair-WhisperFile -Source { Join-Path $replicas $_.Name } -Now $Now
        $r.Filled | Should -BeGreaterThan 19
        Values $dst | Should -HaveCount 30
    }

    It 'honours -From and -Until' {
        $r = Repair-WhisperFile -LiteralPath $dst -Source $src -Now $Now -From ($Now - 100) -Until ($Now - 50)
        # Slots of (from, until]: now-90 .. now-50; of these, now-90 and now-60 are the target's own.
        $r.Archives[0].FromSources | Should -Be 3
        Values $dst | Should -HaveCount 13
    }
}
