BeforeAll {
    $ModulePath = $env:WHISPERPS_MODULE
    if (-not $ModulePath) { $ModulePath = Join-Path $PSScriptRoot '../../out/WhisperPS/WhisperPS.psd1' }
    Import-Module $ModulePath -Force -ErrorAction Stop
    $script:Manifest = Test-ModuleManifest $ModulePath
}

Describe 'WhisperPS module' {
    It 'is a binary module rooted in WhisperPS.dll' {
        $m = Get-Module WhisperPS
        $m.ModuleType | Should -Be 'Binary'
        [IO.Path]::GetFileName($m.Path) | Should -Be 'WhisperPS.dll'
    }

    It 'declares both editions and PowerShell 5.1' {
        $Manifest.CompatiblePSEditions | Should -Contain 'Desktop'
        $Manifest.CompatiblePSEditions | Should -Contain 'Core'
        $Manifest.PowerShellVersion | Should -Be ([version] '5.1')
    }

    It 'exports exactly the cmdlets listed in the manifest, and nothing else' {
        # The cmdlets are exactly those with a help page (docs/<Cmdlet>.md), an independent list.
        $expected = @(Get-ChildItem (Join-Path $PSScriptRoot '../../docs') -Filter '*-*.md' | ForEach-Object BaseName | Sort-Object)
        $expected.Count | Should -BeGreaterThan 6
        @((Get-Command -Module WhisperPS).Name | Sort-Object) | Should -Be $expected
        @($Manifest.ExportedCmdlets.Keys | Sort-Object) | Should -Be $expected
        $Manifest.ExportedFunctions.Count | Should -Be 0
        $Manifest.ExportedAliases.Count | Should -Be 0
    }

    It 'ships the engine beside the root assembly and no PowerShell assembly' {
        $dir = Split-Path (Get-Module WhisperPS).Path
        Test-Path (Join-Path $dir 'WhisperPS.Engine.dll') | Should -BeTrue
        Test-Path (Join-Path $dir 'System.Management.Automation.dll') | Should -BeFalse
    }

    It 'carries the version from Directory.Build.props' {
        [xml] $props = Get-Content -Raw (Join-Path $PSScriptRoot '../../Directory.Build.props')
        $Manifest.Version | Should -Be ([version] @($props.Project.PropertyGroup)[0].Version)
    }
}

Describe 'WhisperPS output types and views' {
    It 'ships a table view for <Type>' -ForEach @(
        @{ Type = 'WhisperPS.WhisperInfo'; Columns = @('Name', 'AggregationMethod', 'XFilesFactor', 'Retention', 'LastUpdate (UTC)', 'FileSize') }
        @{ Type = 'WhisperPS.WhisperPoint'; Columns = @('Timestamp (UTC)', 'UnixTime', 'Value') }
        @{ Type = 'WhisperPS.WhisperArchiveInfo'; Columns = @('Index', 'Definition', 'SecondsPerPoint', 'Points', 'Retention', 'Offset', 'Size') }
    ) {
        $view = (Get-FormatData -TypeName $Type).FormatViewDefinition | Where-Object { $_.Control -is [System.Management.Automation.TableControl] }
        $view | Should -Not -BeNullOrEmpty
        $view.Control.Headers.Label | Should -Be $Columns
    }

    It 'declares an output type on every cmdlet' {
        foreach ($c in Get-Command -Module WhisperPS) { @($c.OutputType).Count | Should -BeGreaterThan 0 -Because $c.Name }
    }

    It 'supports -WhatIf and -Confirm at Medium impact on every writer' {
        foreach ($name in 'New-WhisperFile', 'Add-WhisperPoint', 'Set-WhisperAggregation', 'Merge-WhisperFile', 'Repair-WhisperFile') {
            $c = Get-Command $name
            $c.Parameters.Keys | Should -Contain 'WhatIf'
            $attr = $c.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]
            $attr.ConfirmImpact | Should -Be 'Medium' -Because $name
        }
    }
}
