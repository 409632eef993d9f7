# Repair-WhisperFile -StorageRoot -SourceRoot: a damaged tree repaired from replica trees in one command, each file from
# the file at the same relative path; what is missing or wrong is reported per file, and bad roots stop the command.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-WhisperModulePath) -Force -ErrorAction Stop
    $script:Now = 1767323040   # a multiple of 60
    function Values([string] $Path) {
        Get-WhisperSeries -LiteralPath $Path -Now $Now -From -1h -SkipEmpty | ForEach-Object { "$($_.UnixTime)=$($_.Value)" }
    }
    # A file with one value per 10 s over the last 5 minutes; $Keep picks the slots it keeps (0 = newest).
    function New-Series([string] $Path, [double] $Base, [scriptblock] $Keep = { $true }) {
        $null = New-Item -ItemType Directory -Force (Split-Path $Path)
        $null = New-WhisperFile -LiteralPath $Path -Retention '10s:1h', '1m:1d'
        0..29 | Where-Object $Keep | ForEach-Object { [pscustomobject] @{ Timestamp = $Now - 10 * $_; Value = $Base + $_ } } |
            Add-WhisperPoint -LiteralPath $Path -Now $Now
    }
}

Describe 'Repair-WhisperFile -StorageRoot -SourceRoot' {
    BeforeEach {
        $dir = New-TestFolder
        $damaged = Join-Path $dir 'node1'
        $replica = Join-Path $dir 'node2'
        # Each metric has its own values, so a file filled from another metric's replica shows.
        $script:Metrics = [ordered] @{ 'a/cpu/user.wsp' = 100; 'a/cpu/system.wsp' = 200; 'b/disk.wsp' = 300; 'top.wsp' = 400 }
        foreach ($m in $Metrics.Keys) {
            New-Series (Join-Path $replica $m) $Metrics[$m]
            New-Series (Join-Path $damaged $m) $Metrics[$m] { $_ % 3 -eq 0 }
        }
    }

    It 'repairs every file below the root from the same relative path, in ordinal order, one result each' {
        # Hidden files and folders are skipped, as by Get-ChildItem -Recurse without -Force (a leading dot on Linux
        # and macOS; these would fail for want of a replica if they were taken).
        if (-not $IsWindows) {
            New-Series (Join-Path $damaged '.hidden.wsp') 1
            New-Series (Join-Path $damaged '.cache/x.wsp') 1
        }
        $r = @(Repair-WhisperFile -StorageRoot $damaged -SourceRoot $replica -Now $Now)
        $r | Should -HaveCount 4
        # A folder's files first, then its subfolders, each level in ordinal order of the names.
        $r.Path | Should -Be @('top.wsp', 'a/cpu/system.wsp', 'a/cpu/user.wsp', 'b/disk.wsp' | ForEach-Object { [IO.Path]::GetFullPath((Join-Path $damaged $_)) })
        foreach ($m in $Metrics.Keys) {
            $file = Join-Path $damaged $m
            $one = $r | Where-Object Path -eq ([IO.Path]::GetFullPath($file))
            $one.Archives[0].FromSources | Should -Be 20
            $one.SourcesUsed | Should -Be @([IO.Path]::GetFullPath((Join-Path $replica $m)))
            Values $file | Should -Be @(Values (Join-Path $replica $m))
        }
    }

    It 'gives the same files the same fill as the script-block form' {
        $other = Join-Path $dir 'copy'
        Copy-Item $damaged $other -Recurse
        $null = Repair-WhisperFile -StorageRoot $damaged -SourceRoot $replica -Now $Now
        $null = Get-ChildItem -LiteralPath $other -Recurse -Filter *.wsp |
            Repair-WhisperFile -Source { $_.FullName.Replace($other, $replica) } -Now $Now
        foreach ($m in $Metrics.Keys) { Get-FileSha256 (Join-Path $damaged $m) | Should -Be (Get-FileSha256 (Join-Path $other $m)) }
    }

    It 'takes several replica roots in order and reports a replica that lacks a file, naming it' {
        $third = Join-Path $dir 'node3'
        New-Series (Join-Path $third 'top.wsp') 900        # only this metric, with other values
        Remove-Item (Join-Path $replica 'top.wsp')          # the first replica lacks it
        $r = @(Repair-WhisperFile -StorageRoot $damaged -SourceRoot $replica, $third -Now $Now -ErrorVariable err -ErrorAction SilentlyContinue)
        $r | Should -HaveCount 4
        # top.wsp: filled from the second root; the first root's missing copy is an error with that path as target.
        $missing = @($err | Where-Object { $_.TargetObject -eq (Join-Path $replica 'top.wsp') })
        $missing | Should -HaveCount 1
        $missing[0].FullyQualifiedErrorId | Should -Be 'WhisperFileNotFound,WhisperPS.Commands.RepairWhisperFileCommand'
        Values (Join-Path $damaged 'top.wsp') | Should -Contain "$($Now - 10)=901"
        # The other files: from the first root, and each also reported missing from the third.
        $err | Should -HaveCount 4
        Values (Join-Path $damaged 'b/disk.wsp') | Should -Be @(Values (Join-Path $replica 'b/disk.wsp'))
    }

    It 'goes on after a file it cannot repair' {
        $bad = Join-Path $damaged 'a/bad.wsp'
        [IO.File]::WriteAllBytes($bad, [byte[]] (1..50))
        Copy-Item $bad (Join-Path $replica 'a/bad.wsp')
        $r = @(Repair-WhisperFile -StorageRoot $damaged -SourceRoot $replica -Now $Now -ErrorVariable err -ErrorAction SilentlyContinue)
        $r | Should -HaveCount 4
        $corrupt = @($err | Where-Object { $_.FullyQualifiedErrorId -like 'WhisperFileCorrupt,*' })
        $corrupt.TargetObject | Should -Contain ([IO.Path]::GetFullPath($bad))
    }

    It '-WhatIf changes no file' {
        $before = foreach ($m in $Metrics.Keys) { Get-FileSha256 (Join-Path $damaged $m) }
        $r = Repair-WhisperFile -StorageRoot $damaged -SourceRoot $replica -Now $Now -WhatIf
        $r | Should -BeNullOrEmpty
        $after = foreach ($m in $Metrics.Keys) { Get-FileSha256 (Join-Path $damaged $m) }
        $after | Should -Be $before
    }

    It 'stops before touching anything when a root is missing or is the storage root itself' {
        $before = foreach ($m in $Metrics.Keys) { Get-FileSha256 (Join-Path $damaged $m) }
        { Repair-WhisperFile -StorageRoot (Join-Path $dir 'none') -SourceRoot $replica -Now $Now -ErrorAction Stop } |
            Should -Throw -ErrorId 'WhisperFileNotFound,WhisperPS.Commands.RepairWhisperFileCommand'
        { Repair-WhisperFile -StorageRoot $damaged -SourceRoot $replica, (Join-Path $dir 'none') -Now $Now -ErrorAction Stop } |
            Should -Throw -ErrorId 'WhisperFileNotFound,WhisperPS.Commands.RepairWhisperFileCommand'
        $e = { Repair-WhisperFile -StorageRoot $damaged -SourceRoot (Join-Path $damaged '.') -Now $Now -ErrorAction Stop } |
            Should -Throw -ErrorId 'WhisperRepairSameFile,WhisperPS.Commands.RepairWhisperFileCommand' -PassThru
        $e.TargetObject | Should -Be (Join-Path $damaged '.')
        $after = foreach ($m in $Metrics.Keys) { Get-FileSha256 (Join-Path $damaged $m) }
        $after | Should -Be $before
    }

    It 'does not repair the files of a replica tree kept inside the damaged tree' {
        $inner = Join-Path $damaged 'replica'
        Copy-Item $replica $inner -Recurse
        $r = @(Repair-WhisperFile -StorageRoot $damaged -SourceRoot $inner -Now $Now -ErrorVariable err)
        $err | Should -BeNullOrEmpty
        $r | Should -HaveCount 4
        $r.Path | Where-Object { $_.StartsWith($inner) } | Should -BeNullOrEmpty
        Values (Join-Path $damaged 'b/disk.wsp') | Should -Be @(Values (Join-Path $inner 'b/disk.wsp'))
    }

    It 'resolves relative roots against the current location' {
        Push-Location $dir
        try { $r = @(Repair-WhisperFile -StorageRoot ./node1/a -SourceRoot ./node2/a -Now $Now) }
        finally { Pop-Location }
        $r | Should -HaveCount 2
        Values (Join-Path $damaged 'a/cpu/user.wsp') | Should -Be @(Values (Join-Path $replica 'a/cpu/user.wsp'))
        Values (Join-Path $damaged 'b/disk.wsp') | Should -Not -Be @(Values (Join-Path $replica 'b/disk.wsp'))
    }
}
