# Shared by the *.Bench.ps1 scripts of Test-WhisperFile and Compare-WhisperFile (dot-sourced; not a bench itself).

function Get-Median([double[]] $xs) {
    $s = @($xs | Sort-Object)
    if ($s.Count % 2) { return $s[[int][Math]::Floor($s.Count / 2)] }
    return ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2
}

# Runs $Ours and $Theirs alternately, -Runs timed runs each after one untimed warm-up pair; medians in seconds.
# The last block's output is left in $script:last for the caller to check.
function Measure-Pair([scriptblock] $Ours, [scriptblock] $Theirs, [int] $Runs) {
    $a = [Collections.Generic.List[double]]::new(); $b = [Collections.Generic.List[double]]::new()
    for ($i = -1; $i -lt $Runs; $i++) {
        foreach ($side in $(if ($i % 2 -eq 0) { 'ours', 'theirs' } else { 'theirs', 'ours' })) {
            [GC]::Collect()
            $block = if ($side -eq 'ours') { $Ours } else { $Theirs }
            $t = (Measure-Command { $script:last = & $block }).TotalSeconds
            if ($i -ge 0) { if ($side -eq 'ours') { $a.Add($t) } else { $b.Add($t) } }
        }
    }
    [pscustomobject] @{ Ours = (Get-Median $a); Theirs = (Get-Median $b) }
}
