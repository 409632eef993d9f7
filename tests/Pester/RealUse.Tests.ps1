# Issue 10: what a Graphite admin met in a day of real use. Time zones and cultures (child processes with TZ set,
# since CI runs on UTC), records without a time, points in the future, -Archive against python's fetch,
# graphite-web's time forms and -LockTimeout.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-WhisperModulePath) -Force -ErrorAction Stop
    Assert-PythonWhisper
    $script:Dir = New-TestFolder
    $script:Now = 1767323045   # 2026-01-02T03:04:05Z
}

Describe 'CSV and JSON round trips in any time zone and culture (item 2)' {
    It 'lands every point at its original second under TZ=<Tz>, for every column subset, en-US, de-DE and ja-JP' -ForEach @(
        @{ Tz = 'UTC' }, @{ Tz = 'Europe/Berlin' }, @{ Tz = 'America/New_York' }, @{ Tz = 'Asia/Kolkata' }
    ) {
        # Hourly points across the end of summer time in Europe (2026-10-25 01:00Z) and in the US (2026-11-01 06:00Z).
        $script = Join-Path $Dir "roundtrip-$($Tz -replace '/', '-').ps1"
        @'
param([string] $Folder, [string] $Module)
$ErrorActionPreference = 'Stop'
Import-Module $Module
$now = 1762300800   # 2026-11-05T00:00:00Z
$first = 1761177600 # 2026-10-23T00:00:00Z
$src = (New-WhisperFile -LiteralPath (Join-Path $Folder 'src.wsp') -Retention '1h:30d').Path
0..287 | ForEach-Object { [pscustomobject] @{ UnixTime = $first + 3600 * $_; Value = $_ + 0.5 } } | Add-WhisperPoint -LiteralPath $src -Now $now
$expected = (Get-WhisperSeries -LiteralPath $src -From $first -Until $now -Now $now | ForEach-Object { "$($_.UnixTime)=$($_.Value)" }) -join ','
foreach ($culture in 'en-US', 'de-DE', 'ja-JP') {
    [cultureinfo]::CurrentCulture = $culture
    foreach ($columns in @('Timestamp', 'Value'), @('Path', 'Timestamp', 'Value'), @('UnixTime', 'Value'), @('Timestamp', 'UnixTime', 'Value')) {
        foreach ($format in 'csv', 'json') {
            $name = "$culture-$format-$($columns -join '+')"
            $dst = (New-WhisperFile -LiteralPath (Join-Path $Folder "$name.wsp") -Retention '1h:30d').Path
            $rows = Get-WhisperSeries -LiteralPath $src -From $first -Until $now -Now $now | Select-Object $columns
            $back = if ($format -eq 'csv') {
                $csv = Join-Path $Folder "$name.csv"
                $rows | Export-Csv -LiteralPath $csv -NoTypeInformation
                Import-Csv -LiteralPath $csv
            } else {
                $rows | ConvertTo-Json | ConvertFrom-Json
            }
            $back | Add-WhisperPoint -LiteralPath $dst -Now $now -ErrorAction Continue
            $got = (Get-WhisperSeries -LiteralPath $dst -From $first -Until $now -Now $now | ForEach-Object { "$($_.UnixTime)=$($_.Value)" }) -join ','
            if ($got -eq $expected) { "same $name" } else { "DIFFERENT $name : got $($got.Substring(0, [Math]::Min(120, $got.Length)))" }
        }
    }
}
'@ | Set-Content -LiteralPath $script
        $folder = Join-Path $Dir ($Tz -replace '/', '-')
        $null = New-Item -ItemType Directory $folder
        $old = $env:TZ
        $env:TZ = $Tz
        try { $r = Invoke-ChildPwsh -File $script -Arguments @($folder, (Get-WhisperModulePath)) }
        finally { $env:TZ = $old }
        $lines = @($r.Output)
        $r.ExitCode | Should -Be 0 -Because ($lines -join "`n")
        @($lines | Where-Object { $_ -like 'same *' }).Count | Should -Be 24 -Because ($lines -join "`n")
    }

    It 'reads a string without a zone as local time, and refuses a date whose reading depends on the culture' {
        $script = Join-Path $Dir 'zoneless.ps1'
        @'
param([string] $Module)
Import-Module $Module
[cultureinfo]::CurrentCulture = 'en-US'
$f = (New-WhisperFile -LiteralPath (Join-Path ([IO.Path]::GetTempPath()) "zl-$PID.wsp") -Retention '1h:30d' -Force).Path
Add-WhisperPoint -LiteralPath $f -Value 1 -Timestamp '2025-12-01T14:00:00' -Now 1765000000
(Get-WhisperSeries -LiteralPath $f -From 1764500000 -Until 1765000000 -Now 1765000000).UnixTime
try { Add-WhisperPoint -LiteralPath $f -Value 1 -Timestamp '01.12.2025 14:00:00' -Now 1765000000 -ErrorAction Stop; 'accepted' } catch { $_.FullyQualifiedErrorId }
Remove-Item -LiteralPath $f
'@ | Set-Content -LiteralPath $script
        $old = $env:TZ
        $env:TZ = 'Europe/Berlin'
        try { $r = Invoke-ChildPwsh -File $script -Arguments @((Get-WhisperModulePath)) }
        finally { $env:TZ = $old }
        # 14:00 in Berlin in December is 13:00Z.
        $r.Output[0] | Should -Be '1764594000'
        $r.Output[1] | Should -Be 'WhisperTimestampInvalid,WhisperPS.Commands.AddWhisperPointCommand'
    }
}

