# The charts as people see them: an exported SVG rendered by a real browser (headless Chromium, Debian package
# 'chromium') and checked pixel by pixel, and the terminal chart read back from a real terminal (a tmux pane).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-WhisperModulePath) -Force

    function Install-DebianPackage([string] $Command, [string] $Package) {
        if (Get-Command $Command -ErrorAction SilentlyContinue) { return }
        & apt-get -o DPkg::Lock::Timeout=900 update 2>&1 | Out-Null
        & apt-get -o DPkg::Lock::Timeout=900 install -y $Package 2>&1 | Out-Null
        if (-not (Get-Command $Command -ErrorAction SilentlyContinue)) { throw "$Package is required for this test and could not be installed" }
    }
    Install-DebianPackage chromium chromium
    Install-DebianPackage tmux tmux

    $script:Now = 1795000020
    $script:Dir = New-TestFolder
    # 400 one-minute slots: a wave with an empty stretch at slots 150..249.
    $script:File = Join-Path $Dir 'render.wsp'
    $null = New-WhisperFile -LiteralPath $File -Retention 1m:1d
    $(for ($i = 0; $i -lt 400; $i++) {
            if ($i -lt 150 -or $i -ge 250) { [pscustomobject] @{ UnixTime = $Now - (399 - $i) * 60; Value = 50 + 40 * [math]::Sin($i / 15) } }
        }) | Add-WhisperPoint -LiteralPath $File -Now $Now

    # Reads the RGB pixels of a PNG (8-bit RGB or RGBA, non-interlaced, as Chromium writes them) with Python's
    # standard library, and answers which x columns hold a pixel near a colour.
    $script:PngProbe = @'
