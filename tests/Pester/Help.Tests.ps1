# Help as users see it: Get-Help on the built module, and the drift check between docs/<Cmdlet>.md and the cmdlets.
BeforeDiscovery {
    $ModulePath = $env:WHISPERPS_MODULE
    if (-not $ModulePath) { $ModulePath = Join-Path $PSScriptRoot '../../out/WhisperPS/WhisperPS.psd1' }
    Import-Module $ModulePath -Force -ErrorAction Stop
    $script:Cmdlets = @(Get-Command -Module WhisperPS -CommandType Cmdlet | Sort-Object Name | ForEach-Object { @{ Name = $_.Name } })
    $script:Parameters = @(foreach ($c in Get-Command -Module WhisperPS -CommandType Cmdlet | Sort-Object Name) {
            foreach ($p in $c.Parameters.Keys | Sort-Object) {
                if ([System.Management.Automation.Cmdlet]::CommonParameters -notcontains $p) { @{ Name = $c.Name; Parameter = $p } }
            }
        })
}

BeforeAll {
    $ModulePath = $env:WHISPERPS_MODULE
    if (-not $ModulePath) { $ModulePath = Join-Path $PSScriptRoot '../../out/WhisperPS/WhisperPS.psd1' }
    Import-Module $ModulePath -Force -ErrorAction Stop
    $script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).ProviderPath
    $script:DocsDir = Join-Path $RepoRoot 'docs'
    $script:ModuleDir = Split-Path (Get-Module WhisperPS).Path
    . (Join-Path $RepoRoot 'tools/DocsMarkdown.ps1')
}

Describe 'The module ships its help' {
    It 'has en-US/WhisperPS.dll-Help.xml with one command per exported cmdlet' {
        $maml = Join-Path $ModuleDir 'en-US/WhisperPS.dll-Help.xml'
        Test-Path $maml | Should -BeTrue
        [xml] $x = Get-Content -Raw $maml
        $ns = New-Object System.Xml.XmlNamespaceManager $x.NameTable
        $ns.AddNamespace('command', 'http://schemas.microsoft.com/maml/dev/command/2004/10')
        $names = @($x.SelectNodes('//command:command/command:details/command:name', $ns) | ForEach-Object { $_.InnerText } | Sort-Object)
        $names | Should -Be @((Get-Command -Module WhisperPS -CommandType Cmdlet).Name | Sort-Object)
    }

    It 'labels the MAML with the generator that made it' {
        $text = Get-Content -Raw (Join-Path $ModuleDir 'en-US/WhisperPS.dll-Help.xml')
        $text | Should -Match 'the WhisperPS MAML generator, tools/DocsMarkdown\.ps1'
        $text | Should -Not -Match '\{\{'
    }

    It 'has about_WhisperPS, and Get-Help finds it' {
        Test-Path (Join-Path $ModuleDir 'en-US/about_WhisperPS.help.txt') | Should -BeTrue
        $about = Get-Help about_WhisperPS | Out-String
        foreach ($heading in 'THE FILE FORMAT IN ONE PAGE', 'RETENTION SYNTAX', 'TIME SYNTAX', 'AGGREGATION METHODS AND XFILESFACTOR', 'LOCKING AND RUNNING BESIDE CARBON', 'COMPATIBILITY') {
            $about | Should -Match ([regex]::Escape($heading))
        }
    }

    It 'answers Get-Help -Full, -Examples and -Parameter in a fresh process' {
        $exe = (Get-Process -Id $PID).Path
        $pre = @()
        if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { $pre = @(Join-Path $PSHOME 'pwsh.dll') }
        $script = "Import-Module '$((Get-Module WhisperPS).Path -replace '\.dll$', '.psd1')'; " +
            "Get-Help New-WhisperFile -Full | Out-String -Width 200; '#####'; Get-Help Get-WhisperSeries -Examples | Out-String -Width 200; '#####'; " +
            "Get-Help Add-WhisperPoint -Parameter Value | Out-String -Width 200; '#####'; Get-Help about_WhisperPS | Select-Object -First 3 | Out-String"
        $out = (& $exe @pre -NoProfile -NonInteractive -Command $script) -join "`n"
        $LASTEXITCODE | Should -Be 0
        $parts = $out -split '#####'
        $parts.Count | Should -Be 4
        $parts[0] | Should -Match 'Creates Graphite whisper'
        $parts[0] | Should -Match '\[-Retention\] <System\.String\[\]>'
        $parts[0] | Should -Match 'Example 1:'
        $parts[1] | Should -Match 'Get-WhisperSeries \./whisper/servers/web01/cpu/user\.wsp -From -10min'
        $parts[2] | Should -Match 'nan'
        $parts[2] | Should -Match 'ByPropertyName'
        $parts[3] | Should -Match 'about_WhisperPS'
    }
}

