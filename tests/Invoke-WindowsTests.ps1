<#
.SYNOPSIS
    The Windows stage (build.ps1 TestWindows): the engine tests and the Pester suite on the Windows code path, under
    Wine, on Linux. Installs Wine from apt where missing; the Windows runtime packs and the PowerShell SDK come from
    NuGet. Returns {Passed, Failed, Skipped} and prints 'Windows: N passed, N failed, N skipped'.

.DESCRIPTION
    What runs:
    - tests/WhisperPS.Engine.Tests.Windows: the sources of tests/WhisperPS.Engine.Tests plus Windows-only tests, as a
      self-contained win-x64 xunit.v3 executable, minus the tests with a Needs=<program> trait (they need a Linux
      program, which a Windows process cannot use; the values are read from Support/Needs.cs and printed).
    - $PesterFiles through Invoke-PesterTests.ps1 in tests/WhisperPS.WindowsHost (PowerShell 7 hosted on Windows .NET),
      minus the tags in $PesterExcludeTag.
    - The two parts run side by side (two cores), each under a watchdog (Start-/Wait-Watched): killed when silent for $IdleSeconds or running longer than
      $TimeoutSeconds; the tests that were running are then printed as [STUCK] and counted as failed.
    - Helper processes are tests/WhisperPS.Stress built for win-x64, so both sides of every lock are Windows code.
    Wine's traps, each handled below: the CLR needs DOTNET_EnableWriteXorExecute=0; winedbg must be disabled or an
    unhandled exception exits 0; the console host needs a terminal (script(1)); Wine writes CR LF; Pester's XML
    writers crash under Wine, so counts come from Pester's result object.
