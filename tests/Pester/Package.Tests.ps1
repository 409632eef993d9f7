# Installing WhisperPS the way users install modules: a .nupkg in a repository, Install-PSResource into a fresh
# user profile, Import-Module by name, then a smoke script and Get-Help, all in a new PowerShell process.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:ModuleDir = Split-Path (Get-WhisperModulePath)
    $script:Manifest = Test-ModuleManifest (Join-Path $ModuleDir 'WhisperPS.psd1') -ErrorAction Stop
    $script:Work = New-TestFolder
    $script:Repo = Join-Path $Work 'repo'
    $null = New-Item -ItemType Directory $Repo
    # What build.ps1 Package does.
    Compress-PSResource -Path $ModuleDir -DestinationPath $Repo
    $script:Nupkg = @(Get-ChildItem -LiteralPath $Repo -Filter 'WhisperPS.*.nupkg')

    $profileDir = Join-Path $Work 'home'
    $null = New-Item -ItemType Directory $profileDir
    $script:Smoke = Join-Path $Work 'smoke.ps1'
    @'
param([string] $Repo, [string] $Data)
$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name WhisperPSLocal -Uri $Repo -Trusted
Install-PSResource -Name WhisperPS -Repository WhisperPSLocal -Scope CurrentUser -TrustRepository -Quiet
Import-Module WhisperPS
$m = Get-Module WhisperPS
$now = 1795000020
$file = Join-Path $Data 'smoke.wsp'
$null = New-WhisperFile -LiteralPath $file -Retention 1m:1h
Add-WhisperPoint -LiteralPath $file -Value 42.5 -Timestamp ($now - 120) -Now $now
$values = @(Get-WhisperSeries -LiteralPath $file -From ($now - 600) -Until $now -Now $now | Where-Object { $null -ne $_.Value } | ForEach-Object { '{0}={1}' -f $_.UnixTime, $_.Value })
$found = @(Find-PSResource -CommandName Get-WhisperSeries -Repository WhisperPSLocal)
[pscustomobject] @{
    ModuleBase  = $m.ModuleBase
    Version     = $m.Version.ToString()
    Cmdlets     = @($m.ExportedCmdlets.Keys | Sort-Object)
    Values      = $values
    Examples    = (Get-Help New-WhisperFile -Examples | Out-String -Width 200)
    HelpUri     = (Get-Command Get-WhisperInfo).HelpUri
    FoundByCommand = @($found | ForEach-Object { $_.ParentResource.Name })
} | ConvertTo-Json -Depth 3
'@ | Set-Content -LiteralPath $Smoke -Encoding UTF8

    # A fresh profile: own HOME, no XDG overrides, and a module path without the build output, so only the
    # installed copy can be imported by name.
    $saved = @{}
    foreach ($name in 'HOME', 'XDG_DATA_HOME', 'XDG_CONFIG_HOME', 'XDG_CACHE_HOME', 'PSModulePath', 'WHISPERPS_MODULE') { $saved[$name] = [Environment]::GetEnvironmentVariable($name) }
    try {
        $env:HOME = $profileDir
        foreach ($name in 'XDG_DATA_HOME', 'XDG_CONFIG_HOME', 'XDG_CACHE_HOME', 'WHISPERPS_MODULE') { [Environment]::SetEnvironmentVariable($name, $null) }
        $env:PSModulePath = Join-Path $PSHOME 'Modules'
        $script:Run = Invoke-ChildPwsh -File $Smoke -Arguments @($Repo, $Work)
    } finally {
        foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
    }
    $json = ($Run.Output | Where-Object { $_ -notmatch '^\s*$' }) -join "`n"
    $start = $json.IndexOf('{')
    $script:Result = if ($start -ge 0) { $json.Substring($start) | ConvertFrom-Json } else { $null }
    $script:ProfileDir = $profileDir
}

Describe 'The WhisperPS package' {
    It 'is one .nupkg named after the module version' {
        $Nupkg.Count | Should -Be 1
        $Nupkg[0].Name | Should -Be ("WhisperPS.{0}.nupkg" -f $Manifest.Version)
    }

    It 'carries the Gallery metadata: project, licence, release notes, tags' {
        $psData = $Manifest.PrivateData.PSData
        $psData.ProjectUri | Should -Match '^https://'
        $psData.LicenseUri | Should -Be ($psData.ProjectUri.TrimEnd('/') + '/blob/main/LICENSE')
        $psData.ReleaseNotes | Should -Not -BeNullOrEmpty
        foreach ($c in $Manifest.ExportedCmdlets.Keys) { $psData.Tags | Should -Contain "PSCommand_$c" }
    }

    It 'installs with Install-PSResource into a fresh profile and imports by name' {
        $Run.ExitCode | Should -Be 0 -Because ($Run.Output -join "`n")
        $Result | Should -Not -BeNullOrEmpty
        $Result.ModuleBase | Should -BeLike "$ProfileDir*"
        $Result.Version | Should -Be $Manifest.Version.ToString()
        @($Result.Cmdlets) | Should -Be @($Manifest.ExportedCmdlets.Keys | Sort-Object)
    }

    It 'works after installation: a point written is read back' {
        @($Result.Values) | Should -Be @('1794999900=42.5')
    }

    It 'answers Get-Help with examples and an online address' {
        $Result.Examples | Should -Match 'Example 1:'
        $Result.Examples | Should -Match 'New-WhisperFile '
        $Result.HelpUri | Should -Be ($Manifest.PrivateData.PSData.ProjectUri.TrimEnd('/') + '/blob/main/docs/Get-WhisperInfo.md')
    }

    It 'is found by Find-PSResource -CommandName' {
        @($Result.FoundByCommand) | Should -Contain 'WhisperPS'
    }
}
