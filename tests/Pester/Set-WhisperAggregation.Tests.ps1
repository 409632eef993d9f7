BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-WhisperModulePath) -Force -ErrorAction Stop
    function Header([string] $Path) { ([IO.File]::ReadAllBytes($Path)[0..15] | ForEach-Object { '{0:X2}' -f $_ }) -join '' }
}

Describe 'Set-WhisperAggregation' {
    BeforeEach {
        $dir = New-TestFolder
        $file = (New-WhisperFile (Join-Path $dir 'a.wsp') '60:10').Path
    }

    It 'sets the method from whisper''s name, leaving the xFilesFactor' {
        Set-WhisperAggregation -Path $file -AggregationMethod avg_zero | Should -BeNullOrEmpty
        # aggregation 6, maxRetention 600 (0x258), xff 0.5f (0x3F000000), 1 archive
        Header $file | Should -Be '00000006000002583F00000000000001'
    }

    It 'sets the xFilesFactor alone, and both together' {
        Set-WhisperAggregation -LiteralPath $file -XFilesFactor 0.25
        Header $file | Should -Be '00000001000002583E80000000000001'
        Set-WhisperAggregation $file sum -XFilesFactor 1
        Header $file | Should -Be '00000002000002583F80000000000001'
    }

    It 'stops with WhisperAggregationMissing when given neither' {
        { Set-WhisperAggregation -LiteralPath $file } |
            Should -Throw -ErrorId 'WhisperAggregationMissing,WhisperPS.Commands.SetWhisperAggregationCommand'
    }

    It 'validates -XFilesFactor and the method name at binding' {
        { Set-WhisperAggregation -LiteralPath $file -XFilesFactor -0.1 } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,WhisperPS.Commands.SetWhisperAggregationCommand'
        { Set-WhisperAggregation -LiteralPath $file -AggregationMethod median } |
            Should -Throw -ErrorId 'ParameterArgumentTransformationError,WhisperPS.Commands.SetWhisperAggregationCommand'
    }

    It '-PassThru outputs the updated info, and -Verbose says old -> new' {
        $verbose = Set-WhisperAggregation -LiteralPath $file -AggregationMethod absmax -XFilesFactor 0.75 -PassThru -Verbose 4>&1
        $info = $verbose | Where-Object { $_ -is [WhisperPS.WhisperInfo] }
        $info.AggregationMethod | Should -Be 'AbsMax'
        $info.XFilesFactor | Should -Be 0.75
        ($verbose | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message |
            Should -Contain "'$file': aggregation average -> absmax, xFilesFactor 0.5 -> 0.75."
    }

    It '-WhatIf changes no byte' {
        $before = Get-FileSha256 $file
        Set-WhisperAggregation -LiteralPath $file -AggregationMethod max -XFilesFactor 0 -WhatIf
        Get-FileSha256 $file | Should -Be $before
    }

    It 'gives a corrupt file WhisperFileCorrupt and still changes the others' {
        $bad = Join-Path $dir 'bad.wsp'
        [IO.File]::WriteAllBytes($bad, [byte[]]::new(10))
        $before = Get-FileSha256 $bad
        Set-WhisperAggregation -Path (Join-Path $dir '*.wsp') -AggregationMethod min -ErrorVariable err -ErrorAction SilentlyContinue
        $err.FullyQualifiedErrorId | Should -Be 'WhisperFileCorrupt,WhisperPS.Commands.SetWhisperAggregationCommand'
        $err[0].TargetObject | Should -Be $bad
        Get-FileSha256 $bad | Should -Be $before
        (Get-WhisperInfo -LiteralPath $file).AggregationMethod | Should -Be 'Min'
    }
}
