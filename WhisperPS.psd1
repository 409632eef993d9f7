@{
    # build.ps1 stamps ModuleVersion from Directory.Build.props, the single version source.
    RootModule            = 'WhisperPS.dll'
    ModuleVersion         = '0.0.0'
    GUID                  = '6f0b5b7e-3d2a-4c8e-9a51-2f7d8c1e4b90'
    Author                = 'WhisperPS contributors'
    CompanyName           = 'WhisperPS'
    Copyright             = '(c) WhisperPS contributors. MIT License.'
    Description           = 'Create, read, write and maintain Graphite Whisper (.wsp) files: byte-compatible with whisper 1.1.x, on Windows, Linux and macOS.'
    PowerShellVersion     = '5.1'
    CompatiblePSEditions  = @('Desktop', 'Core')
    DotNetFrameworkVersion = '4.7.2'
    FormatsToProcess      = @('WhisperPS.Format.ps1xml')
    CmdletsToExport       = @(
        'New-WhisperFile'
        'Add-WhisperPoint'
        'Get-WhisperSeries'
        'Get-WhisperInfo'
        'Set-WhisperAggregation'
        'Merge-WhisperFile'
        'Resize-WhisperFile'
        'Clear-WhisperSeries'
        'Get-CarbonDestination'
        'Send-CarbonMetric'
        'Test-CarbonCluster'
        'Sync-CarbonCluster'
        'Repair-WhisperFile'
        'Test-WhisperFile'
        'Compare-WhisperFile'
        'Get-WhisperSlot'
        'Get-CarbonStorageSchema'
        'Test-WhisperSchema'
        'Export-WhisperSeries'
        'Show-WhisperChart'
        'Export-WhisperChart'
    )
    FunctionsToExport     = @()
    AliasesToExport       = @()
    VariablesToExport     = @()
    PrivateData           = @{
        PSData = @{
            Tags       = @('Graphite', 'Whisper', 'Carbon', 'Metrics', 'TimeSeries', 'PSEdition_Desktop', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')
            # build.ps1 fills these from Directory.Build.props (PackageProjectUrl) and CHANGELOG.md.
            ProjectUri   = ''
            LicenseUri   = ''
            ReleaseNotes = ''
        }
    }
}
