# Shared by the WhisperPS Pester files. Each test file imports the module under test from $env:WHISPERPS_MODULE
# (set by tests/Invoke-PesterTests.ps1) or from out/, so a file also runs on its own.

function Get-WhisperModulePath {
    if ($env:WHISPERPS_MODULE) { return $env:WHISPERPS_MODULE }
    return [IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../../out/WhisperPS/WhisperPS.psd1'))
}

function Get-FileSha256([string] $LiteralPath) {
    (Get-FileHash -LiteralPath $LiteralPath -Algorithm SHA256).Hash
}

function New-TestFolder {
    # A fresh folder per test keeps tests independent; TestDrive is cleaned by Pester.
    $dir = Join-Path (Get-PSDrive TestDrive).Root ([guid]::NewGuid().ToString('N').Substring(0, 8))
    $null = New-Item -ItemType Directory -Path $dir
    return $dir
}

function Assert-PythonWhisper {
    # The reference implementation; installed when missing, and a failure to install fails the tests.
    # (PowerShell on Windows, the Windows stage, cannot use it; Invoke-Python refuses there.)
    if ($IsWindows) { return }
    & /usr/bin/python3 -c 'import whisper' 2>$null
    if ($LASTEXITCODE -eq 0) { return }
    & apt-get update 2>&1 | Out-Null
    & apt-get install -y python3-whisper 2>&1 | Out-Null
    & /usr/bin/python3 -c 'import whisper'
    if ($LASTEXITCODE -ne 0) { throw 'python3-whisper 1.1.4 is required and could not be installed' }
}

function Invoke-Python {
    # Runs a Python script (text) with arguments; throws with its stderr when it fails.
    param([Parameter(Mandatory)] [string] $Script, [string[]] $Arguments = @())
    Assert-LinuxProgram /usr/bin/python3
    $file = Join-Path ([IO.Path]::GetTempPath()) ("wps-" + [guid]::NewGuid().ToString('N') + '.py')
    [IO.File]::WriteAllText($file, $Script)
    try {
        $errFile = "$file.err"
        $out = & /usr/bin/python3 $file @Arguments 2>$errFile
        if ($LASTEXITCODE -ne 0) { throw "python failed ($LASTEXITCODE): $(Get-Content -Raw $errFile)" }
        return $out
    }
    finally {
        Remove-Item -LiteralPath $file, "$file.err" -ErrorAction SilentlyContinue
    }
}

function Get-ChildPwshCommand {
    # The same PowerShell that runs the tests; under 'dotnet pwsh' that is pwsh.dll through the dotnet host.
    $exe = (Get-Process -Id $PID).Path
    if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') {
        return @{ Exe = $exe; Args = @(Join-Path $PSHOME 'pwsh.dll') }
    }
    return @{ Exe = $exe; Args = @() }
}

function Invoke-ChildPwsh {
    # Runs a script file in a new non-interactive PowerShell, as a scheduled task would; returns output and exit code.
    param([Parameter(Mandatory)] [string] $File, [string[]] $Arguments = @())
    $ps = Get-ChildPwshCommand
    $all = @($ps.Args) + @('-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-File', $File) + $Arguments
    $output = & $ps.Exe @all 2>&1 | ForEach-Object { "$_" }
    [pscustomobject] @{ ExitCode = $LASTEXITCODE; Output = @($output) }
}

function ConvertTo-Bits([Nullable[double]] $Value) {
    # Exact comparison of doubles, NaN payloads included.
    if ($null -eq $Value) { return 'None' }
    '{0:X16}' -f [BitConverter]::DoubleToInt64Bits($Value)
}

function Assert-LinuxProgram([string] $Program) {
    # The Windows stage (build.ps1 TestWindows) runs these files in PowerShell on Windows .NET under Wine, where a
    # Linux program cannot be used: Wine starts it, but the test then waits forever for it. Fail at once instead,
    # naming the program, so a test that needs one and lacks its tag (Python, Carbon, Chromium, Tmux) is a visible
    # failure, not a hang.
    if ($IsWindows) { throw "this test needs the Linux program $Program, which PowerShell on Windows cannot run: tag it (Python, Carbon, Chromium, Tmux) so the Windows stage leaves it out" }
}

Export-ModuleMember -Function *
