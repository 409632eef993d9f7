# The cmdlets against the reference, python whisper 1.1.4: for the same calls (create, update_many with a fixed now,
# setAggregationMethod, merge) the files must be byte-identical, and Get-WhisperSeries must return what
# whisper.fetch returns. Cases are random; set $env:WHISPERPS_SEED to replay a run. A failing case names its seed.
BeforeDiscovery {
    $runSeed = if ($env:WHISPERPS_SEED) { [int] $env:WHISPERPS_SEED } else { Get-Random -Minimum 1 -Maximum 1000000 }
    $script:Cases = 0..11 | ForEach-Object { @{ Seed = $runSeed + $_ } }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-WhisperModulePath) -Force -ErrorAction Stop
    Assert-PythonWhisper

    $script:Schemas = @(
        @('10s:1h', '1m:1d'), @('1s:10min', '10s:1h', '1m:6h'), @('60:1440'), @('5s:5min', '1m:1h', '1h:2d'),
        @('10s:6h', '1m:2d', '10m:30d'), @('1s:1min', '2s:4min', '4s:16min', '8s:1h'))
    $script:Methods = 'average', 'sum', 'last', 'max', 'min', 'avg_zero', 'absmax', 'absmin'

    function New-Points([Random] $r, [long] $now, [long[]] $retentions, [int] $count) {
        $max = $retentions[-1]
        $points = [Collections.Generic.List[object]]::new()
        for ($i = 0; $i -lt $count; $i++) {
            $roll = $r.Next(100)
            $age = if ($roll -lt 60) { $r.Next([int]$retentions[0]) }
                   elseif ($roll -lt 85) { $r.Next([int]($max * 1.1)) }
                   elseif ($roll -lt 90) { -$r.Next(1, 60) }
                   else { $retentions[$r.Next($retentions.Count)] + $r.Next(-1, 2) }
            $ts = if ($points.Count -gt 0 -and $r.Next(10) -eq 0) { $points[$r.Next($points.Count)][0] } else { $now - $age }
            $v = $r.Next(100)
            $value = if ($v -lt 4) { 'nan' } elseif ($v -lt 6) { 'inf' } elseif ($v -lt 7) { '-inf' }
                     elseif ($v -lt 20) { [string] $r.Next(-1000, 1000) }
                     else { ((($r.NextDouble() - 0.3) * [Math]::Pow(10, $r.Next(-5, 12)))).ToString('R', [cultureinfo]::InvariantCulture) }
            $points.Add(@([long]$ts, $value))
        }
        , $points.ToArray()
    }

    function New-Case([int] $Seed, [string] $Folder) {
        $r = [Random]::new($Seed)
        $schema = $Schemas[$r.Next($Schemas.Count)]
        $archives = [WhisperPS.Engine.Retention]::Validate([WhisperPS.Engine.Retention]::ParseList([string[]]$schema))
        $retentions = [long[]]@($archives | ForEach-Object Retention)
        $xffs = 0, 0.2, 0.5, 0.71, 1.0, [Math]::Round($r.NextDouble(), 3)
        $now = 1767323045 + $r.Next(100000)
        $case = [ordered] @{
            seed = $Seed; path = Join-Path $Folder "case$Seed.wsp"; retention = $schema
            archives = @($archives | ForEach-Object { , @($_.SecondsPerPoint, $_.Points) })
            method = $Methods[$r.Next(8)]; xff = $xffs[$r.Next($xffs.Count)]
            now = $now; points = New-Points $r $now $retentions $r.Next(1, 400)
            now2 = $now + $r.Next(600); points2 = @()
            setAgg = $null; merge = $null; fetches = @()
        }
        if ($r.Next(2) -eq 0) { $case.points2 = New-Points $r $case.now2 $retentions $r.Next(1, 100) }
        if ($r.Next(2) -eq 0) { $case.setAgg = [ordered] @{ method = $Methods[$r.Next(8)]; xff = $(if ($r.Next(2)) { $xffs[$r.Next($xffs.Count)] } else { $null }) } }
        $final = $case.now2
        if ($r.Next(2) -eq 0) {
            $mnow = $case.now2 + $r.Next(300)
            $from = if ($r.Next(2)) { $mnow - $r.Next([int]$retentions[-1]) } else { $null }
            $until = if ($r.Next(2)) { $mnow - $r.Next([int]($retentions[0] / 2)) } else { $null }
            if ($null -ne $from -and $null -ne $until -and $from -gt $until) { $from, $until = $until, $from }
            $case.merge = [ordered] @{ path = Join-Path $Folder "merge$Seed.wsp"; now = $mnow; from = $from; until = $until
                points = New-Points $r $mnow $retentions $r.Next(1, 200) }
            $final = $mnow
        }
        $case.fetches = @(1..5 | ForEach-Object {
            $a = $final - $r.Next([int]($retentions[-1] * 1.1)); $b = $final - $r.Next(-100, [int]$retentions[0])
            if ($a -gt $b) { $a, $b = $b, $a }
            [ordered] @{ from = $a; until = $b; now = $final + $r.Next(0, 50) }
        })
        $case
    }

    function Add-Points([string] $Path, $Points, [long] $Now) {
        # Numbers go in as doubles, Python's special spellings as strings, like values from a CSV.
        $Points | ForEach-Object {
            $v = if ($_[1] -in 'nan', 'inf', '-inf') { $_[1] } else { [double]::Parse($_[1], [cultureinfo]::InvariantCulture) }
            [pscustomobject] @{ Timestamp = $_[0]; Value = $v }
        } | Add-WhisperPoint -LiteralPath $Path -Now $Now -ErrorAction SilentlyContinue -ErrorVariable addErrors
        # Every error must be a point older than the retention (whisper drops those silently).
        $addErrors | Where-Object { $_.FullyQualifiedErrorId -notlike 'WhisperPointNotCovered,*' } | ForEach-Object { throw $_ }
    }

    function Invoke-CmdletCase($c) {
        $null = New-WhisperFile -LiteralPath $c.path -Retention $c.retention -AggregationMethod $c.method -XFilesFactor $c.xff
        Add-Points $c.path $c.points $c.now
        if ($c.points2.Count) { Add-Points $c.path $c.points2 $c.now2 }
        if ($c.setAgg) {
            $p = @{ LiteralPath = $c.path; AggregationMethod = $c.setAgg.method }
            if ($null -ne $c.setAgg.xff) { $p.XFilesFactor = $c.setAgg.xff }
            Set-WhisperAggregation @p
        }
        if ($c.merge) {
            $m = $c.merge
            $null = New-WhisperFile -LiteralPath $m.path -Retention $c.retention -AggregationMethod $c.method -XFilesFactor $c.xff
            Add-Points $m.path $m.points $m.now
            $p = @{ LiteralPath = $m.path; Destination = $c.path; Now = $m.now }
            if ($null -ne $m.from) { $p.From = $m.from }
            if ($null -ne $m.until) { $p.Until = $m.until }
            Merge-WhisperFile @p -ErrorAction Stop
        }
    }

    function ConvertTo-PyRepr([Nullable[double]] $v) {
        if ($null -eq $v) { return 'None' }
        if ([double]::IsNaN($v)) { return 'nan' }
        if ([double]::IsPositiveInfinity($v)) { return 'inf' }
        if ([double]::IsNegativeInfinity($v)) { return '-inf' }
        '{0:X16}' -f [BitConverter]::DoubleToInt64Bits($v)
    }

    $python = @'
