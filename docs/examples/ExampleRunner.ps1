<#
.SYNOPSIS
    Runs the examples of docs/<Cmdlet>.md (each 'powershell' block in turn, in one scope): used by tests/Pester/Examples.Tests.ps1 (do they run?) and by
    Update-ExampleOutput.ps1 (capture their real output into the markdown).

.DESCRIPTION
    Dot-source after tools/DocsMarkdown.ps1, with the WhisperPS module imported.

    Each example runs in a new scratch folder that holds ./whisper from New-ExampleStorage.ps1, with the module's
    folder on PSModulePath (so 'Import-Module WhisperPS' inside a script works). The Windows scheduled-task cmdlets
    (New-ScheduledTaskAction, New-ScheduledTaskTrigger, Register-ScheduledTask) are replaced by recording functions on
    every platform: nothing is ever registered, the WhisperPS part of such an example runs everywhere, and the test can
    check what would have been registered. Errors are terminating ($ErrorActionPreference = 'Stop').
#>

function Invoke-WhisperDocsExample {
    param(
        [Parameter(Mandatory)] [string[]] $Code,
        [Parameter(Mandatory)] [string] $ScratchRoot,
        [int] $Width = 110,
        [switch] $UseRootAsFolder,
        # Runs in the scratch folder after the storage is made and before the example (tests add data a check needs).
        [scriptblock] $Setup
    )
    # A new folder per example, or (for readable captured output) the root itself, which must not exist yet.
    $scratch = Join-Path $ScratchRoot ([guid]::NewGuid().ToString('N').Substring(0, 8))
    if ($UseRootAsFolder) {
        if (Test-Path -LiteralPath $ScratchRoot) { throw "$ScratchRoot exists already" }
        $scratch = $ScratchRoot
    }
    $null = New-Item -ItemType Directory -Force -Path $scratch
    $storageScript = Join-Path $PSScriptRoot 'New-ExampleStorage.ps1'
    $moduleParent = Split-Path (Split-Path (Get-Module WhisperPS).Path)
    $oldPath = $env:PSModulePath
    $sep = [IO.Path]::PathSeparator
    $global:WhisperDocsScheduledTasks = New-Object System.Collections.Generic.List[object]
    Push-Location -LiteralPath $scratch
    try {
        if (-not (($env:PSModulePath -split [regex]::Escape([string] $sep)) -contains $moduleParent)) { $env:PSModulePath = $moduleParent + $sep + $env:PSModulePath }
        & $storageScript -Path ./whisper
        if ($Setup) { $null = & $Setup }
        $__whisperDocsBlocks = @($Code | ForEach-Object { [scriptblock]::Create($_) })
        $outputs = & {
            $ErrorActionPreference = 'Stop'
            function New-ScheduledTaskAction { param([string] $Execute, [string] $Argument, [string] $WorkingDirectory) [pscustomobject] @{ Execute = $Execute; Arguments = $Argument } }
            function New-ScheduledTaskTrigger { param([switch] $Once, [datetime] $At, [timespan] $RepetitionInterval, [timespan] $RepetitionDuration) [pscustomobject] @{ At = $At; Interval = $RepetitionInterval } }
            function Register-ScheduledTask {
                param([string] $TaskName, $Action, $Trigger, [string] $User, [string] $Description)
                $global:WhisperDocsScheduledTasks.Add([pscustomobject] @{ TaskName = $TaskName; Action = $Action; Trigger = $Trigger; User = $User })
                [pscustomobject] @{ TaskName = $TaskName; State = 'Ready' }
            }
            foreach ($__whisperDocsBlock in $__whisperDocsBlocks) {
                $__whisperDocsText = . $__whisperDocsBlock | Out-String -Width $Width
                $__whisperDocsLines = @(($__whisperDocsText -replace "`r`n", "`n") -split "`n" | ForEach-Object { $_.TrimEnd() })
                , (($__whisperDocsLines -join "`n").Trim("`n"))
            }
        }
        return [pscustomobject] @{ Outputs = @($outputs); Scratch = $scratch; ScheduledTasks = $global:WhisperDocsScheduledTasks.ToArray() }
    } finally {
        Pop-Location
        $env:PSModulePath = $oldPath
    }
}