Describe 'Get-Help <Name>' -ForEach $Cmdlets {
    BeforeAll {
        $script:Help = Get-Help $Name -Full
    }

    It 'has a synopsis of its own' {
        $Help.Synopsis | Should -Not -BeNullOrEmpty
        $Help.Synopsis | Should -Not -Match '\{\{'
        # Without MAML, Get-Help falls back to the syntax line as the synopsis.
        $Help.Synopsis | Should -Not -Match ([regex]::Escape($Name) + ' \[')
    }

    It 'has a description' {
        ($Help.description | Out-String).Trim().Length | Should -BeGreaterThan 100
    }

    It 'has at least two examples, each with code and remarks' {
        $ex = @($Help.examples.example)
        $ex.Count | Should -BeGreaterOrEqual 2
        foreach ($e in $ex) {
            $e.code | Should -Not -BeNullOrEmpty
            ($e.remarks | Out-String).Trim() | Should -Not -BeNullOrEmpty
        }
    }

    It 'shows no markdown syntax or control characters' {
        $text = $Help | Out-String -Width 300
        $text | Should -Not -Match '\*\*\w[^*\n]*\w\*\*'
        $text | Should -Not -Match '```'
        $text | Should -Not -Match '[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]'
    }

    It 'shows every documented default value' {
        $doc = Read-WhisperCommandMarkdown -Path (Join-Path $DocsDir "$Name.md")
        foreach ($p in $doc.Parameters) {
            $default = [string] $p.Yaml['DefaultValue']
            if (-not $default -or $default -eq 'None') { continue }
            ([string] (Get-Help $Name -Parameter $p.Name).defaultValue) | Should -Be $default -Because "-$($p.Name) defaults to $default"
        }
    }

    It 'has its online page as HelpUri, resolved without errors' {
        $Error.Clear()
        (Get-Command $Name).HelpUri | Should -Be (Get-WhisperHelpUri -ProjectUrl (Get-WhisperProjectUrl -RepoRoot $RepoRoot) -Name $Name)
        $Error.Count | Should -Be 0
        # Related links are cmdlet names or absolute addresses, never file names relative to docs/.
        foreach ($l in @($Help.relatedLinks.navigationLink)) {
            if ($l.uri) { $l.uri | Should -Match '^https?://' }
        }
    }

    It 'names its input and output types' {
        ($Help.inputTypes | Out-String) | Should -Match '\S'
        # Every type the cmdlet declares with [OutputType] is documented.
        $documented = ($Help.returnValues | Out-String)
        foreach ($t in (Get-Command $Name).OutputType) {
            if ($t.Name -eq 'System.Void') { $documented | Should -Match '(?m)^\s*None\b' }
            else { $documented | Should -Match ([regex]::Escape($t.Name)) }
        }
    }

    It 'has a docs page whose parameters are exactly the cmdlet''s' {
        $path = Join-Path $DocsDir "$Name.md"
        Test-Path $path | Should -BeTrue
        $doc = Read-WhisperCommandMarkdown -Path $path
        $expected = @((Get-WhisperParameterMetadata -Command (Get-Command $Name)) | ForEach-Object { $_.Name } | Sort-Object)
        @($doc.Parameters | ForEach-Object { $_.Name } | Sort-Object) | Should -Be $expected
        Test-WhisperCommandMarkdown -Doc $doc -Command (Get-Command $Name) | Should -BeNullOrEmpty
    }
}

Describe 'Get-Help <Name> -Parameter <Parameter>' -ForEach $Parameters {
    It 'has a description, and the metadata of the cmdlet' {
        $h = Get-Help $Name -Parameter $Parameter
        $h | Should -Not -BeNullOrEmpty
        ($h.description | Out-String).Trim().Length | Should -BeGreaterThan 20
        $meta = (Get-Command $Name).Parameters[$Parameter]
        $wild = @($meta.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }).Count -gt 0
        $h.globbing | Should -Be ([string] $wild).ToLowerInvariant()
        if ($meta.SwitchParameter) { $h.type.name | Should -Be 'System.Management.Automation.SwitchParameter' }
        else { $h.type.name | Should -Be (Get-WhisperDocsTypeName $meta.ParameterType) }
    }
}

Describe 'platyPS' {
    BeforeDiscovery {
        # build.ps1 saves platyPS here from -PSRepository; CI passes a repository that has it.
        $script:PlatyPS = @(Get-ChildItem -Path (Join-Path $PSScriptRoot '../../.tools/psmodules/Microsoft.PowerShell.PlatyPS/*/Microsoft.PowerShell.PlatyPS.psd1') -ErrorAction SilentlyContinue)
        $script:Pages = @(Get-ChildItem -Path (Join-Path $PSScriptRoot '../../docs') -Filter '*-*.md' | ForEach-Object { @{ Page = $_.Name; Path = $_.FullName } })
    }
    BeforeAll {
        if ($PlatyPS.Count -gt 0) { Import-Module $PlatyPS[0].FullName -ErrorAction Stop }
    }

    It 'accepts <Page> (Import-MarkdownCommandHelp, Test-MarkdownCommandHelp)' -ForEach $Pages -Skip:($PlatyPS.Count -eq 0) {
        $help = Import-MarkdownCommandHelp -Path $Path -ErrorAction Stop
        @($help.Diagnostics.Messages | Where-Object { [string] $_.Severity -in 'Error', 'Warning' }) | Should -BeNullOrEmpty
        Test-MarkdownCommandHelp -Path $Path | Should -BeTrue
    }
}