import json, sys, whisper
spec = json.load(open(sys.argv[1]))
out = {}
def pts(points):
    return [(int(t), float(v)) for t, v in points]
for c in spec:
    p = c['path']
    arch = [tuple(a) for a in c['archives']]
    whisper.create(p, arch, xFilesFactor=c['xff'], aggregationMethod=c['method'])
    whisper.update_many(p, pts(c['points']), now=c['now'])
    if c['points2']:
        whisper.update_many(p, pts(c['points2']), now=c['now2'])
    if c['setAgg']:
        whisper.setAggregationMethod(p, c['setAgg']['method'], c['setAgg']['xff'])
    m = c['merge']
    if m:
        whisper.create(m['path'], arch, xFilesFactor=c['xff'], aggregationMethod=c['method'])
        whisper.update_many(m['path'], pts(m['points']), now=m['now'])
        whisper.merge(m['path'], p, m['from'], m['until'], now=m['now'])
    res = []
    for w in c['fetches']:
        r = whisper.fetch(p, w['from'], w['until'], now=w['now'])
        if r is None:
            res.append(None)
        else:
            (start, end, step), values = r
            res.append(['%d=%s' % (start + i * step, 'None' if v is None else repr(v)) for i, v in enumerate(values)])
    out[str(c['seed'])] = res
print(json.dumps(out))
'@
    $script:PyDir = New-TestFolder
    $script:PsDir = New-TestFolder
    $seeds = $Cases.Seed
    $pySpec = @($seeds | ForEach-Object { New-Case $_ $PyDir })
    $specFile = Join-Path $PyDir 'spec.json'
    ConvertTo-Json -InputObject $pySpec -Depth 10 -Compress | Set-Content -LiteralPath $specFile
    $script:PyFetch = (Invoke-Python -Script $python -Arguments $specFile) | ConvertFrom-Json
    $script:PsCases = @{}
    foreach ($s in $seeds) { $PsCases[$s] = New-Case $s $PsDir }
    $script:PyCases = @{}
    foreach ($c in $pySpec) { $PyCases[$c.seed] = $c }
}