#>
param(
    [Parameter(Mandatory)] [string] $RepoRoot,
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $PesterPath,
    [Parameter(Mandatory)] [string] $ResultsDir,
    [string] $Configuration = 'Release',
    # Per part (engine tests, Pester): a run still going after this long, or silent for $IdleSeconds, is killed and
    # its unfinished tests count as failed.
    [int] $TimeoutSeconds = 900,
    [int] $IdleSeconds = 240,
    # Pester tags of tests that need a Linux program (PowerShell on Windows cannot start one). The README's
    # compatibility table lists them.
    [string[]] $PesterExcludeTag = @('Python', 'Carbon', 'Chromium', 'Tmux'),
    # The Pester files run under Wine: the Windows-only file and the cmdlets' own files, which cover the Windows code
    # paths (locking, the rewrite journal, paths, sparse files, sharing). The rest of tests/Pester is left out for
    # time (PowerShell under Wine is several times slower, and CI has 20 minutes); the README lists them.
    [string[]] $PesterFiles = @('tests/Pester.Windows', 'tests/Pester/New-WhisperFile.Tests.ps1', 'tests/Pester/Add-WhisperPoint.Tests.ps1',
        'tests/Pester/Get-WhisperSeries.Tests.ps1', 'tests/Pester/Get-WhisperInfo.Tests.ps1', 'tests/Pester/Merge-WhisperFile.Tests.ps1',
        'tests/Pester/Set-WhisperAggregation.Tests.ps1', 'tests/Pester/Resize-WhisperFile.Tests.ps1', 'tests/Pester/Repair-WhisperFile.Tests.ps1',
        'tests/Pester/Reliability.Tests.ps1', 'tests/Pester/Pipeline.Tests.ps1', 'tests/Pester/Module.Tests.ps1')
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3

$out = Join-Path $RepoRoot 'out/windows'
$stage = [Diagnostics.Stopwatch]::StartNew()

function Write-Step([string] $Message) { Write-Host ("==> Windows: {0} ({1:n0} s)" -f $Message, $stage.Elapsed.TotalSeconds) }

function ConvertTo-WinePath([string] $Path) {
    # Wine's Z: drive is the Linux root.
    'Z:' + ([IO.Path]::GetFullPath($Path) -replace '/', '\')
}

function Get-Wine {
    foreach ($candidate in '/usr/lib/wine/wine64', '/usr/bin/wine64') { if (Test-Path $candidate) { return $candidate } }
    $cmd = Get-Command wine64 -CommandType Application -ErrorAction SilentlyContinue
    if ($cmd) { return $cmd[0].Source }
    return $null
}

function Install-Wine {
    $wine = Get-Wine
    if ($wine) { return $wine }
    Write-Step 'installing wine and wine64 from apt'
    if ((& id -u) -ne '0') { throw 'Wine is missing and this is not root: apt-get install wine wine64' }
    $env:DEBIAN_FRONTEND = 'noninteractive'
    & apt-get -o DPkg::Lock::Timeout=900 update -qq
    if ($LASTEXITCODE -ne 0) { throw "apt-get update failed ($LASTEXITCODE)" }
    & apt-get -o DPkg::Lock::Timeout=900 install -y -qq wine wine64 | Out-Null
    if ($LASTEXITCODE -ne 0) { throw "apt-get install wine wine64 failed ($LASTEXITCODE)" }
    $wine = Get-Wine
    if (-not $wine) { throw 'wine64 is still missing after apt-get install wine64' }
    return $wine
}

function Publish([string] $Project, [string] $Name, [string[]] $Extra = @()) {
    $dir = Join-Path $out $Name
    & dotnet publish (Join-Path $RepoRoot $Project) -c $Configuration -o $dir --nologo -v quiet -clp:ErrorsOnly @Extra
    if ($LASTEXITCODE -ne 0) { throw "dotnet publish $Project failed ($LASTEXITCODE)" }
    return $dir
}

function Remove-Ansi([string] $Line) { ($Line -replace "`e\[[0-9;?]*[A-Za-z]", '') -replace "`r", '' }

function Start-Watched {
    # Starts a program whose output goes to $LogPath, and the lines $Show accepts to the host (live, or kept for later
    # with -Deferred). Wait-Watched pumps it: a run that goes $IdleSeconds without a line of output, or runs longer
    # than $TotalSeconds, is killed with everything it started, so a stuck test fails the stage (the caller names
    # it from the log) and never stalls CI.
    param([string] $FilePath, [string[]] $ArgumentList, [string] $LogPath, [scriptblock] $Show, [int] $IdleSeconds, [int] $TotalSeconds, [switch] $Deferred)
    $psi = [Diagnostics.ProcessStartInfo]::new($FilePath)
    foreach ($a in $ArgumentList) { $psi.ArgumentList.Add($a) }
    $psi.UseShellExecute = $false; $psi.RedirectStandardOutput = $true; $psi.RedirectStandardError = $true
    $p = [Diagnostics.Process]::Start($psi)
    $log = [IO.StreamWriter]::new($LogPath, $false, [Text.UTF8Encoding]::new($false))
    $log.AutoFlush = $true
    $readers = @($p.StandardOutput, $p.StandardError)
    [pscustomobject] @{
        Process = $p; Log = $log; Readers = $readers; Pending = @($readers | ForEach-Object { $_.ReadLineAsync() })
        Show = $Show; Deferred = $Deferred.IsPresent; Kept = [Collections.Generic.List[string]]::new()
        Clock = [Diagnostics.Stopwatch]::StartNew(); LastLine = [TimeSpan]::Zero; IdleSeconds = $IdleSeconds; TotalSeconds = $TotalSeconds
        Done = $false; ExitCode = $null; Killed = $null
    }
}

function Wait-Watched([object[]] $Runs) {
    # Pumps the runs' output until every one has ended or been killed.
    while (@($Runs | Where-Object { -not $_.Done }).Count -gt 0) {
        $quiet = $true
        foreach ($r in @($Runs | Where-Object { -not $_.Done })) {
            for ($k = 0; $k -lt 2; $k++) {
                while ($r.Pending[$k] -and $r.Pending[$k].IsCompleted) {
                    $quiet = $false
                    $line = $r.Pending[$k].Result
                    if ($null -eq $line) { $r.Pending[$k] = $null; break }
                    $r.Pending[$k] = $r.Readers[$k].ReadLineAsync()
                    $line = Remove-Ansi $line
                    $r.Log.WriteLine($line)
                    if (& $r.Show $line) { if ($r.Deferred) { $r.Kept.Add($line) } else { Write-Host $line } }
                    $r.LastLine = $r.Clock.Elapsed
                }
            }
            $why = $null
            if (-not $r.Pending[0] -and -not $r.Pending[1]) {
                if ($r.Process.WaitForExit(0)) { $r.ExitCode = $r.Process.ExitCode; $r.Done = $true }
            }
            if (-not $r.Done) {
                if (($r.Clock.Elapsed - $r.LastLine).TotalSeconds -gt $r.IdleSeconds) { $why = "no output for $($r.IdleSeconds) s" }
                elseif ($r.Clock.Elapsed.TotalSeconds -gt $r.TotalSeconds) { $why = "still running after $($r.TotalSeconds) s" }
            }
            if ($why) {
                $r.Process.Kill($true)
                $null = $r.Process.WaitForExit(30000)
                $r.Killed = $why; $r.ExitCode = -1; $r.Done = $true
            }
            if ($r.Done) { $r.Log.Dispose(); $r.Process.Dispose() }
        }
        if ($quiet) { Start-Sleep -Milliseconds 200 }
    }
}

function Get-NeedsTrait {
    # The engine tests' Needs=<program> values, read from the one place that defines them, so that every test marked
    # as needing a Linux program is left out here and the list printed is the list applied.
    $source = Get-Content -Raw (Join-Path $RepoRoot 'tests/WhisperPS.Engine.Tests/Support/Needs.cs')
    [regex]::Matches($source, 'public const string (\w+) = "([^"]+)";') | Where-Object { $_.Groups[1].Value -ne 'Trait' } |
        ForEach-Object { $_.Groups[2].Value }
}

$wine = Install-Wine
Write-Step "wine: $wine ($((& $wine --version 2>&1) -join ' '))"

# Self-contained win-x64 builds: the runtime packs for the SDK's runtime come from NuGet with the first publish.
$engineDir = Publish 'tests/WhisperPS.Engine.Tests.Windows/WhisperPS.Engine.Tests.Windows.csproj' 'engine-tests'
$stressDir = Publish 'tests/WhisperPS.Stress/WhisperPS.Stress.csproj' 'stress' @('-r', 'win-x64', '--self-contained')
$hostDir = Publish 'tests/WhisperPS.WindowsHost/WhisperPS.WindowsHost.csproj' 'pwsh'
Write-Step 'published the Windows builds'

# A prefix of our own, made once per out/ (build.ps1 Clean removes it); Windows 10 is what the module targets.
$env:WINEPREFIX = Join-Path $out 'wineprefix'
$env:WINEDEBUG = '-all'
$env:WINEDLLOVERRIDES = 'winedbg.exe=d;mshtml=d'
$env:DOTNET_EnableWriteXorExecute = '0'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
if (-not (Test-Path (Join-Path $env:WINEPREFIX 'system.reg'))) {
    & $wine wineboot -i 2>&1 | Out-Null
    & $wine reg add 'HKCU\Software\Wine' /v Version /d win10 /f 2>&1 | Out-Null
    if ($LASTEXITCODE -ne 0) { throw "could not set up the Wine prefix $env:WINEPREFIX ($LASTEXITCODE)" }
    Write-Step "new Wine prefix $env:WINEPREFIX"
}
$wineserver = Join-Path ([IO.Path]::GetDirectoryName($wine)) 'wineserver'

$env:WHISPERPS_STRESS = ConvertTo-WinePath (Join-Path $stressDir 'WhisperPS.Stress.exe')
# Every file call under Wine is a round trip to wineserver: the header fuzz runs 2,000 cases instead of 12,000 and
# its time bound allows for that; truncations past the header are tried at every 7th length rather than every one.
$env:WHISPERPS_FUZZ_CASES = '2000'
$env:WHISPERPS_TRUNCATION_STEP = '7'
# Each kill victim is a new Wine process (seconds to start): 8 kills per crash test instead of 15-20.
$env:WHISPERPS_KILLS = '8'
$env:WHISPERPS_SLOW_IO_FACTOR = '4'

try {
    # Every engine test that needs a Linux program carries a Needs=<program> trait and is left out, by name:
    $needs = @(Get-NeedsTrait)
    Write-Step ("engine tests (xunit.v3, win-x64), leaving out the traits {0}" -f (($needs | ForEach-Object { "Needs=$_" }) -join ', '))
    $xml = Join-Path $ResultsDir 'windows-xunit.xml'
    $engineLog = Join-Path $ResultsDir 'windows-xunit.log'
    if (Test-Path $xml) { Remove-Item $xml }
    $exclude = foreach ($n in $needs) { '-trait-'; "Needs=$n" }
    # Pester: the files named above, minus the tests tagged with a Linux program they need (the README lists both).
    Write-Step ("Pester (PowerShell on Windows .NET): {0}; leaving out the tags {1}" -f ($PesterFiles -join ', '), ($PesterExcludeTag -join ', '))
    $json = Join-Path $ResultsDir 'windows-pester.json'
    $pesterLog = Join-Path $ResultsDir 'windows-pester.log'
    if (Test-Path $json) { Remove-Item $json }
    $launcher = Join-Path $out 'Run-Pester.ps1'
    $q = { param($p) "'" + ($p -replace "'", "''") + "'" }
    Set-Content -LiteralPath $launcher -Encoding UTF8 -Value @(
        '$PSStyle.OutputRendering = ''PlainText'''
        "& $(& $q (ConvertTo-WinePath (Join-Path $RepoRoot 'tests/Invoke-PesterTests.ps1'))) -PesterPath $(& $q (ConvertTo-WinePath $PesterPath)) ``"
        "    -ModulePath $(& $q (ConvertTo-WinePath $ModulePath)) -ResultPath $(& $q (ConvertTo-WinePath $json)) ``"
        "    -TestPath @($(($PesterFiles | ForEach-Object { & $q (ConvertTo-WinePath (Join-Path $RepoRoot $_)) }) -join ', ')) ``"
        "    -ExcludeTag $(($PesterExcludeTag | ForEach-Object { & $q $_ }) -join ', ') -NoTestResultFile -Verbosity Detailed"
        'exit $LASTEXITCODE')
    # The console host needs a terminal; script(1) gives it one and passes on the exit code.
    $command = "stty cols 200 rows 50 2>/dev/null; exec '$wine' '$(Join-Path $hostDir 'pwsh-win.exe')' -NoProfile -NonInteractive -ExecutionPolicy Bypass -File '$(ConvertTo-WinePath $launcher)'"
    # Both parts at once: each is mostly one thread (the engine tests one after another, -parallel none), and CI has
    # two cores. The engine tests print as they go; Pester's
    # lines are shown when both have ended.
    Write-Step 'running the engine tests and Pester side by side'
    # -verbose: the log names every test as it starts and finishes, so a test that never finishes can be named.
    # The host shows failures, test output and the summary, not the start/finish lines.
    $engineRun = Start-Watched -FilePath $wine -ArgumentList (@((Join-Path $engineDir 'WhisperPS.Engine.Tests.exe'), '-noColor', '-noLogo', '-verbose', '-parallel', 'none') + $exclude + @('-xml', (ConvertTo-WinePath $xml))) `
        -LogPath $engineLog -Show { param($l) $l -notmatch ' \[(STARTING|FINISHED|PASS)\]( Time: \S+)?$' } -IdleSeconds $IdleSeconds -TotalSeconds $TimeoutSeconds
    $pesterRun = Start-Watched -FilePath 'script' -ArgumentList @('-qec', $command, '/dev/null') -LogPath $pesterLog `
        -Show { param($l) $l -notmatch '^\s*\[\+\] ' } -IdleSeconds $IdleSeconds -TotalSeconds $TimeoutSeconds -Deferred
    Wait-Watched @($engineRun, $pesterRun)
    $run = $engineRun
    $x = @{ Passed = 0; Failed = 0; Skipped = 0 }
    if ($run.Killed) {
        # Killed: every test that started and did not finish is a failure, by name; the results file is not written.
        $started = [ordered] @{}
        $lastFinished = '(none)'
        foreach ($line in Get-Content -LiteralPath $engineLog) {
            if ($line -match '^\s+(.+?) \[(STARTING|FINISHED)\]') {
                if ($Matches[2] -eq 'STARTING') { $started[$Matches[1]] = $true } else { $started.Remove($Matches[1]); $x.Passed++; $lastFinished = $Matches[1] }
            }
        }
        $failedNames = @(Get-Content -LiteralPath $engineLog | Where-Object { $_ -match '^\s+(.+?) \[FAIL\]$' } | ForEach-Object { $Matches[1] })
        $x.Passed -= $failedNames.Count
        $x.Failed = $failedNames.Count + [math]::Max(1, $started.Count)
        Write-Warning "the Windows engine tests were killed ($($run.Killed)); tests that never finished, each counted as failed:"
        foreach ($n in $started.Keys) { Write-Host "    [STUCK] $n" }
        # The runner itself stopped between two tests: counted as one failure, named by the last test that ended.
        if ($started.Count -eq 0) { Write-Host "    [STUCK] the runner, after $lastFinished (none in flight; the tests after it did not run)" }
    }
    elseif (Test-Path $xml) {
        [xml] $doc = Get-Content -Raw $xml
        $a = @($doc.assemblies.assembly)
        $x = @{
            Passed  = [int] ($a | Measure-Object -Sum { [int] $_.passed }).Sum
            Failed  = [int] ($a | Measure-Object -Sum { [int] $_.failed + [int] $_.errors }).Sum
            Skipped = [int] ($a | Measure-Object -Sum { [int] $_.skipped + [int] $_.'not-run' }).Sum
        }
        if ($run.ExitCode -ne 0 -and $x.Failed -eq 0) { $x.Failed = 1; Write-Warning "the Windows engine tests exited with $($run.ExitCode)" }
    }
    else { $x.Failed = 1; Write-Warning "the Windows engine tests wrote no results (exit $($run.ExitCode))" }
    if ($x.Passed -eq 0) { $x.Failed = [math]::Max(1, $x.Failed); Write-Warning 'no Windows engine test passed' }
    Write-Step ('engine: {0} passed, {1} failed, {2} skipped' -f $x.Passed, $x.Failed, $x.Skipped)

    Write-Step 'Pester (run beside the engine tests):'
    foreach ($l in $pesterRun.Kept) { Write-Host $l }
    $run = $pesterRun
    $p = @{ Passed = 0; Failed = 1; Skipped = 0 }
    if ($run.Killed) {
        # Pester prints a test when it ends, so the stuck one is the next after the last lines it printed.
        $lines = @(Get-Content -LiteralPath $pesterLog)
        $last = @($lines | Where-Object { $_ -match '^\s*(\[[+!-]\] |Describing |Context |Running tests from )' } | Select-Object -Last 3)
        $p = @{ Passed = @($lines | Where-Object { $_ -match '^\s*\[\+\] ' }).Count
            Failed = 1 + @($lines | Where-Object { $_ -match '^\s*\[-\] ' }).Count; Skipped = 0 }
        Write-Warning "Pester under Wine was killed ($($run.Killed)); the test after these lines never finished and counts as failed:"
        foreach ($l in $last) { Write-Host "    [STUCK after] $l" }
    }
    elseif (Test-Path $json) {
        $r = Get-Content -Raw $json | ConvertFrom-Json
        $p = @{ Passed = [int] $r.Passed; Failed = [int] $r.Failed; Skipped = [int] $r.Skipped }
        if ($run.ExitCode -ne 0 -and $p.Failed -eq 0) { $p.Failed = 1; Write-Warning "Pester under Wine exited with $($run.ExitCode)" }
    }
    else { Write-Warning "Pester under Wine wrote no results (exit $($run.ExitCode))" }
    if ($p.Passed -eq 0) { $p.Failed = [math]::Max(1, $p.Failed); Write-Warning 'no Pester test passed under Wine' }
}
finally {
    # The prefix's wineserver and its services are ours: end them rather than leave them for their idle timeout.
    if (Test-Path $wineserver) { & $wineserver -k 2>&1 | Out-Null }
}

$result = [pscustomobject] @{ Passed = $x.Passed + $p.Passed; Failed = $x.Failed + $p.Failed; Skipped = $x.Skipped + $p.Skipped }
Write-Host ('Windows stage in {0:n0} s: xunit: {1} passed, {2} failed, {3} skipped; Pester: {4} passed, {5} failed, {6} skipped' -f
    $stage.Elapsed.TotalSeconds, $x.Passed, $x.Failed, $x.Skipped, $p.Passed, $p.Failed, $p.Skipped)
Write-Host ('Windows: {0} passed, {1} failed, {2} skipped' -f $result.Passed, $result.Failed, $result.Skipped)
return $result
