# Test-WhisperFile, Compare-WhisperFile, Get-WhisperSlot and Get-WhisperInfo's LastUpdate through the cmdlets: what the
# engine tests prove on bytes (ValidatorTests, CompareTests) is checked here for binding, output types, -Quiet,
# errors per file and the scenarios of the help examples.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-WhisperModulePath) -Force -ErrorAction Stop
    $script:Now = [long] 1700000000

    function New-Filled([string] $Path, [long] $Now, [int] $Minutes = 180) {
        New-Item -ItemType Directory -Force (Split-Path $Path) | Out-Null
        $f = (New-WhisperFile -LiteralPath $Path -Retention '1m:1d', '10m:30d').Path
        1..$Minutes | ForEach-Object { [pscustomobject] @{ UnixTime = $Now - 60 * $_; Value = $_ % 17 } } |
            Add-WhisperPoint -LiteralPath $f -Now $Now
        $f
    }

    function Set-Slot([string] $Path, [int] $Archive, [long] $Index, [long] $Time, [double] $Value) {
        $info = Get-WhisperInfo -LiteralPath $Path
        $bytes = [IO.File]::ReadAllBytes($Path)
        $at = $info.Archives[$Archive].Offset + 12 * $Index
        $t = [BitConverter]::GetBytes([uint32] $Time); [Array]::Reverse($t)
        $v = [BitConverter]::GetBytes($Value); [Array]::Reverse($v)
        [Array]::Copy($t, 0, $bytes, $at, 4)
        [Array]::Copy($v, 0, $bytes, $at + 4, 8)
        [IO.File]::WriteAllBytes($Path, $bytes)
    }
}

Describe 'Test-WhisperFile' {
    BeforeEach {
        $dir = New-TestFolder
        $good = New-Filled (Join-Path $dir 'a/good.wsp') $Now
        New-Item -ItemType Directory (Join-Path $dir 'b') | Out-Null
        $half = Join-Path $dir 'b/half.wsp'
        $bytes = [IO.File]::ReadAllBytes($good)
        [IO.File]::WriteAllBytes($half, $bytes[0..($bytes.Length / 2 - 1)])
    }

    It 'writes one typed result per file from Get-ChildItem -Recurse, with findings that name the file' -Tag 'Python' {
        $r = Get-ChildItem $dir -Recurse -Filter *.wsp | Test-WhisperFile -Now $Now
        $r | Should -HaveCount 2
        $r | ForEach-Object { $_ | Should -BeOfType WhisperPS.WhisperFileTest }
        $ok = $r | Where-Object Name -eq 'good.wsp'
        $ok.IsValid | Should -BeTrue
        $ok.Findings | Should -HaveCount 0
        $bad = $r | Where-Object Name -eq 'half.wsp'
        $bad.IsValid | Should -BeFalse
        $bad.ErrorCount | Should -Be 1
        $bad.Findings[0].Code | Should -Be 'FileTruncated'
        $bad.Findings[0].Severity | Should -Be 'Error'
        $bad.Findings[0].Path | Should -Be $half
        # python's header read accepts the same file: the reason this cmdlet exists.
        Assert-PythonWhisper
        Invoke-Python "import whisper, sys; print(whisper.info(sys.argv[1])['maxRetention'])" -Arguments $half | Should -Be '2592000'
    }

    It '-Quiet returns $true or $false per file' {
        Test-WhisperFile -LiteralPath $good, $half -Quiet | Should -Be @($true, $false)
    }

    It 'a future-lap slot is an error relative to -Now, and only a warning-free pass before it' {
        $slots = Get-WhisperSlot -LiteralPath $good -Archive 0
        $newest = ($slots | Measure-Object StoredTime -Maximum).Maximum
        $i = 5
        $t = $slots[$i].StoredTime + 86400 * [math]::Ceiling(($newest - $slots[$i].StoredTime + 1) / 86400) + 86400
        Set-Slot $good 0 $i $t 1
        $f = (Test-WhisperFile -LiteralPath $good -Now $Now).Findings
        ($f | Where-Object Code -eq 'SlotFutureLap').Slot | Should -Be 5
        # Measured from a "now" after it, the same point is an ordinary past point of the ring.
        (Test-WhisperFile -LiteralPath $good -Now ($t + 60)).Findings.Code | Should -Not -Contain 'SlotFutureLap'
    }

    It '-Rollups finds a coarse value that disagrees with its minutes; without it nothing is said' {
        $s = Get-WhisperSlot -LiteralPath $good -Archive 1 -SkipEmpty | Sort-Object StoredTime | Select-Object -Last 3 | Select-Object -First 1
        Set-Slot $good 1 $s.Index $s.StoredTime 1e6
        (Test-WhisperFile -LiteralPath $good -Now $Now).Findings | Should -HaveCount 0
        $f = (Test-WhisperFile -LiteralPath $good -Now $Now -Rollups).Findings
        $f.Code | Should -Be 'RollupMismatch'
        $f.Archive | Should -Be 1
        $f.Slot | Should -Be $s.Index
    }

    It 'a missing file is an error for that file and the rest are still checked' {
        $r = Test-WhisperFile -LiteralPath (Join-Path $dir 'nope.wsp'), $good -Now $Now -ErrorVariable errs -ErrorAction SilentlyContinue
        $r.Path | Should -Be $good
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'WhisperFileNotFound,*'
    }
}