Describe 'Interop with python whisper 1.1.4 (randomized)' -Tag 'Python' {
    It 'writes the same bytes and fetches the same values as whisper (seed <Seed>)' -ForEach $Cases {
        $c = $PsCases[$Seed]
        $describe = "seed $Seed (replay with `$env:WHISPERPS_SEED=$Seed): $($c.retention -join ',') $($c.method) xff=$($c.xff) " +
            "points=$($c.points.Count)+$($c.points2.Count) setAgg=$([bool]$c.setAgg) merge=$([bool]$c.merge)"
        Invoke-CmdletCase $c
        Get-FileSha256 $c.path | Should -Be (Get-FileSha256 $PyCases[$Seed].path) -Because $describe
        if ($c.merge) { Get-FileSha256 $c.merge.path | Should -Be (Get-FileSha256 $PyCases[$Seed].merge.path) -Because $describe }

        $expected = $PyFetch.$Seed
        $valuesCompared = 0
        for ($i = 0; $i -lt $c.fetches.Count; $i++) {
            $w = $c.fetches[$i]
            $ours = @(Get-WhisperSeries -LiteralPath $c.path -From $w.from -Until $w.until -Now $w.now -IncludeEmpty |
                ForEach-Object { '{0}={1}' -f $_.UnixTime, (ConvertTo-PyRepr $_.Value) })
            $theirs = @($expected[$i] | Where-Object { $null -ne $_ } | ForEach-Object {
                $t, $v = $_ -split '=', 2
                if ($v -in 'None', 'nan', 'inf', '-inf') { "$t=$v" } else { "$t=" + (ConvertTo-PyRepr ([double]::Parse($v, [cultureinfo]::InvariantCulture))) }
            })
            $ours.Count | Should -Be $theirs.Count -Because "$describe, fetch $($w.from)..$($w.until) now $($w.now)"
            $ours | Should -Be $theirs -Because "$describe, fetch $($w.from)..$($w.until) now $($w.now)"
            $valuesCompared += @($ours | Where-Object { $_ -notlike '*=None' }).Count
        }
        # Guards against comparing empty lists only: with 20+ points, some land in every case's fetch windows.
        if ($c.points.Count -ge 20) { $valuesCompared | Should -BeGreaterThan 0 -Because $describe }
    }
}

Describe 'Interop with the whisper command-line tools' -Tag 'Python' {
    BeforeAll { $dir = New-TestFolder }

    It 'Get-WhisperSeries matches whisper-fetch --json on the same file and range' {
        $f = (New-WhisperFile -LiteralPath (Join-Path $dir 'cli.wsp') '10s:1h', '1m:1d' -AggregationMethod sum).Path
        $clock = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
        0..200 | ForEach-Object { [pscustomobject] @{ Timestamp = $clock - 17 * $_; Value = $_ * 0.1 } } | Add-WhisperPoint -LiteralPath $f
        $from = $clock - 3000; $until = $clock - 200
        $json = (& /usr/bin/whisper-fetch --json --from $from --until $until $f) -join "`n" | ConvertFrom-Json
        $LASTEXITCODE | Should -Be 0
        $ours = @(Get-WhisperSeries -LiteralPath $f -From $from -Until $until -IncludeEmpty)
        $ours.Count | Should -Be $json.values.Count
        $ours[0].UnixTime | Should -Be $json.start
        ($ours[1].UnixTime - $ours[0].UnixTime) | Should -Be $json.step
        $ours.Value | Should -Be $json.values
        @($ours | Where-Object { $null -ne $_.Value }).Count | Should -BeGreaterThan 100
    }

    It 'whisper-fetch and whisper-info read a cmdlet-made file as python made it' {
        $f = (New-WhisperFile -LiteralPath (Join-Path $dir 'info.wsp') '1m:1d', '1h:30d' -AggregationMethod absmin -XFilesFactor 0.3).Path
        $py = Invoke-Python -Script 'import sys, json, whisper; i = whisper.info(sys.argv[1]); print(json.dumps([i["aggregationMethod"], i["xFilesFactor"], i["maxRetention"], [(a["offset"], a["secondsPerPoint"], a["points"]) for a in i["archives"]]]))' -Arguments $f | ConvertFrom-Json
        $info = Get-WhisperInfo -LiteralPath $f
        $py[0] | Should -Be 'absmin'
        [float]$py[1] | Should -Be $info.XFilesFactor
        $py[2] | Should -Be $info.MaxRetention
        ($py[3] | ForEach-Object { $_ -join ':' }) | Should -Be ($info.Archives | ForEach-Object { "$($_.Offset):$($_.SecondsPerPoint):$($_.Points)" })
    }
}