Describe 'The drift check' {
    BeforeAll {
        $script:Cmd = Get-Command -Module WhisperPS -CommandType Cmdlet | Sort-Object Name | Select-Object -First 1
        $script:Source = Get-Content -Raw (Join-Path $DocsDir "$($Cmd.Name).md")
        $script:Scratch = Join-Path ([IO.Path]::GetTempPath()) ('whisperps-help-' + [guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory -Path $Scratch
        function Save-Variant([string] $Text) {
            $p = Join-Path $Scratch "$($Cmd.Name).md"
            [IO.File]::WriteAllText($p, $Text)
            return $p
        }
    }
    AfterAll { Remove-Item -Recurse -Force $Scratch }

    It 'passes on the committed page' {
        Test-WhisperCommandMarkdown -Doc (Read-WhisperCommandMarkdown (Save-Variant $Source)) -Command $Cmd | Should -BeNullOrEmpty
    }

    It 'fails when a cmdlet parameter has no documentation' {
        $param = @($Cmd.Parameters.Keys | Where-Object { $_ -eq 'LiteralPath' })[0]
        $text = [regex]::Replace($Source, '(?ms)^### -LiteralPath\n.*?```yaml\n.*?```\n\n', '')
        $text | Should -Not -Be $Source
        $problems = Test-WhisperCommandMarkdown -Doc (Read-WhisperCommandMarkdown (Save-Variant $text)) -Command $Cmd
        ($problems -join "`n") | Should -Match "the cmdlet has -$param but the markdown does not document it"
    }

    It 'fails when the markdown documents a parameter the cmdlet lacks' {
        $extra = "### -Frobnicate`n`nNot a real parameter.`n`n" + '```yaml' + "`nType: System.String`nDefaultValue: None`nSupportsWildcards: false`nParameterValue: []`nAliases: []`nParameterSets:`n- Name: (All)`n  Position: Named`n  IsRequired: false`n  ValueFromPipeline: false`n  ValueFromPipelineByPropertyName: false`n  ValueFromRemainingArguments: false`nDontShow: false`nAcceptedValues: []`nHelpMessage: ''`n" + '```' + "`n`n### CommonParameters"
        $text = $Source.Replace('### CommonParameters', $extra)
        $problems = Test-WhisperCommandMarkdown -Doc (Read-WhisperCommandMarkdown (Save-Variant $text)) -Command $Cmd
        ($problems -join "`n") | Should -Match 'documents -Frobnicate but the cmdlet has no such parameter'
    }

    It 'fails when the yaml metadata disagrees with the cmdlet' {
        $text = [regex]::Replace($Source, '(?ms)(^### -LiteralPath\n.*?Aliases:\n)- PSPath\n', '$1')
        $text | Should -Not -Be $Source
        $problems = Test-WhisperCommandMarkdown -Doc (Read-WhisperCommandMarkdown (Save-Variant $text)) -Command $Cmd
        ($problems -join "`n") | Should -Match '-LiteralPath Aliases'
    }

    It 'puts HelpUri where platyPS has it, and only once' {
        $doc = Read-WhisperCommandMarkdown (Save-Variant ($Source -replace '(?m)^HelpUri: .*\n', ''))
        $doc.FrontMatter.Contains('HelpUri') | Should -BeFalse
        Set-WhisperDocsHelpUri -Doc $doc -HelpUri 'https://example.org/x.md'
        @($doc.FrontMatter.Keys)[2] | Should -Be 'HelpUri'
        Set-WhisperDocsHelpUri -Doc $doc -HelpUri 'https://example.org/y.md'
        $doc.FrontMatter['HelpUri'] | Should -Be 'https://example.org/y.md'
        @($doc.FrontMatter.Keys | Where-Object { $_ -eq 'HelpUri' }).Count | Should -Be 1
    }

    It 'rejects markdown outside the platyPS v2 structure' {
        { Read-WhisperCommandMarkdown (Save-Variant ($Source -replace '## NOTES', '## REMARKS')) } | Should -Throw '*expected section*NOTES*'
        { Read-WhisperCommandMarkdown (Save-Variant ($Source -replace '### Example 1:', '### First example:')) } | Should -Throw "*Example N: Title*"
        { Read-WhisperCommandMarkdown (Save-Variant ($Source -replace 'SupportsWildcards: false', 'SupportsWildcard: false')) } | Should -Throw "*unknown yaml key*"
    }
}