Describe 'Piped records without a time (item 3)' {
    BeforeEach {
        $script:File = (New-WhisperFile -LiteralPath (Join-Path $Dir "nt-$([guid]::NewGuid().ToString('N').Substring(0, 6)).wsp") -Retention '1m:1d').Path
    }

    It 'reports each Date,Value row as WhisperTimestampMissing with the row as target, and stores nothing' {
        $rows = 'Date,Value', '2026-01-02 03:00,1', '2026-01-02 03:01,2', '2026-01-02 03:02,3' | ConvertFrom-Csv
        $rows | Add-WhisperPoint -LiteralPath $File -Now $Now -ErrorVariable err -ErrorAction SilentlyContinue
        $err | Should -HaveCount 3
        $err | ForEach-Object { $_.FullyQualifiedErrorId | Should -Be 'WhisperTimestampMissing,WhisperPS.Commands.AddWhisperPointCommand' }
        $err[1].TargetObject.Date | Should -Be '2026-01-02 03:01'
        Get-WhisperSeries -LiteralPath $File -Now $Now | Should -BeNullOrEmpty
    }

    It 'takes the time and value from other columns with -TimestampProperty and -ValueProperty' {
        $rows = 'Date,Reading', '2026-01-02T03:00:00Z,1', '2026-01-02T03:01:00Z,2', '2026-01-02T03:02:00Z,3' | ConvertFrom-Csv
        $rows | Add-WhisperPoint -LiteralPath $File -Now $Now -TimestampProperty Date -ValueProperty Reading
        (Get-WhisperSeries -LiteralPath $File -Now $Now | ForEach-Object { "$($_.UnixTime)=$($_.Value)" }) |
            Should -Be @('1767322800=1', '1767322860=2', '1767322920=3')
    }

    It 'still stores -Value alone on the command line at now' {
        Add-WhisperPoint -LiteralPath $File -Value 7 -Now $Now
        (Get-WhisperSeries -LiteralPath $File -Now $Now).UnixTime | Should -Be ($Now - $Now % 60)
    }
}

Describe 'Points in the future (item 4)' {
    It 'warns with the count and the file, and stores them as update_many does' {
        $f = (New-WhisperFile -LiteralPath (Join-Path $Dir 'future.wsp') -Retention '1m:1d').Path
        $in = [pscustomobject] @{ UnixTime = $Now + 600; Value = 1 }, [pscustomobject] @{ UnixTime = $Now + 60; Value = 2 },
              [pscustomobject] @{ UnixTime = $Now - 60; Value = 3 }
        $in | Add-WhisperPoint -LiteralPath $f -Now $Now -WarningVariable w -WarningAction SilentlyContinue
        $w | Should -HaveCount 1
        "$($w[0])" | Should -Match '2 point\(s\) are in the future'
        "$($w[0])" | Should -Match ([regex]::Escape($f))
        # Visible once the clock reaches them.
        (Get-WhisperSeries -LiteralPath $f -Now ($Now + 900) -From ($Now - 120) | ForEach-Object Value) | Should -Be @(3, 2, 1)
    }
}