Describe 'Compare-WhisperFile' {
    BeforeEach {
        $dir = New-TestFolder
        $a = New-Filled (Join-Path $dir 'a.wsp') $Now
        $b = Join-Path $dir 'b.wsp'
        Copy-Item -LiteralPath $a $b
    }

    It 'identical copies: no differences, -Quiet $true, -Summary counts the compared slots' {
        Compare-WhisperFile $a $b -Now $Now | Should -BeNullOrEmpty
        Compare-WhisperFile $a $b -Now $Now -Quiet | Should -BeTrue
        $s = Compare-WhisperFile $a $b -Now $Now -Summary
        $s | Should -HaveCount 2
        $s[0] | Should -BeOfType WhisperPS.WhisperComparisonSummary
        $s.Compared | Should -Be @(180, 18)
        $s.Differences | Should -Be @(0, 0)
    }

    It 'a point changed through whisper is found in both archives, typed; whisper-diff sees only the fine one' -Tag 'Python' {
        Add-WhisperPoint -LiteralPath $b -Value 99 -Timestamp ($Now - 30 * 60) -Now $Now
        $d = Compare-WhisperFile $a $b -Now $Now
        $d | Should -HaveCount 2
        $d[0] | Should -BeOfType WhisperPS.WhisperSlotDifference
        $d.Archive | Should -Be @(0, 1)
        $d[0].UnixTime | Should -Be (($Now - 1800) - ($Now - 1800) % 60)
        $d[0].DifferenceValue | Should -Be 99
        $d[0].Kind | Should -Be 'Value'
        $d[0].Timestamp | Should -Be ([DateTimeOffset]::FromUnixTimeSeconds($d[0].UnixTime))
        Compare-WhisperFile $a $b -Now $Now -Quiet | Should -BeFalse
        Assert-PythonWhisper
        $py = Invoke-Python "import whisper, sys; print(','.join(str(len(d)) for n, d, t in whisper.diff(sys.argv[1], sys.argv[2], now=$Now)))" -Arguments $a, $b
        $py | Should -Be '1,0'
    }

    It '-IgnoreEmpty, -From and -Until limit the comparison' {
        Add-WhisperPoint -LiteralPath $b -Value 5 -Timestamp ($Now - 200 * 60) -Now $Now   # a slot empty in a
        Add-WhisperPoint -LiteralPath $b -Value 99 -Timestamp ($Now - 30 * 60) -Now $Now
        $all = Compare-WhisperFile $a $b -Now $Now | Where-Object Archive -eq 0
        $all.Kind | Should -Be @('OnlyInDifference', 'Value')
        (Compare-WhisperFile $a $b -Now $Now -IgnoreEmpty | Where-Object Archive -eq 0).Kind | Should -Be 'Value'
        (Compare-WhisperFile $a $b -Now $Now -From ($Now - 100 * 60) | Where-Object Archive -eq 0).Kind | Should -Be 'Value'
        Compare-WhisperFile $a $b -Now $Now -Until ($Now - 150 * 60) | Where-Object Archive -eq 0 | Select-Object -ExpandProperty Kind | Should -Be 'OnlyInDifference'
    }

    It 'files of different schemas are compared at the step they share, with a warning for the rest' {
        $c = (New-WhisperFile -LiteralPath (Join-Path $dir 'c.wsp') -Retention '1m:2d', '1h:30d').Path
        1..180 | ForEach-Object { [pscustomobject] @{ UnixTime = $Now - 60 * $_; Value = $_ % 17 } } | Add-WhisperPoint -LiteralPath $c -Now $Now
        $s = Compare-WhisperFile $a $c -Now $Now -Summary -WarningVariable w -WarningAction SilentlyContinue
        $s | Should -HaveCount 1
        $s.SecondsPerPoint | Should -Be 60
        $s.Slots | Should -Be 1440
        $s.Differences | Should -Be 0
        "$w" | Should -Match '600s'
        "$w" | Should -Match '3600s'
    }

    It 'pipes replicas into -DifferencePath and refuses a -ReferencePath that names several files' {
        $r = Get-ChildItem -LiteralPath $dir -Filter *.wsp | Compare-WhisperFile -ReferencePath $a -Now $Now -Quiet
        $r | Should -Be @($true, $true)
        { Compare-WhisperFile (Join-Path $dir '*.wsp') $b -ErrorAction Stop } | Should -Throw -ErrorId 'WhisperReferenceAmbiguous,WhisperPS.Commands.CompareWhisperFileCommand'
    }
}

