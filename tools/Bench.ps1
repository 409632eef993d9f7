<#
.SYNOPSIS
    The WhisperPS benchmark against python3-whisper 1.1.4 (build.ps1 Bench runs it after building the module).

.DESCRIPTION
    1. Builds bench/WhisperPS.Bench (Release; not part of WhisperPS.sln, so CI never pays for it).
    2. Optionally runs its randomized byte-compare against python (-Verify N cases).
    3. Runs the engine workloads: python3-whisper in one long-lived python driver and the engine in the bench exe,
       interleaved on fresh copies of the same files, every output compared byte for byte.
    4. Runs the cmdlet workloads (bench/Cmdlets.Bench.ps1) in this pwsh with the built module.
    5. Writes bench/RESULTS.md and bench/results.json and prints the tables.
    6. Runs each maintenance tool's benchmark (bench/tools/<Tool>.Bench.ps1: the python tool and ours on the same
       workload in one run), which writes bench/sections/<Tool>.md, and appends every section to RESULTS.md.
    python3-whisper is installed with apt-get when missing (needs root).
#>
param(
    [string] $RepoRoot = (Split-Path $PSScriptRoot),
    [string] $ModuleOut = (Join-Path (Split-Path $PSScriptRoot) 'out/WhisperPS'),
    [string] $Configuration = 'Release',
    [int] $Runs = 7,
    [int] $CmdletRuns = 5,
    [int] $Verify = 200,
    [string[]] $Only,
    [switch] $SkipCmdlets,
    # Which bench/tools/<Tool>.Bench.ps1 to run (default all); sections of tools not run are kept from their last run.
    [string[]] $Tools,
    [switch] $SkipTools
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3

$python = '/usr/bin/python3'
if (-not $IsLinux) { throw 'The benchmark runs on Linux (python3-whisper from the distribution).' }
& $python -c 'import whisper' 2>$null
if ($LASTEXITCODE -ne 0) {
    Write-Host '==> installing python3-whisper'
    & apt-get update -qq
    & apt-get install -y -qq python3-whisper
    if ($LASTEXITCODE -ne 0) { throw 'could not install python3-whisper' }
}

$project = Join-Path $RepoRoot 'bench/WhisperPS.Bench/WhisperPS.Bench.csproj'
Write-Host '==> building bench/WhisperPS.Bench (Release)'
& dotnet build $project -c Release --nologo -v quiet -clp:ErrorsOnly
if ($LASTEXITCODE -ne 0) { throw 'bench build failed' }
$exe = Join-Path $RepoRoot 'bench/WhisperPS.Bench/bin/Release/net10.0/WhisperPS.Bench.dll'

$outDir = Join-Path $RepoRoot 'out/bench'
$null = New-Item -ItemType Directory -Force $outDir
$benchArgs = @('--bench-dir', (Join-Path $RepoRoot 'bench'), '--python', $python)

if ($Verify -gt 0) {
    Write-Host "==> randomized byte-compare against python3-whisper ($Verify cases)"
    & dotnet $exe verify --cases $Verify --seed 1 @benchArgs
    if ($LASTEXITCODE -ne 0) { throw 'WhisperPS and python3-whisper differ: see above' }
}

Write-Host '==> engine workloads'
$engineJson = Join-Path $outDir 'engine.json'
$runArgs = @('run', '--runs', $Runs, '--json', $engineJson) + $benchArgs
if ($Only) { $runArgs += @('--only', ($Only -join ',')) }
& dotnet $exe @runArgs
$engineExit = $LASTEXITCODE
if ($engineExit -ne 0 -and $engineExit -ne 2) { throw "engine bench failed ($engineExit)" }

$cmdletJson = Join-Path $outDir 'cmdlets.json'
if (Test-Path $cmdletJson) { Remove-Item $cmdletJson }
if (-not $SkipCmdlets) {
    Write-Host '==> cmdlet workloads'
    & (Join-Path $RepoRoot 'bench/Cmdlets.Bench.ps1') -ModuleManifest (Join-Path $ModuleOut 'WhisperPS.psd1') -OutJson $cmdletJson -Runs $CmdletRuns -Python $python
}

Write-Host '==> bench/RESULTS.md, bench/results.json'
& dotnet $exe report --engine $engineJson --cmdlets $cmdletJson --md (Join-Path $RepoRoot 'bench/RESULTS.md') --json (Join-Path $RepoRoot 'bench/results.json') @benchArgs
if ($LASTEXITCODE -ne 0) { throw 'report failed' }
if ($engineExit -eq 2) { throw 'some engine workload wrote different bytes from python3-whisper: see bench/RESULTS.md' }

# Maintenance tools: each script measures its own workload against the python tool and writes its section.
$sectionsDir = Join-Path $RepoRoot 'bench/sections'
$null = New-Item -ItemType Directory -Force $sectionsDir
if (-not $SkipTools) {
    foreach ($script in @(Get-ChildItem -Path (Join-Path $RepoRoot 'bench/tools') -Filter '*.Bench.ps1' -ErrorAction SilentlyContinue | Sort-Object Name)) {
        $tool = $script.Name -replace '\.Bench\.ps1$', ''
        if ($Tools -and $Tools -notcontains $tool) { continue }
        Write-Host "==> tool: $tool"
        & $script.FullName -ModuleManifest (Join-Path $ModuleOut 'WhisperPS.psd1') -OutMarkdown (Join-Path $sectionsDir "$tool.md")
    }
}
$sections = @(Get-ChildItem -Path $sectionsDir -Filter '*.md' -ErrorAction SilentlyContinue | Sort-Object Name)
if ($sections.Count -gt 0) {
    $md = Join-Path $RepoRoot 'bench/RESULTS.md'
    $text = [IO.File]::ReadAllText($md).TrimEnd() + "`n`n# Maintenance tools`n`nEach section below comes from bench/tools/<Tool>.Bench.ps1 (its last run; the date is in the section).`n"
    foreach ($s in $sections) { $text += "`n" + [IO.File]::ReadAllText($s.FullName).TrimEnd() + "`n" }
    [IO.File]::WriteAllText($md, $text)
    Write-Host "    appended $($sections.Count) tool section(s) to bench/RESULTS.md"
}
