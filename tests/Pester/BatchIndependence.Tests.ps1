# Issue 10, item 1: one Add-WhisperPoint call gives every file exactly the bytes of python whisper's single
# update_many(path, all_points_of_the_call, now), whatever the order, the number of points and -BatchSize, in memory
# bounded by the file's slots. Python writes the reference files and the CSV of points in the same run.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-WhisperModulePath) -Force -ErrorAction Stop
    Assert-PythonWhisper
    $script:Dir = New-TestFolder

    # Makes the point set of one case (random order, duplicates within and across slots, points too old for the
    # file, a few in the future), writes it as CSV, creates each schema twice (ours, python's) and applies one
    # update_many per python file. Prints the layout so the test can create nothing itself.
    $script:CasePy = @'
import csv, random, sys, whisper
seed, count, folder, now, order = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5]
rnd = random.Random(seed)
schemas = [[(10, 360), (60, 1440), (3600, 168)], [(60, 1440), (300, 2016)], [(1, 300), (60, 60), (600, 144)]]
methods = ['average', 'sum', 'last', 'max', 'min', 'avg_zero', 'absmax', 'absmin']
files = []
for i, archives in enumerate(rnd.sample(schemas, rnd.randint(1, 3))):
    xff = rnd.choice([0, 0.3, 0.5, 1])
    for side in ('ours', 'py'):
        whisper.create('%s/%d-%s.wsp' % (folder, i, side), archives, xFilesFactor=xff,
                       aggregationMethod=methods[(seed + i) % len(methods)])
    files.append('%s/%d' % (folder, i))
span = rnd.choice([3600, 86400, 8 * 86400])
points = []
for j in range(count):
    r = rnd.random()
    if r < 0.002:
        t = now + rnd.randint(1, 7200)              # in the future
    elif r < 0.004:
        t = now - 40 * 86400 - rnd.randint(0, 9999)  # older than every archive
    else:
        t = now - rnd.randint(0, span)
    points.append((t, round(rnd.uniform(-1000, 1000), rnd.randint(0, 6))))
# Duplicates: repeat some timestamps with other values.
for j in range(count // 10):
    t, _ = points[rnd.randrange(len(points))]
    points.append((t, rnd.random()))
if order == 'newest-first':
    points.sort(key=lambda p: -p[0])
elif order == 'oldest-first':
    points.sort(key=lambda p: p[0])
else:
    rnd.shuffle(points)
with open(folder + '/points.csv', 'w', newline='') as fh:
    w = csv.writer(fh, quoting=csv.QUOTE_ALL)
    w.writerow(['UnixTime', 'Value'])
    for t, v in points:
        w.writerow([t, repr(v)])
for f in files:
    whisper.update_many(f + '-py.wsp', points, now)
print(len(points))
for f in files:
    print(f)
'@
}

Describe 'Add-WhisperPoint is batch-independent: one call = one python update_many per file' -Tag 'Python' {
    It 'random case <Case> (<Order>, up to <Max> points): every file is byte-identical to python' -ForEach @(
        @{ Case = 1; Order = 'random'; Max = 0 }
        @{ Case = 2; Order = 'random'; Max = 1 }
        @{ Case = 3; Order = 'random'; Max = 500 }
        @{ Case = 4; Order = 'newest-first'; Max = 25000 }
        @{ Case = 5; Order = 'random'; Max = 25000 }
        @{ Case = 6; Order = 'oldest-first'; Max = 40000 }
        @{ Case = 7; Order = 'random'; Max = 300000 }
    ) {
        $seed = Get-Random -Minimum 1 -Maximum 1000000
        $rng = [Random]::new($seed)
        $count = if ($Max -le 1) { $Max } else { $rng.Next([int]($Max / 2), $Max + 1) }
        $batch = @(1, 7, 100, 1000, 10000, 100000)[$rng.Next(6)]
        $now = 1767323045 + $rng.Next(0, 86400)
        $folder = Join-Path $Dir "case$Case-$seed"
        $null = New-Item -ItemType Directory $folder
        $out = @(Invoke-Python -Script $CasePy -Arguments @($seed, $count, $folder, $now, $Order))
        $files = $out[1..($out.Count - 1)]
        $because = "seed $seed, $count+ points ($Order), -BatchSize $batch, now $now, $($files.Count) file(s)"
        Write-Host "    case ${Case}: $because"

        $ours = $files | ForEach-Object { "$_-ours.wsp" }
        Import-Csv -LiteralPath (Join-Path $folder 'points.csv') |
            Add-WhisperPoint -LiteralPath $ours -Now $now -BatchSize $batch -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        foreach ($f in $files) {
            Get-FileSha256 "$f-ours.wsp" | Should -Be (Get-FileSha256 "$f-py.wsp") -Because "$because, file $(Split-Path -Leaf $f)"
        }
    }

    It 'writes 1,000,000 piped points into one file exactly as python, with memory bounded by the slots' {
        # A lazy generator, so the points never exist all at once on our side: the heap measured while they flow
        # is what Add-WhisperPoint keeps. The same formula runs in python.
        if (-not ('WhisperPSTest.PointStream' -as [type])) {
            Add-Type -TypeDefinition @'
using System;
using System.Collections.Generic;
using System.Management.Automation;
namespace WhisperPSTest {
    public static class PointStream {
        public static long PeakHeapGrowth;
        public static IEnumerable<PSObject> Points(int count, long now, int span) {
            GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
            long baseline = GC.GetTotalMemory(true);
            PeakHeapGrowth = 0;
            for (int i = 0; i < count; i++) {
                if (i % 100000 == 99999) {
                    long heap = GC.GetTotalMemory(true) - baseline;
                    if (heap > PeakHeapGrowth) PeakHeapGrowth = heap;
                }
                var o = new PSObject();
                long t = now - (long)(((ulong)i * 2654435761UL) % (ulong)span);
                o.Properties.Add(new PSNoteProperty("UnixTime", t));
                o.Properties.Add(new PSNoteProperty("Value", (double)(i % 1000) * 0.25));
                yield return o;
            }
        }
    }
}
'@
        }
        $folder = Join-Path $Dir 'million'
        $null = New-Item -ItemType Directory $folder
        $now = 1767323045; $count = 1000000; $span = 86400 * 2
        $py = @'
import sys, whisper
folder, now, count, span = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
for side in ('ours', 'py'):
    whisper.create(folder + '/m-' + side + '.wsp', [(60, 1440), (3600, 720)], xFilesFactor=0.5)
points = [(now - (i * 2654435761) % span, (i % 1000) * 0.25) for i in range(count)]
whisper.update_many(folder + '/m-py.wsp', points, now)
'@
        Invoke-Python -Script $py -Arguments @($folder, $now, $count, $span)
        [WhisperPSTest.PointStream]::Points($count, $now, $span) |
            Add-WhisperPoint -LiteralPath (Join-Path $folder 'm-ours.wsp') -Now $now -BatchSize 10000
        $growth = [WhisperPSTest.PointStream]::PeakHeapGrowth
        Write-Host ("    1,000,000 points: peak managed heap growth while piping {0:N1} MB (2,160 slots)" -f ($growth / 1MB))
        Get-FileSha256 (Join-Path $folder 'm-ours.wsp') | Should -Be (Get-FileSha256 (Join-Path $folder 'm-py.wsp'))
        # Keeping the points themselves would need at least 16 MB (16 bytes each); the reduction keeps one per slot.
        $growth | Should -BeLessThan 8MB
    }
}