Describe '-Archive returns exactly whisper''s fetch(archiveToSelect=...) (item 5)' -Tag 'Python' {
    It 'matches python for 300 random ranges over every archive' {
        $seed = Get-Random -Minimum 1 -Maximum 1000000
        $file = Join-Path $Dir "arch-$seed.wsp"
        $py = @'
import json, random, sys, whisper
seed, path = int(sys.argv[1]), sys.argv[2]
rnd = random.Random(seed)
arch = [(10, 60), (60, 120), (600, 50)]
whisper.create(path, arch, xFilesFactor=0.3)
now = 1767323045
whisper.update_many(path, [(now - rnd.randint(0, 60 * 120 + 600 * 50), rnd.random()) for _ in range(3000)], now)
cases = []
for i in range(300):
    a = rnd.randrange(3)
    n = now + rnd.randint(-200, 200)
    f = n - rnd.randint(-100, 600 * 60)
    u = f + rnd.randint(0, 600 * 20)
    r = whisper.fetch(path, f, u, n, archiveToSelect=str(arch[a][0]))
    out = [] if r is None else ['%d=%r' % (r[0][0] + j * r[0][2], v) for j, v in enumerate(r[1])]
    cases.append(dict(a=a, now=n, f=f, u=u, out=out))
print(json.dumps(cases))
'@
        $cases = (Invoke-Python -Script $py -Arguments @($seed, $file)) -join "`n" | ConvertFrom-Json
        $bad = [Collections.Generic.List[string]]::new()
        foreach ($c in $cases) {
            $ours = @(Get-WhisperSeries -LiteralPath $file -From $c.f -Until $c.u -Now $c.now -Archive $c.a -IncludeEmpty |
                ForEach-Object { '{0}={1}' -f $_.UnixTime, $(if ($null -eq $_.Value) { 'None' } else { $_.Value.ToString('R', [cultureinfo]::InvariantCulture) }) })
            $theirs = @($c.out | ForEach-Object {
                $t, $v = $_ -split '=', 2
                if ($v -eq 'None') { $_ } else { "$t=" + [double]::Parse($v, [cultureinfo]::InvariantCulture).ToString('R', [cultureinfo]::InvariantCulture) }
            })
            if (($ours -join ',') -ne ($theirs -join ',')) { $bad.Add("archive $($c.a) from $($c.f) until $($c.u) now $($c.now): $($ours.Count) vs $($theirs.Count) slots") }
        }
        $bad | Should -BeNullOrEmpty -Because "seed $seed"
    }
}

