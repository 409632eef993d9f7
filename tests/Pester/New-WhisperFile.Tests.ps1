BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-WhisperModulePath) -Force -ErrorAction Stop
}

Describe 'New-WhisperFile' {
    BeforeEach { $dir = New-TestFolder }

    It 'creates the file whisper would and outputs its WhisperInfo' {
        $info = New-WhisperFile -Path (Join-Path $dir 'cpu.wsp') -Retention '10s:1d', '1m:7d'
        $info | Should -BeOfType WhisperPS.WhisperInfo
        $info.Retention | Should -Be '10s:1d,1min:7d'
        $info.ArchiveCount | Should -Be 2
        $info.AggregationMethod | Should -Be ([WhisperPS.Engine.AggregationMethod]::Average)
        $info.XFilesFactor | Should -Be 0.5
        $info.MaxRetention | Should -Be 604800
        $info.FileSize | Should -Be (16 + 2 * 12 + 12 * (8640 + 10080))
        (Get-Item (Join-Path $dir 'cpu.wsp')).Length | Should -Be $info.FileSize
        # Header bytes: aggregation 1, maxRetention 604800 (0x93A80), xff 0.5f, 2 archives, then offset/spp/points.
        $bytes = [IO.File]::ReadAllBytes((Join-Path $dir 'cpu.wsp'))
        ($bytes[0..15] | ForEach-Object { '{0:X2}' -f $_ }) -join '' | Should -Be '0000000100093A803F00000000000002'
    }

    It 'accepts one comma-separated retention string like storage-schemas.conf' {
        $a = New-WhisperFile (Join-Path $dir 'a.wsp') '10s:1d,1m:7d'
        $b = New-WhisperFile (Join-Path $dir 'b.wsp') '10s:1d', '1m:7d'
        Get-FileSha256 $a.Path | Should -Be (Get-FileSha256 $b.Path)
    }

    It 'accepts whisper''s method name <Name> and the enum names' -ForEach @(
        @{ Name = 'average'; Expected = 'Average' }, @{ Name = 'sum'; Expected = 'Sum' }, @{ Name = 'last'; Expected = 'Last' },
        @{ Name = 'max'; Expected = 'Max' }, @{ Name = 'min'; Expected = 'Min' }, @{ Name = 'avg_zero'; Expected = 'AvgZero' },
        @{ Name = 'absmax'; Expected = 'AbsMax' }, @{ Name = 'absmin'; Expected = 'AbsMin' }, @{ Name = 'AVGZERO'; Expected = 'AvgZero' }
    ) {
        $info = New-WhisperFile (Join-Path $dir 'm.wsp') '60:10' -AggregationMethod $Name
        $info.AggregationMethod.ToString() | Should -Be $Expected
        [IO.File]::ReadAllBytes($info.Path)[3] | Should -Be ([int][WhisperPS.Engine.AggregationMethod]$Expected)
    }

    It 'rejects an unknown aggregation method at binding' {
        { New-WhisperFile (Join-Path $dir 'm.wsp') '60:10' -AggregationMethod median } |
            Should -Throw -ErrorId 'ParameterArgumentTransformationError,WhisperPS.Commands.NewWhisperFileCommand'
        Test-Path (Join-Path $dir 'm.wsp') | Should -BeFalse
    }

    It 'tab-completes aggregation methods from the enum and retention presets' {
        $line = 'New-WhisperFile x.wsp -AggregationMethod a'
        $names = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        $names | Should -Contain 'AvgZero'
        $names | Should -Contain 'AbsMax'
        $names | Should -Contain 'AbsMin'
        $names | Should -Contain 'Average'
        $line = 'New-WhisperFile x.wsp -Retention 10s'
        $presets = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        $presets | Should -Contain "'10s:1d'"
    }

    It 'stores -XFilesFactor as float32 and validates its range' {
        $info = New-WhisperFile (Join-Path $dir 'x.wsp') '60:10' -XFilesFactor 0.25
        $info.XFilesFactor | Should -Be 0.25
        { New-WhisperFile (Join-Path $dir 'y.wsp') '60:10' -XFilesFactor 1.5 } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,WhisperPS.Commands.NewWhisperFileCommand'
    }

    It 'stops with WhisperRetentionInvalid for a schema whisper refuses, creating nothing' -ForEach @(
        @{ Retention = @('10x:1d') }, @{ Retention = @('1m:1d', '1m:7d') }, @{ Retention = @('7s:1d', '10s:7d') }, @{ Retention = @('nonsense') }
    ) {
        { New-WhisperFile (Join-Path $dir 'bad.wsp') -Retention $Retention } |
            Should -Throw -ErrorId 'WhisperRetentionInvalid,WhisperPS.Commands.NewWhisperFileCommand'
        @(Get-ChildItem -LiteralPath $dir -Force).Count | Should -Be 0
    }

    It 'reports an existing file with WhisperFileExists, leaves it alone, and creates the others' {
        $existing = Join-Path $dir 'old.wsp'
        [IO.File]::WriteAllText($existing, 'not whisper')
        $out = New-WhisperFile -Path $existing, (Join-Path $dir 'new.wsp') -Retention '60:10' -ErrorVariable err -ErrorAction SilentlyContinue
        @($out).Count | Should -Be 1
        $out.Name | Should -Be 'new.wsp'
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'WhisperFileExists,WhisperPS.Commands.NewWhisperFileCommand'
        $err[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        $err[0].TargetObject | Should -Be $existing
        [IO.File]::ReadAllText($existing) | Should -Be 'not whisper'
    }

    It 'overwrites with -Force' {
        $existing = Join-Path $dir 'old.wsp'
        [IO.File]::WriteAllText($existing, 'not whisper')
        $info = New-WhisperFile $existing '60:10' -Force
        $info.FileSize | Should -Be (28 + 120)
        (Get-Item $existing).Length | Should -Be 148
    }

    It '-WhatIf creates nothing and changes no byte of an existing file' {
        New-WhisperFile (Join-Path $dir 'new.wsp') '60:10' -WhatIf | Should -BeNullOrEmpty
        Test-Path (Join-Path $dir 'new.wsp') | Should -BeFalse
        $existing = Join-Path $dir 'old.wsp'
        [IO.File]::WriteAllText($existing, 'keep me')
        New-WhisperFile $existing '60:10' -Force -WhatIf
        [IO.File]::ReadAllText($existing) | Should -Be 'keep me'
        @(Get-ChildItem -LiteralPath $dir -Force).Count | Should -Be 1
    }

    It '-Sparse makes a file of the same length and content' {
        $a = New-WhisperFile (Join-Path $dir 'a.wsp') '1s:1d' -Sparse
        $b = New-WhisperFile (Join-Path $dir 'b.wsp') '1s:1d'
        $a.FileSize | Should -Be $b.FileSize
        Get-FileSha256 $a.Path | Should -Be (Get-FileSha256 $b.Path)
    }

    It 'resolves relative paths against the PowerShell location, not the process directory' {
        Push-Location $dir
        try {
            [Environment]::CurrentDirectory = [IO.Path]::GetTempPath()
            $info = New-WhisperFile 'rel.wsp' '60:10'
            $info.Path | Should -Be (Join-Path $dir 'rel.wsp')
            Test-Path (Join-Path $dir 'rel.wsp') | Should -BeTrue
        }
        finally { Pop-Location }
    }

    It 'takes -Path and -LiteralPath literally, brackets included' {
        $a = New-WhisperFile -Path (Join-Path $dir 'a[1].wsp') '60:10'
        $b = New-WhisperFile -LiteralPath (Join-Path $dir 'b[2].wsp') '60:10'
        $a.Name | Should -Be 'a[1].wsp'
        $b.Name | Should -Be 'b[2].wsp'
        Test-Path -LiteralPath (Join-Path $dir 'a[1].wsp') | Should -BeTrue
        Test-Path -LiteralPath (Join-Path $dir 'b[2].wsp') | Should -BeTrue
    }

    It 'creates each piped path' {
        $made = (Join-Path $dir 'p1.wsp'), (Join-Path $dir 'p2.wsp') | New-WhisperFile -Retention '60:10'
        $made.Name | Should -Be @('p1.wsp', 'p2.wsp')
    }

    It 'gives WhisperPathNotFileSystem for another provider and WhisperFileNotFound for a missing folder' {
        New-WhisperFile -Path 'Env:whisper' '60:10' -ErrorVariable err -ErrorAction SilentlyContinue
        New-WhisperFile -Path (Join-Path $dir 'no/such/x.wsp') '60:10' -ErrorVariable +err -ErrorAction SilentlyContinue
        $err.FullyQualifiedErrorId | Should -Be @(
            'WhisperPathNotFileSystem,WhisperPS.Commands.NewWhisperFileCommand',
            'WhisperFileNotFound,WhisperPS.Commands.NewWhisperFileCommand')
        Test-Path Env:whisper | Should -BeFalse
    }
}
