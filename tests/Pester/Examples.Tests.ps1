# Every example in docs/<Cmdlet>.md runs against the built module (see docs/examples/ExampleRunner.ps1): each in a new
# scratch folder holding the carbon storage tree of docs/examples/New-ExampleStorage.ps1. The Windows scheduled-task
# cmdlets are replaced by recording functions on every platform, so the WhisperPS part of such an example always runs
# and nothing is ever registered; the last test checks what would have been registered.
BeforeDiscovery {
    $repo = Join-Path $PSScriptRoot '../..'
    . (Join-Path $repo 'tools/DocsMarkdown.ps1')
    $script:Examples = @(foreach ($file in Get-ChildItem (Join-Path $repo 'docs') -Filter '*-*.md' | Sort-Object Name) {
            $doc = Read-WhisperCommandMarkdown -Path $file.FullName
            foreach ($e in $doc.Examples) {
                @{
                    Name      = $doc.Name
                    Number    = $e.Number
                    Title     = $e.Title
                    Code      = @($e.Blocks | Where-Object { $_.Kind -eq 'Code' -and $_.Lang -eq 'powershell' } | ForEach-Object { $_.Lines -join "`n" })
                    HasOutput = @($e.Blocks | Where-Object { $_.Kind -eq 'Code' -and $_.Lang -eq 'Output' }).Count -gt 0
                    Documented = @($e.Blocks | Where-Object { $_.Kind -eq 'Code' -and $_.Lang -eq 'Output' } | ForEach-Object { $_.Lines -join "`n" })
                }
            }
        })
}

BeforeAll {
    $ModulePath = $env:WHISPERPS_MODULE
    if (-not $ModulePath) { $ModulePath = Join-Path $PSScriptRoot '../../out/WhisperPS/WhisperPS.psd1' }
    Import-Module $ModulePath -Force -ErrorAction Stop
    $repo = Join-Path $PSScriptRoot '../..'
    . (Join-Path $repo 'tools/DocsMarkdown.ps1')
    . (Join-Path $repo 'docs/examples/ExampleRunner.ps1')
    $script:ScratchRoot = Join-Path ([IO.Path]::GetTempPath()) ('whisperps-examples-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    # What each example must achieve: see Examples.Checks.ps1.
    $script:Checks = . (Join-Path $PSScriptRoot 'Examples.Checks.ps1')
}

AfterAll {
    if (Test-Path $ScratchRoot) { Remove-Item -Recurse -Force $ScratchRoot }
}

Describe '<Name> example <Number>: <Title>' -ForEach $Examples {
    It 'runs without error, shows the output its page documents, and does what it says' {
        $HasOutput | Should -BeTrue -Because 'every example shows its real output in an Output block'
        $check = $Checks["$Name $Number"]
        $check | Should -Not -BeNullOrEmpty -Because "every example needs a check of its result in tests/Pester/Examples.Checks.ps1 ('$Name $Number')"
        $r = Invoke-WhisperDocsExample -Code $Code -ScratchRoot $ScratchRoot -Setup $check.Setup
        ($r.Outputs -join '').Trim() | Should -Not -BeNullOrEmpty
        # For checks that compare with the page (Assert-DocumentedOutput in Examples.Checks.ps1).
        $script:ExampleDocumented = $Documented
        $script:ExampleScratch = $r.Scratch
        Push-Location -LiteralPath $r.Scratch
        try { & $check.Check $r.Outputs }
        finally { Pop-Location }
    }
}

Describe 'The scheduled-task example' {
    It 'registers a task whose script writes points, and that script runs here' {
        $ex = @($Examples | Where-Object { ($_.Code -join "`n") -match 'Register-ScheduledTask' })
        $ex.Count | Should -Be 1
        $r = Invoke-WhisperDocsExample -Code $ex[0].Code -ScratchRoot $ScratchRoot
        @($r.ScheduledTasks).Count | Should -Be 1
        $task = $r.ScheduledTasks[0]
        $task.Action.Execute | Should -Be 'powershell.exe'
        $task.Action.Arguments -match '-File "([^"]+)" -Storage "([^"]+)"' | Should -BeTrue
        $script = $Matches[1]
        $storage = $Matches[2]
        Test-Path -LiteralPath $script | Should -BeTrue
        $file = Join-Path $storage 'hosts/local/processes.wsp'
        $before = @(Get-WhisperSeries -LiteralPath $file -From -10min -SkipEmpty).Count
        $before | Should -BeGreaterOrEqual 1
        # The registered command line's script, run again as the task would run it (with WhisperPS installed).
        $old = $env:PSModulePath
        $env:PSModulePath = (Split-Path (Split-Path (Get-Module WhisperPS).Path)) + [IO.Path]::PathSeparator + $old
        try { & $script -Storage $storage -ErrorAction Stop } finally { $env:PSModulePath = $old }
        (Get-WhisperInfo -LiteralPath $file).AggregationMethod | Should -Be 'Last'
        @(Get-WhisperSeries -LiteralPath $file -From -10min -SkipEmpty).Count | Should -BeGreaterOrEqual 1
    }
}