Describe 'Get-WhisperSlot' {
    BeforeEach {
        $dir = New-TestFolder
        $f = New-Filled (Join-Path $dir 'a.wsp') $Now 30
    }

    It 'lists every slot in file order with index, stored time and value, as python reads them' -Tag 'Python' {
        $s = Get-WhisperSlot -LiteralPath $f -Archive 0
        $s | Should -HaveCount 1440
        $s[0] | Should -BeOfType WhisperPS.WhisperSlot
        $s.Index | Should -Be (0..1439)
        Assert-PythonWhisper
        $py = Invoke-Python @'
import struct, sys, whisper
info = whisper.info(sys.argv[1])
a = info['archives'][0]
with open(sys.argv[1], 'rb') as fh:
    fh.seek(a['offset'])
    data = fh.read(a['size'])
for i in range(a['points']):
    t, v = struct.unpack('!Ld', data[i*12:i*12+12])
    print('%d %d %r' % (i, t, v))
'@ -Arguments $f
        $ours = $s | ForEach-Object { '{0} {1} {2}' -f $_.Index, $_.StoredTime, $_.StoredValue.ToString('R', [cultureinfo]::InvariantCulture) }
        $ours | Should -Be ($py -replace '\.0$', '')
        ($s | Where-Object IsEmpty).Count | Should -Be (1440 - 30)
        $perArchive = (Get-WhisperSlot -LiteralPath $f -SkipEmpty).Archive | Group-Object | ForEach-Object Count
        $perArchive[0] | Should -Be 30
        $perArchive[1] | Should -Be @(Get-WhisperSeries -LiteralPath $f -Archive 1 -From ($Now - 86400) -Now $Now -SkipEmpty).Count
    }

    It 'cannot be replayed into a file: every slot is refused and the file is unchanged' {
        $target = (New-WhisperFile -LiteralPath (Join-Path $dir 'b.wsp') -Retention '1m:1d', '10m:30d').Path
        $before = Get-FileSha256 $target
        Get-WhisperSlot -LiteralPath $f -SkipEmpty | Add-WhisperPoint -LiteralPath $target -Now $Now -ErrorAction SilentlyContinue -ErrorVariable refused
        $refused.Count | Should -Be @(Get-WhisperSlot -LiteralPath $f -SkipEmpty).Count
        Get-FileSha256 $target | Should -Be $before
        (Get-WhisperSlot -LiteralPath $f | Get-Member -MemberType Property).Name | Should -Not -Contain 'Value'
    }

    It 'an archive the file lacks is an error for that file' {
        Get-WhisperSlot -LiteralPath $f -Archive 5 -ErrorVariable e -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -BeLike 'WhisperArchiveInvalid,*'
    }
}

Describe 'Get-WhisperInfo LastUpdate and the tree table' {
    BeforeEach { $dir = New-TestFolder }

    It 'LastUpdate is the newest point, not the file time: a backfilled file is stale' {
        $real = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
        $fresh = New-Filled (Join-Path $dir 'fresh.wsp') $real 10
        $old = (New-WhisperFile -LiteralPath (Join-Path $dir 'old.wsp') -Retention '1m:1d', '10m:30d').Path
        Add-WhisperPoint -LiteralPath $old -Value 1 -Timestamp ($real - 3 * 86400)
        $empty = (New-WhisperFile -LiteralPath (Join-Path $dir 'empty.wsp') -Retention '1m:1d').Path
        (Get-Item $old).LastWriteTimeUtc | Should -BeGreaterThan (Get-Date).ToUniversalTime().AddMinutes(-5)
        $stale = Get-ChildItem $dir -Filter *.wsp | Get-WhisperInfo | Where-Object LastUpdate -lt (Get-Date).AddDays(-1)
        # A file that never received a point has no LastUpdate; $null -lt any date, so it counts as stale too.
        $stale.Name | Should -Be @('empty.wsp', 'old.wsp')
        $stale = $stale | Where-Object Name -eq 'old.wsp'
        $stale.LastUpdateUnixTime | Should -Be (($real - 3 * 86400) - ($real - 3 * 86400) % 600)
        $stale.LastUpdate | Should -BeOfType [DateTimeOffset]
        $stale.LastUpdate.Offset | Should -Be ([TimeSpan]::Zero)
        (Get-WhisperInfo -LiteralPath $fresh).LastUpdateUnixTime | Should -Be (($real - 60) - ($real - 60) % 60)
        (Get-WhisperInfo -LiteralPath $empty).LastUpdate | Should -BeNullOrEmpty
    }

    It 'the default table says which file each row is' {
        foreach ($h in 'web01', 'web02', 'db01') {
            New-Item -ItemType Directory (Join-Path $dir "$h/requests") | Out-Null
            New-WhisperFile -LiteralPath (Join-Path $dir "$h/requests/count.wsp") -Retention '1m:1d' | Out-Null
        }
        $text = Get-ChildItem $dir -Recurse -Filter *.wsp | Get-WhisperInfo | Out-String -Width 200
        foreach ($h in 'web01', 'web02', 'db01') { $text | Should -Match ([regex]::Escape((Join-Path $dir "$h/requests"))) }
        ([regex]::Matches($text, 'count\.wsp')).Count | Should -Be 3
        $text | Should -Match 'LastUpdate'
    }
}
