# Windows-only behaviour of the cmdlets, run by build.ps1 TestWindows in PowerShell hosted on Windows .NET (under
# Wine): Windows path forms, case-insensitive names, and files that another process holds open or locked. The other
# process is WhisperPS.Stress.exe ('hold' mode, $env:WHISPERPS_STRESS), whose locks are the engine's LockFileEx.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../Pester/TestHelpers.psm1') -Force
    Import-Module (Get-WhisperModulePath) -Force -ErrorAction Stop

    function Start-Holder([string] $Path, [string] $How, [switch] $NoWait) {
        # Holds $Path until Stop-Holder; waits until it has the file unless -NoWait.
        $release = Join-Path ([IO.Path]::GetDirectoryName($Path)) ([guid]::NewGuid().ToString('N') + '.release')
        $psi = [Diagnostics.ProcessStartInfo]::new($env:WHISPERPS_STRESS)
        foreach ($a in 'hold', $Path, $How, $release) { $psi.ArgumentList.Add($a) }
        $psi.UseShellExecute = $false; $psi.RedirectStandardOutput = $true; $psi.RedirectStandardError = $true
        $h = [pscustomobject] @{ Process = [Diagnostics.Process]::Start($psi); Release = $release; Ready = $null }
        $h.Ready = $h.Process.StandardOutput.ReadLineAsync()
        if (-not $NoWait) {
            $h.Ready.Wait(90000) | Should -BeTrue -Because "the holder ($How) should get the file"
            # Its error output only once it has exited: reading it to the end waits for that.
            if ($h.Ready.Result -ne 'ready') { throw "the holder ($How) failed: $($h.Process.StandardError.ReadToEnd())" }
        }
        return $h
    }

    function Stop-Holder($Holder) {
        Set-Content -LiteralPath $Holder.Release -Value go
        $Holder.Process.WaitForExit(90000) | Should -BeTrue
        $Holder.Process.ExitCode | Should -Be 0 -Because $Holder.Process.StandardError.ReadToEnd()
    }

    function Start-InRunspace([scriptblock] $Script, [hashtable] $Parameters) {
        $ps = [powershell]::Create()
        $null = $ps.AddScript("Import-Module '$(Get-WhisperModulePath)'").AddStatement().AddScript($Script).AddParameters($Parameters)
        [pscustomobject] @{ PS = $ps; Handle = $ps.BeginInvoke() }
    }
}

