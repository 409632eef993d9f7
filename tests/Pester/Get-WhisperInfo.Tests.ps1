BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-WhisperModulePath) -Force -ErrorAction Stop
}

Describe 'Get-WhisperInfo' {
    BeforeEach {
        $dir = New-TestFolder
        $file = (New-WhisperFile (Join-Path $dir 'mem.wsp') '10s:6h', '1m:7d', '10m:5y' -AggregationMethod max -XFilesFactor 0.1).Path
    }

    It 'describes the header, archives and file in the documented order' {
        $i = Get-WhisperInfo -LiteralPath $file
        $i | Should -BeOfType WhisperPS.WhisperInfo
        $i.PSObject.Properties.Name | Should -Be @('Path', 'Name', 'AggregationMethod', 'XFilesFactor', 'MaxRetention', 'Retention',
            'ArchiveCount', 'Archives', 'FileSize', 'LastWriteTimeUtc', 'Directory', 'LastUpdate', 'LastUpdateUnixTime', 'Metric')
        $i.Path | Should -Be $file
        $i.Name | Should -Be 'mem.wsp'
        $i.AggregationMethod | Should -Be 'Max'
        $i.XFilesFactor | Should -Be ([float]0.1)
        $i.MaxRetention | Should -Be (5 * 365 * 86400)
        $i.Retention | Should -Be '10s:6h,1min:7d,10min:5y'
        $i.ArchiveCount | Should -Be 3
        $i.FileSize | Should -Be (Get-Item -LiteralPath $file).Length
        $i.LastWriteTimeUtc.Kind | Should -Be 'Utc'
        $i.LastWriteTimeUtc | Should -Be (Get-Item -LiteralPath $file).LastWriteTimeUtc
    }

    It 'lists each archive with seconds per point, points, retention, offset and size' {
        $a = (Get-WhisperInfo -LiteralPath $file).Archives
        $a | Should -HaveCount 3
        $a[0] | Should -BeOfType WhisperPS.WhisperArchiveInfo
        $a[0].PSObject.Properties.Name | Should -Be @('Index', 'SecondsPerPoint', 'Points', 'Retention', 'Definition', 'Offset', 'Size')
        $a.Index | Should -Be @(0, 1, 2)
        $a.SecondsPerPoint | Should -Be @(10, 60, 600)
        $a.Points | Should -Be @(2160, 10080, 262800)
        $a.Retention | Should -Be @(21600, 604800, 157680000)
        $a.Definition | Should -Be @('10s:6h', '1min:7d', '10min:5y')
        $a.Offset | Should -Be @(52, (52 + 2160 * 12), (52 + 2160 * 12 + 10080 * 12))
        $a.Size | Should -Be @((2160 * 12), (10080 * 12), (262800 * 12))
    }

    It 'shows a table with Name, AggregationMethod, XFilesFactor, Retention, LastUpdate and FileSize, grouped by folder' {
        $text = Get-WhisperInfo -LiteralPath $file | Format-Table | Out-String -Width 200
        $lines = @($text -split "`n" | Where-Object { $_ -match '\S' })
        $lines[0] | Should -Match ('Directory: ' + [regex]::Escape($dir))
        ($lines[1] -split '\s+' | Where-Object { $_ }) | Should -Be @('Name', 'AggregationMethod', 'XFilesFactor', 'Retention', 'LastUpdate', '(UTC)', 'FileSize')
        $text | Should -Match 'mem\.wsp\s+Max\s+0[.,]1\s+10s:6h,1min:7d,10min:5y\s+\(no points\)\s+\d+'
    }

    It 'reports a corrupt file as WhisperFileCorrupt with the path as target' {
        $bad = Join-Path $dir 'bad.wsp'
        [IO.File]::WriteAllBytes($bad, [byte[]](1..40))
        Get-WhisperInfo -LiteralPath $bad -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -Be 'WhisperFileCorrupt,WhisperPS.Commands.GetWhisperInfoCommand'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $err[0].TargetObject | Should -Be $bad
    }

    It 'reports a missing file as WhisperFileNotFound and carries on' {
        $out = Get-WhisperInfo -Path (Join-Path $dir 'nope.wsp'), $file -ErrorVariable err -ErrorAction SilentlyContinue
        $out.Path | Should -Be $file
        $err.FullyQualifiedErrorId | Should -Be 'WhisperFileNotFound,WhisperPS.Commands.GetWhisperInfoCommand'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'outputs nothing and no error for a wildcard that matches nothing' {
        Get-WhisperInfo -Path (Join-Path $dir '*.nothing') -ErrorVariable err | Should -BeNullOrEmpty
        $err.Count | Should -Be 0
    }

    It 'refuses other providers with WhisperPathNotFileSystem' {
        Get-WhisperInfo -LiteralPath 'Env:PATH' -ErrorVariable err -ErrorAction SilentlyContinue
        Get-WhisperInfo -Path 'Function:\*' -ErrorVariable +err -ErrorAction SilentlyContinue
        $err.FullyQualifiedErrorId | Should -Be (@('WhisperPathNotFileSystem,WhisperPS.Commands.GetWhisperInfoCommand') * 2)
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'makes errors catchable with -ErrorAction Stop' {
        { Get-WhisperInfo -LiteralPath (Join-Path $dir 'nope.wsp') -ErrorAction Stop } |
            Should -Throw -ErrorId 'WhisperFileNotFound,WhisperPS.Commands.GetWhisperInfoCommand'
    }

    It 'resolves relative paths against the PowerShell location' {
        Push-Location $dir
        try { (Get-WhisperInfo mem.wsp).Path | Should -Be $file }
        finally { Pop-Location }
    }

    It 'feeds Set-WhisperAggregation through its Path property' {
        Get-WhisperInfo -LiteralPath $file | Set-WhisperAggregation -AggregationMethod last
        (Get-WhisperInfo -LiteralPath $file).AggregationMethod | Should -Be 'Last'
    }
}