Describe 'Time parameters take graphite-web''s from/until forms' {
    BeforeAll {
        $script:F = (New-WhisperFile -LiteralPath (Join-Path $Dir 'forms.wsp') -Retention '1m:30d').Path
        0..1439 | ForEach-Object { [pscustomobject] @{ UnixTime = $Now - 60 * $_; Value = $_ } } | Add-WhisperPoint -LiteralPath $F -Now $Now
        function script:FirstSlot($From, $Until = $Now) { (Get-WhisperSeries -LiteralPath $F -Now $Now -From $From -Until $Until -IncludeEmpty | Select-Object -First 1).UnixTime }
    }

    It 'reads <Text> as graphite does (TZ=UTC here)' -ForEach @(
        @{ Text = '-1d'; From = 1767323045 - 86400 }
        @{ Text = '-30min'; From = 1767323045 - 1800 }
        @{ Text = '-1h30min'; From = 1767323045 - 5400 }
        @{ Text = 'now-2h'; From = 1767323045 - 7200 }
        @{ Text = 'midnight'; From = 1767312000 }
        @{ Text = 'today'; From = 1767312000 }
        @{ Text = 'yesterday'; From = 1767312000 - 86400 }
        @{ Text = 'midnight-1d'; From = 1767312000 - 86400 }
        @{ Text = '02:30_20260102'; From = 1767321000 }
        @{ Text = '20260101'; From = 1767225600 }
        @{ Text = '1767320000'; From = 1767320000 }
    ) {
        if ([TimeZoneInfo]::Local.BaseUtcOffset -ne [TimeSpan]::Zero) { Set-ItResult -Inconclusive -Because 'expected values are for UTC' }
        FirstSlot $Text | Should -Be ($From - $From % 60 + 60)
    }

    It 'reads calendar words in the local time zone (TZ=Europe/Berlin: midnight is 23:00Z)' {
        $script = Join-Path $Dir 'midnight.ps1'
        "Import-Module '$(Get-WhisperModulePath)'; (Get-WhisperSeries -LiteralPath '$F' -Now $Now -From midnight -IncludeEmpty | Select-Object -First 1).UnixTime" |
            Set-Content -LiteralPath $script
        $old = $env:TZ; $env:TZ = 'Europe/Berlin'
        try { $r = Invoke-ChildPwsh -File $script } finally { $env:TZ = $old }
        $r.Output | Should -Be ([string] (1767308400 + 60))
    }

    It 'refuses <Text> with a clear error instead of guessing' -ForEach @(
        @{ Text = '-86400' }, @{ Text = '-1' }, @{ Text = 'yesterday-ish' }, @{ Text = '-1fortnight' }
    ) {
        { Get-WhisperSeries -LiteralPath $F -Now $Now -From $Text } | Should -Throw -ExpectedMessage '*not a time*'
    }

    It 'refuses -From -86400 unquoted, and a negative number, instead of reading the whole file' {
        { Get-WhisperSeries -LiteralPath $F -Now $Now -From -86400 } | Should -Throw -ExpectedMessage '*not a time*'
        { Get-WhisperSeries -LiteralPath $F -Now $Now -From (-86400) } |
            Should -Throw -ErrorId 'WhisperTimestampInvalid,WhisperPS.Commands.GetWhisperSeriesCommand'
    }
}

Describe '-LockTimeout bounds the wait for a file''s lock' -Tag 'Python' {
    It 'fails reads and writes with WhisperLockTimeout naming the file while another process holds the lock' {
        $f = (New-WhisperFile -LiteralPath (Join-Path $Dir 'locked.wsp') -Retention '1m:1d').Path
        $ready = Join-Path $Dir 'locked.ready'
        $py = "import fcntl, os, sys, time`nfh = open(sys.argv[1], 'r+b')`nfcntl.flock(fh.fileno(), fcntl.LOCK_EX)`nopen(sys.argv[2], 'w').close()`ntime.sleep(30)"
        $pyFile = Join-Path $Dir 'hold.py'
        Set-Content -LiteralPath $pyFile -Value $py
        $holder = Start-Process -FilePath /usr/bin/python3 -ArgumentList @($pyFile, $f, $ready) -PassThru
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while (-not (Test-Path $ready) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            Test-Path $ready | Should -BeTrue
            Get-WhisperSeries -LiteralPath $f -Now $Now -LockTimeout 0.3 -ErrorVariable e1 -ErrorAction SilentlyContinue
            $e1 | Should -HaveCount 1
            $e1[0].FullyQualifiedErrorId | Should -Be 'WhisperLockTimeout,WhisperPS.Commands.GetWhisperSeriesCommand'
            $e1[0].CategoryInfo.Category | Should -Be 'ResourceBusy'
            $e1[0].TargetObject | Should -Be $f
            Add-WhisperPoint -LiteralPath $f -Value 1 -Now $Now -LockTimeout 0.3 -ErrorVariable e2 -ErrorAction SilentlyContinue
            $e2 | Should -HaveCount 1
            $e2[0].FullyQualifiedErrorId | Should -Be 'WhisperLockTimeout,WhisperPS.Commands.AddWhisperPointCommand'
            "$($e2[0])" | Should -Match ([regex]::Escape($f))
        }
        finally { Stop-Process -Id $holder.Id -ErrorAction SilentlyContinue }
        # Once the lock is free, the same calls work.
        Add-WhisperPoint -LiteralPath $f -Value 1 -Now $Now -LockTimeout 5
        (Get-WhisperSeries -LiteralPath $f -Now $Now -LockTimeout 5).Value | Should -Be 1
    }
}
