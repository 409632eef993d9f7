BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-WhisperModulePath) -Force -ErrorAction Stop
    $script:Now = 1767323045
    function Values([string] $Path) {
        Get-WhisperSeries -LiteralPath $Path -Now $Now -From -1h -SkipEmpty | ForEach-Object { "$($_.UnixTime)=$($_.Value)" }
    }
}

Describe 'Merge-WhisperFile' {
    BeforeEach {
        $dir = New-TestFolder
        $src = (New-WhisperFile (Join-Path $dir 'src.wsp') '10s:1h', '1m:1d').Path
        $dst = (New-WhisperFile (Join-Path $dir 'dst.wsp') '10s:1h', '1m:1d').Path
        0..5 | ForEach-Object { [pscustomobject] @{ Timestamp = $Now - 100 * $_; Value = $_ } } | Add-WhisperPoint -LiteralPath $src -Now $Now
        [pscustomobject] @{ Timestamp = $Now - 50; Value = 99 } | Add-WhisperPoint -LiteralPath $dst -Now $Now
    }

    It 'copies the source''s points into the destination, keeping the destination''s own' {
        Merge-WhisperFile -Path $src -Destination $dst -Now $Now | Should -BeNullOrEmpty
        $v = Values $dst
        $v | Should -HaveCount 7
        $v | Should -Contain "$($Now - $Now % 10 - 50)=99"
        $v | Should -Contain "$($Now - $Now % 10)=0"
    }

    It 'honours -From and -Until' {
        Merge-WhisperFile -LiteralPath $src -Destination $dst -Now $Now -From -250s -Until -50s
        Values $dst | Should -Be @("$($Now - $Now % 10 - 200)=2", "$($Now - $Now % 10 - 100)=1", "$($Now - $Now % 10 - 50)=99")
    }

    It '-PassThru outputs the destination''s info; a relative destination resolves against the location' {
        Push-Location $dir
        try { $out = Merge-WhisperFile src.wsp dst.wsp -Now $Now -PassThru }
        finally { Pop-Location }
        $out | Should -BeOfType WhisperPS.WhisperInfo
        $out.Path | Should -Be $dst
    }

    It 'reports progress per archive' {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddCommand('Import-Module').AddArgument((Get-WhisperModulePath)).AddStatement().
                AddCommand('Merge-WhisperFile').AddParameter('LiteralPath', $src).AddParameter('Destination', $dst).AddParameter('Now', $Now)
            $null = $ps.Invoke()
            $ps.Streams.Error.Count | Should -Be 0
            $progress = @($ps.Streams.Progress | Where-Object Activity -eq 'Merge-WhisperFile')
            @($progress | Where-Object RecordType -eq 'Processing').Count | Should -BeGreaterOrEqual 2
            ($progress | Where-Object RecordType -eq 'Processing')[-1].PercentComplete | Should -Be 100
            $progress[-1].RecordType | Should -Be 'Completed'
        }
        finally { $ps.Dispose() }
    }

    It 'reports unlike layouts as WhisperArchiveMismatch and leaves the destination alone' {
        $other = (New-WhisperFile (Join-Path $dir 'other.wsp') '10s:2h').Path
        $before = Get-FileSha256 $dst
        Merge-WhisperFile -LiteralPath $other -Destination $dst -Now $Now -ErrorVariable err -ErrorAction SilentlyContinue
        $err.FullyQualifiedErrorId | Should -Be 'WhisperArchiveMismatch,WhisperPS.Commands.MergeWhisperFileCommand'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $err[0].TargetObject | Should -Be $other
        Get-FileSha256 $dst | Should -Be $before
    }

    It 'stops with WhisperFileNotFound when the destination does not exist' {
        { Merge-WhisperFile -LiteralPath $src -Destination (Join-Path $dir 'none.wsp') } |
            Should -Throw -ErrorId 'WhisperFileNotFound,WhisperPS.Commands.MergeWhisperFileCommand'
    }

    It 'stops with WhisperTimeIntervalInvalid when -From is after -Until' {
        { Merge-WhisperFile -LiteralPath $src -Destination $dst -Now $Now -From -1h -Until -2h } |
            Should -Throw -ErrorId 'WhisperTimeIntervalInvalid,WhisperPS.Commands.MergeWhisperFileCommand'
    }

    It 'refuses to merge a file named explicitly into itself, but skips it quietly when a wildcard matches it' {
        $before = Get-FileSha256 $dst
        Merge-WhisperFile -LiteralPath $dst -Destination $dst -ErrorVariable err -ErrorAction SilentlyContinue
        $err.FullyQualifiedErrorId | Should -Be 'WhisperMergeSameFile,WhisperPS.Commands.MergeWhisperFileCommand'
        Get-FileSha256 $dst | Should -Be $before
        Merge-WhisperFile -Path (Join-Path $dir '*.wsp') -Destination $dst -Now $Now -ErrorVariable err2
        $err2.Count | Should -Be 0
        Values $dst | Should -HaveCount 7
    }

    It '-WhatIf changes no byte' {
        $before = Get-FileSha256 $dst
        Merge-WhisperFile -LiteralPath $src -Destination $dst -Now $Now -WhatIf
        Get-FileSha256 $dst | Should -Be $before
    }

    It 'merges every source piped from Get-ChildItem, reporting a corrupt one and merging the rest' {
        $src2 = (New-WhisperFile (Join-Path $dir 'src2.wsp') '10s:1h', '1m:1d').Path
        Add-WhisperPoint -LiteralPath $src2 -Value 7 -Timestamp ($Now - 1000) -Now $Now
        [IO.File]::WriteAllBytes((Join-Path $dir 'src3.wsp'), [byte[]]::new(50))
        Get-ChildItem -LiteralPath $dir -Filter 'src*.wsp' | Merge-WhisperFile -Destination $dst -Now $Now -ErrorVariable err -ErrorAction SilentlyContinue
        $err.FullyQualifiedErrorId | Should -Be 'WhisperFileCorrupt,WhisperPS.Commands.MergeWhisperFileCommand'
        $err[0].TargetObject | Should -Be (Join-Path $dir 'src3.wsp')
        Values $dst | Should -HaveCount 8
    }
}