Describe 'Windows path forms' {
    BeforeAll {
        $IsWindows | Should -BeTrue -Because 'this file tests the Windows code path'
        $root = New-TestFolder
        $drive = $root.Substring(0, 2)
    }
    AfterEach { Pop-Location -ErrorAction SilentlyContinue }

    It 'runs with C:\ style paths' {
        $root | Should -Match '^[A-Z]:\\'
        (New-WhisperFile -Path "$root\abs.wsp" -Retention 1s:60).Path | Should -Be "$root\abs.wsp"
    }

    It 'resolves relative, drive-relative (C:name), root-relative (\dir\name) and forward-slash paths' {
        Push-Location $root
        (New-WhisperFile -Path 'rel.wsp' -Retention 1s:60).Path | Should -Be "$root\rel.wsp"
        (New-WhisperFile -Path "${drive}drel.wsp" -Retention 1s:60).Path | Should -Be "$root\drel.wsp"
        $rootRelative = $root.Substring(2)
        (New-WhisperFile -Path "$rootRelative\rootrel.wsp" -Retention 1s:60).Path | Should -Be "$root\rootrel.wsp"
        (New-WhisperFile -Path ($root.Replace('\', '/') + '/slash.wsp') -Retention 1s:60).Path | Should -Be "$root\slash.wsp"
        $now = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
        Add-WhisperPoint -Path "${drive}drel.wsp" -UnixTime ($now - 1) -Value 1 -Now $now
        Add-WhisperPoint -LiteralPath "$rootRelative\rootrel.wsp" -UnixTime ($now - 1) -Value 2 -Now $now
        (Get-WhisperSeries -Path '.\drel.wsp' -From ($now - 30) -Until $now -Now $now -SkipEmpty).Value | Should -Be 1
        (Get-WhisperSeries -Path "$root/rootrel.wsp" -From ($now - 30) -Until $now -Now $now -SkipEmpty).Value | Should -Be 2
        @(Get-ChildItem -LiteralPath $root -Filter *.wsp).Name | Sort-Object | Should -Be @('abs.wsp', 'drel.wsp', 'rel.wsp', 'rootrel.wsp', 'slash.wsp')
    }

    It 'matches names and wildcards case-insensitively' {
        (Get-WhisperInfo -LiteralPath "$root\ABS.WSP").ArchiveCount | Should -Be 1
        (Get-WhisperInfo -Path "$root\ABS.WSP").ArchiveCount | Should -Be 1
        @(Get-WhisperInfo -Path "$root\*.WSP").Count | Should -Be @(Get-ChildItem -LiteralPath $root -Filter *.wsp).Count
        @(Get-WhisperInfo -Path "$root\A?S.wsp").Count | Should -Be 1
    }

    It 'treats names differing only in case as one file in a -Path list' {
        @(Get-WhisperInfo -Path "$root\abs.wsp", "$root\ABS.WSP", "$root\Abs.Wsp").Count | Should -Be 1
        @(Get-WhisperInfo -LiteralPath "$root\abs.wsp", "$root\ABS.WSP").Count | Should -Be 1
        $made = @(New-WhisperFile -Path "$root\case.wsp", "$root\CASE.WSP" -Retention 1s:60 -ErrorVariable e -ErrorAction SilentlyContinue)
        $e | Should -BeNullOrEmpty
        $made.Count | Should -Be 1
        @(Get-ChildItem -LiteralPath $root -Filter case.wsp).Count | Should -Be 1
    }

    It 'refuses to merge a file into itself when the names differ only in case or slashes' {
        { Merge-WhisperFile -LiteralPath "$root\abs.wsp" -Destination ($root.Replace('\', '/').ToUpperInvariant() + '/ABS.WSP') -ErrorAction Stop } |
            Should -Throw -ErrorId 'WhisperMergeSameFile,WhisperPS.Commands.MergeWhisperFileCommand'
    }

    It 'works on a path with spaces and non-ASCII characters' {
        $dir = Join-Path $root 'dir with spaces ü 東京 Ω'
        $null = New-Item -ItemType Directory -Path $dir
        $file = Join-Path $dir 'Métric [x] 日本.wsp'
        $now = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
        (New-WhisperFile -LiteralPath $file -Retention 1s:60, 10s:60).Path | Should -Be $file
        Add-WhisperPoint -LiteralPath $file -UnixTime ($now - 2) -Value 4.5 -Now $now
        (Get-WhisperSeries -LiteralPath $file -From ($now - 30) -Until $now -Now $now -SkipEmpty).Value | Should -Be 4.5
        Set-WhisperAggregation -LiteralPath $file -AggregationMethod Max
        (Get-WhisperInfo -Path (Join-Path $dir 'Métric `[x`] 日本.wsp')).AggregationMethod | Should -Be 'Max'
        $copy = Join-Path $dir 'cöpy 2.wsp'
        $null = New-WhisperFile -LiteralPath $copy -Retention 1s:60, 10s:60
        Merge-WhisperFile -LiteralPath $file -Destination $copy -Now $now
        (Get-WhisperSeries -LiteralPath $copy -From ($now - 30) -Until $now -Now $now -SkipEmpty).Value | Should -Be 4.5
        @(Get-WhisperInfo -Path (Join-Path $dir '*.wsp')).Count | Should -Be 2
    }
}

Describe 'Files another process holds' {
    BeforeAll {
        $env:WHISPERPS_STRESS | Should -Not -BeNullOrEmpty -Because 'build.ps1 TestWindows names the Windows stress helper'
    }
    BeforeEach {
        $dir = New-TestFolder
        $file = (New-WhisperFile -LiteralPath (Join-Path $dir 'held.wsp') -Retention 1s:600, 1m:60).Path
        $now = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
    }

    It 'Add-WhisperPoint waits while another process holds the write lock, then writes' {
        $h = Start-Holder $file write
        try {
            $job = Start-InRunspace { param($File, $Now) Add-WhisperPoint -LiteralPath $File -UnixTime ($Now - 1) -Value 9 -Now $Now -ErrorAction Stop } @{ File = $file; Now = $now }
            $job.Handle.AsyncWaitHandle.WaitOne(3000) | Should -BeFalse -Because 'the other process holds the exclusive lock'
        }
        finally { Stop-Holder $h }
        $job.Handle.AsyncWaitHandle.WaitOne(90000) | Should -BeTrue
        $job.PS.EndInvoke($job.Handle)
        $job.PS.HadErrors | Should -BeFalse
        $job.PS.Dispose()
        (Get-WhisperSeries -LiteralPath $file -From ($now - 30) -Until $now -Now $now -SkipEmpty).Value | Should -Be 9
    }

    It 'Get-WhisperSeries waits while another process writes, and a writer waits for our reader' {
        $h = Start-Holder $file write
        try {
            $job = Start-InRunspace { param($File) Get-WhisperInfo -LiteralPath $File -ErrorAction Stop } @{ File = $file }
            $job.Handle.AsyncWaitHandle.WaitOne(3000) | Should -BeFalse -Because 'a reader waits for the writer'
        }
        finally { Stop-Holder $h }
        $job.Handle.AsyncWaitHandle.WaitOne(90000) | Should -BeTrue
        $job.PS.EndInvoke($job.Handle).ArchiveCount | Should -Be 2
        $job.PS.Dispose()

        $r = Start-Holder $file read
        try {
            $w = Start-Holder $file write -NoWait
            $w.Ready.Wait(3000) | Should -BeFalse -Because 'a writer waits for the reader'
        }
        finally { Stop-Holder $r }
        $w.Ready.Wait(90000) | Should -BeTrue
        Stop-Holder $w
    }

    It '<Name> rewrites a file another process holds open (<How>)' -ForEach @(
        foreach ($how in 'read', 'share-readwrite') {
            @{ Name = 'New-WhisperFile -Force'; How = $how
                Run = { param($File, $Src, $Now) New-WhisperFile -LiteralPath $File -Retention 10s:10 -AggregationMethod Sum -Force -ErrorAction Stop }
                Check = { param($File, $Now) $i = Get-WhisperInfo -LiteralPath $File; $i.AggregationMethod | Should -Be 'Sum'; $i.MaxRetention | Should -Be 100 } }
            @{ Name = 'Resize-WhisperFile'; How = $how
                Run = { param($File, $Src, $Now) Resize-WhisperFile -LiteralPath $File -Retention 1s:1200, 1m:60 -Now $Now -Confirm:$false -ErrorAction Stop }
                Check = { param($File, $Now)
                    (Get-WhisperInfo -LiteralPath $File).FileSize | Should -Be (16 + 2 * 12 + 12 * (1200 + 60))
                    (Get-WhisperSeries -LiteralPath $File -From ($Now - 30) -Until $Now -Now $Now -SkipEmpty).Value | Should -Be 5 } }
            @{ Name = 'Clear-WhisperSeries'; How = $how
                Run = { param($File, $Src, $Now) Clear-WhisperSeries -LiteralPath $File -From ($Now - 600) -Until $Now -Now $Now -Confirm:$false -ErrorAction Stop }
                Check = { param($File, $Now) @(Get-WhisperSeries -LiteralPath $File -From ($Now - 300) -Until $Now -Now $Now -SkipEmpty).Count | Should -Be 0 } }
            @{ Name = 'Repair-WhisperFile'; How = $how
                Run = { param($File, $Src, $Now) Repair-WhisperFile -LiteralPath $File -Source $Src -Now $Now -Confirm:$false -ErrorAction Stop }
                Check = { param($File, $Now) @(Get-WhisperSeries -LiteralPath $File -From ($Now - 30) -Until $Now -Now $Now -SkipEmpty).Value | Should -Be @(7, 5) } }
        }) {
        Add-WhisperPoint -LiteralPath $file -UnixTime ($now - 5) -Value 5 -Now $now
        $src = (New-WhisperFile -LiteralPath (Join-Path $dir 'src.wsp') -Retention 1s:600, 1m:60).Path
        Add-WhisperPoint -LiteralPath $src -UnixTime ($now - 8) -Value 7 -Now $now
        $h = Start-Holder $file $How
        try {
            $job = Start-InRunspace $Run @{ File = $file; Src = $src; Now = $now }
            $finished = $job.Handle.AsyncWaitHandle.WaitOne(3000)
            # In place under the file's lock: it waits for a reader's shared lock; a holder without a lock is no obstacle.
            if ($How -eq 'read') { $finished | Should -BeFalse -Because 'the rewrite waits for the reader in the other process' }
        }
        finally { Stop-Holder $h }
        $job.Handle.AsyncWaitHandle.WaitOne(90000) | Should -BeTrue
        $null = $job.PS.EndInvoke($job.Handle)
        $job.PS.Streams.Error | Should -BeNullOrEmpty
        $job.PS.Dispose()
        & $Check $file $now
        @(Get-ChildItem -LiteralPath $dir -Force | Where-Object Name -NotLike '*.release').Name | Sort-Object | Should -Be @('held.wsp', 'src.wsp')
    }

    It '-LockTimeout gives WhisperLockTimeout naming the file while another process holds its LockFileEx lock' {
        # The Windows side of RealUse.Tests.ps1's flock test (which needs python): the holder is a Windows process.
        $h = Start-Holder $file write
        try {
            Get-WhisperSeries -LiteralPath $file -Now $now -LockTimeout 0.3 -ErrorVariable e1 -ErrorAction SilentlyContinue
            $e1 | Should -HaveCount 1
            $e1[0].FullyQualifiedErrorId | Should -Be 'WhisperLockTimeout,WhisperPS.Commands.GetWhisperSeriesCommand'
            $e1[0].CategoryInfo.Category | Should -Be 'ResourceBusy'
            $e1[0].TargetObject | Should -Be $file
            Add-WhisperPoint -LiteralPath $file -UnixTime ($now - 1) -Value 1 -Now $now -LockTimeout 0.3 -ErrorVariable e2 -ErrorAction SilentlyContinue
            $e2 | Should -HaveCount 1
            $e2[0].FullyQualifiedErrorId | Should -Be 'WhisperLockTimeout,WhisperPS.Commands.AddWhisperPointCommand'
            "$($e2[0])" | Should -Match ([regex]::Escape($file))
        }
        finally { Stop-Holder $h }
        Add-WhisperPoint -LiteralPath $file -UnixTime ($now - 1) -Value 1 -Now $now -LockTimeout 30
        (Get-WhisperSeries -LiteralPath $file -From ($now - 30) -Until $now -Now $now -SkipEmpty -LockTimeout 30).Value | Should -Be 1
    }

    It 'reports a file another program holds without sharing as a per-file error, and goes on with the rest' {
        $other = (New-WhisperFile -LiteralPath (Join-Path $dir 'other.wsp') -Retention 1s:60).Path
        $h = Start-Holder $file share-none
        try {
            $infos = @(Get-WhisperInfo -LiteralPath $file, $other -ErrorVariable e -ErrorAction SilentlyContinue)
        }
        finally { Stop-Holder $h }
        $infos.Path | Should -Be $other
        $e.Count | Should -Be 1
        $e[0].TargetObject | Should -Be $file
        $e[0].Exception.Message | Should -BeLike '*held.wsp*'
        $e[0].FullyQualifiedErrorId | Should -BeLike 'Whisper*,WhisperPS.Commands.GetWhisperInfoCommand'
    }
}

Describe 'Sparse create on Windows' {
    It 'New-WhisperFile -Sparse makes a full-length file that reads empty and takes points' {
        # FSCTL_SET_SPARSE itself is checked in the engine's WindowsFileTests; Wine neither keeps nor reports the
        # sparse attribute, so NTFS allocation is not verifiable here.
        $dir = New-TestFolder
        $sparse = (New-WhisperFile -LiteralPath (Join-Path $dir 'sparse.wsp') -Retention 1s:100000 -Sparse).Path
        $full = (New-WhisperFile -LiteralPath (Join-Path $dir 'full.wsp') -Retention 1s:100000).Path
        (Get-Item -LiteralPath $sparse).Length | Should -Be (Get-Item -LiteralPath $full).Length
        Get-FileSha256 $sparse | Should -Be (Get-FileSha256 $full)
        $now = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
        Add-WhisperPoint -LiteralPath $sparse -UnixTime ($now - 3) -Value 2.5 -Now $now
        (Get-WhisperSeries -LiteralPath $sparse -From ($now - 60) -Until $now -Now $now -SkipEmpty).Value | Should -Be 2.5
        (Test-WhisperFile -LiteralPath $sparse -Now $now).IsValid | Should -BeTrue
    }
}