import json, struct, sys, zlib
path, color, tol = sys.argv[1], sys.argv[2], int(sys.argv[3])
y0, y1 = int(sys.argv[4]), int(sys.argv[5])
data = open(path, 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n'
pos, idat, w = 8, b'', None
while pos < len(data):
    n, kind = struct.unpack('>I4s', data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b'IHDR':
        w, h, depth, ctype, _, _, interlace = struct.unpack('>IIBBBBB', body)
        assert depth == 8 and ctype in (2, 6) and interlace == 0, (depth, ctype, interlace)
        bpp = 3 if ctype == 2 else 4
    elif kind == b'IDAT':
        idat += body
    pos += 12 + n
raw = zlib.decompress(idat)
stride = w * bpp
rows, prev, i = [], bytearray(stride), 0
for _ in range(h):
    f = raw[i]; line = bytearray(raw[i + 1:i + 1 + stride]); i += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b = prev[x]
        c = prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(line); prev = line
want = tuple(int(color[k:k + 2], 16) for k in (1, 3, 5))
hits = []
for x in range(w):
    for y in range(max(0, y0), min(h, y1 + 1)):
        px = rows[y][x * bpp:x * bpp + 3]
        if sum(abs(px[k] - want[k]) for k in range(3)) <= tol:
            hits.append(x); break
corner = list(rows[1][bpp:bpp + 3])
colours = len(set(bytes(rows[y][x * bpp:x * bpp + 3]) for y in range(0, h, 3) for x in range(0, w, 3)))
print(json.dumps({'width': w, 'height': h, 'hits': hits, 'corner': corner, 'colours': colours}))
'@
}

Describe 'Export-WhisperChart in a browser' -Tag 'Chromium', 'Python' {
    BeforeAll {
        $svgPath = Join-Path $Dir 'render.svg'
        Export-WhisperChart -LiteralPath $svgPath -LiteralInputPath $File -From ($Now - 400 * 60) -Until $Now -Now $Now -Width 496 -Height 300
        [xml] $svg = Get-Content -Raw $svgPath
        $script:Plot = $svg.SelectSingleNode("//*[local-name()='g'][@class='plot']")
        $script:Color = $svg.SelectSingleNode("//*[local-name()='g'][@class='series']").GetAttribute('data-color')
        $script:Png = Join-Path $Dir 'render.png'
        $height = [int] $svg.DocumentElement.GetAttribute('height')
        $profileDir = Join-Path $Dir 'chromium-profile'
        $out = & chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 --user-data-dir=$profileDir `
            "--window-size=496,$height" "--screenshot=$Png" "file://$svgPath" 2>&1
        if (-not (Test-Path $Png)) { throw "chromium wrote no screenshot: $out" }
        $probe = Join-Path $Dir 'probe.py'
        Set-Content -LiteralPath $probe -Value $PngProbe
        $top = [int] $Plot.GetAttribute('data-top')
        $bottom = $top + [int] $Plot.GetAttribute('data-height')
        $script:Pixels = & /usr/bin/python3 $probe $Png $Color 90 $top $bottom | ConvertFrom-Json
        $script:Left = [int] $Plot.GetAttribute('data-left')
    }

    It 'renders the whole chart on a white background' {
        $Pixels.width | Should -Be 496
        @($Pixels.corner) | Should -Be @(255, 255, 255)
        # Not blank: text, grid, axes and the series give many colours.
        $Pixels.colours | Should -BeGreaterThan 10
    }

    It 'shows the series colour where the data is' {
        foreach ($slot in 5, 50, 100, 140, 260, 300, 350, 395) {
            $Pixels.hits | Should -Contain ($Left + $slot) -Because "slot $slot holds a value"
        }
    }

    It 'shows nothing of the series colour in the gap' {
        foreach ($slot in 155..244) {
            $Pixels.hits | Should -Not -Contain ($Left + $slot) -Because "slot $slot is empty"
        }
    }
}

Describe 'Show-WhisperChart in a terminal (tmux)' -Tag 'Tmux' {
    BeforeAll {
        $ps = Get-ChildPwshCommand
        $script:Capture = {
            param([int] $Width)
            $session = 'wps' + [guid]::NewGuid().ToString('N').Substring(0, 8)
            $script = Join-Path $Dir "$session.ps1"
            "Import-Module '$(Get-WhisperModulePath)'; Show-WhisperChart -LiteralPath '$File' -From $($Now - 400 * 60) -Until $Now -Now $Now; 'CHART-END'; Start-Sleep 120" |
                Set-Content -LiteralPath $script
            $cmd = (@($ps.Exe) + @($ps.Args) + @('-NoProfile', '-NoLogo', '-File', $script) | ForEach-Object { "'$_'" }) -join ' '
            & tmux new-session -d -s $session -x $Width -y 30 $cmd
            try {
                $deadline = (Get-Date).AddSeconds(90)
                do {
                    Start-Sleep -Milliseconds 500
                    $plain = @(& tmux capture-pane -p -t $session)
                } until (($plain -join "`n") -match 'CHART-END' -or (Get-Date) -gt $deadline)
                $colored = @(& tmux capture-pane -p -e -t $session)
                [pscustomobject] @{ Plain = $plain; Colored = $colored }
            } finally {
                & tmux kill-session -t $session 2>$null
            }
        }
    }

    It 'fills a <Width>-column pane with braille, labels, a time axis and a coloured legend' -ForEach @(@{ Width = 70 }, @{ Width = 110 }) {
        $screen = & $Capture $Width
        $text = $screen.Plain -join "`n"
        $text | Should -Match 'CHART-END'
        foreach ($l in $screen.Plain) { $l.Length | Should -BeLessOrEqual $Width }
        # The console's width is used: the time axis rule reaches the last column.
        $rule = @($screen.Plain | Where-Object { $_ -match '└' })
        $rule.Count | Should -Be 1
        $rule[0].TrimEnd().Length | Should -Be $Width
        $text | Should -Match '[\u2801-\u28FF]'
        $text | Should -Match '(?m)^● render\s+min 10\.\d+\s+max 89\.\d+'
        $text | Should -Match 'UTC'
        # The host renders VT sequences, so the series and its legend mark are coloured.
        ($screen.Colored -join "`n") | Should -Match "`e\[(34|0?34;?)"
    }
}
