<#
.SYNOPSIS
    The WhisperPS help toolkit: a strict reader and writer for platyPS v2 command markdown (docs/<Cmdlet>.md), the
    drift check against Get-Command metadata, and the fallback MAML generator.

.DESCRIPTION
    Dot-source this file. tools/Docs.ps1 uses it to build en-US/WhisperPS.dll-Help.xml when platyPS is not installed,
    and the Pester help and example tests use the same reader so that what is tested is what is shipped.

    The reader understands exactly the section structure that platyPS v2 (schema 2024-05-01) writes, and throws on
    anything else: front matter, '# <Name>', then the sections SYNOPSIS, SYNTAX, ALIASES, DESCRIPTION, EXAMPLES,
    PARAMETERS, INPUTS, OUTPUTS, NOTES, RELATED LINKS, in that order. Prose is kept as raw blocks (paragraphs and fenced
    code), so a file can be written back unchanged apart from the parts that come from metadata.

    Written for Windows PowerShell 5.1 and PowerShell 7: no ternaries, no null-coalescing, no pipeline chains.
#>


$script:WhisperDocsSections = @('SYNOPSIS', 'SYNTAX', 'ALIASES', 'DESCRIPTION', 'EXAMPLES', 'PARAMETERS', 'INPUTS', 'OUTPUTS', 'NOTES', 'RELATED LINKS')
$script:WhisperDocsFrontMatterKeys = @('document type', 'external help file', 'HelpUri', 'Locale', 'Module Name', 'ms.date', 'PlatyPS schema version', 'title')
$script:WhisperDocsYamlKeys = @('Type', 'DefaultValue', 'SupportsWildcards', 'ParameterValue', 'Aliases', 'ParameterSets', 'DontShow', 'AcceptedValues', 'HelpMessage')
$script:WhisperDocsSetKeys = @('Name', 'Position', 'IsRequired', 'ValueFromPipeline', 'ValueFromPipelineByPropertyName', 'ValueFromRemainingArguments')
$script:WhisperDocsPlaceholder = '{{ Fill'

function New-WhisperDocsError {
    param([string] $File, [int] $Line, [string] $Message)
    $where = $File
    if ($Line -gt 0) { $where = '{0}:{1}' -f $File, $Line }
    return New-Object System.IO.InvalidDataException ('{0}: {1}' -f $where, $Message)
}

function Split-WhisperDocsBlocks {
    # Splits a section body into blocks: H3 headings, fenced code blocks and paragraphs (runs of non-blank lines).
    param([string] $File, [object[]] $Lines, [int] $FirstLine)
    $blocks = New-Object System.Collections.Generic.List[object]
    $i = 0
    while ($i -lt $Lines.Count) {
        $line = [string] $Lines[$i]
        $lineNo = $FirstLine + $i
        if ($line.Trim() -eq '') { $i++; continue }
        if ($line -match '^####') { throw (New-WhisperDocsError $File $lineNo "headings below level 3 are not part of the platyPS schema: '$line'") }
        if ($line -match '^### (.+)$') {
            $blocks.Add([pscustomobject] @{ Kind = 'Heading'; Text = $Matches[1].Trim(); Line = $lineNo; Lang = $null; Lines = @($line) })
            $i++
            continue
        }
        if ($line -match '^```(.*)$') {
            $lang = $Matches[1].Trim()
            $body = New-Object System.Collections.Generic.List[string]
            $j = $i + 1
            while ($j -lt $Lines.Count -and ([string] $Lines[$j]) -notmatch '^```\s*$') { $body.Add([string] $Lines[$j]); $j++ }
            if ($j -ge $Lines.Count) { throw (New-WhisperDocsError $File $lineNo 'code fence is never closed') }
            $blocks.Add([pscustomobject] @{ Kind = 'Code'; Text = $null; Line = $lineNo; Lang = $lang; Lines = @($body) })
            $i = $j + 1
            continue
        }
        if ($line -match '^#') { throw (New-WhisperDocsError $File $lineNo "unexpected heading '$line'") }
        $para = New-Object System.Collections.Generic.List[string]
        while ($i -lt $Lines.Count) {
            $l = [string] $Lines[$i]
            if ($l.Trim() -eq '' -or $l -match '^```' -or $l -match '^#') { break }
            $para.Add($l)
            $i++
        }
        $blocks.Add([pscustomobject] @{ Kind = 'Para'; Text = $null; Line = $lineNo; Lang = $null; Lines = @($para) })
    }
    return , $blocks.ToArray()
}

function ConvertFrom-WhisperDocsYaml {
    # Parses exactly the parameter metadata block platyPS v2 writes (scalars, [], lists of scalars, a list of maps).
    param([string] $File, [int] $Line, [string[]] $Lines)
    $result = [ordered] @{}
    $i = 0
    while ($i -lt $Lines.Count) {
        $l = $Lines[$i]
        if ($l.Trim() -eq '') { $i++; continue }
        if ($l -notmatch '^([A-Za-z]+):\s*(.*)$') { throw (New-WhisperDocsError $File ($Line + $i + 1) "cannot read yaml line '$l'") }
        $key = $Matches[1]
        $value = $Matches[2].Trim()
        if ($script:WhisperDocsYamlKeys -notcontains $key) { throw (New-WhisperDocsError $File ($Line + $i + 1) "unknown yaml key '$key'") }
        if ($result.Contains($key)) { throw (New-WhisperDocsError $File ($Line + $i + 1) "duplicate yaml key '$key'") }
        $i++
        if ($value -eq '[]') { $result[$key] = @(); continue }
        if ($value -ne '') {
            if ($value -match "^'(.*)'$") { $value = $Matches[1] -replace "''", "'" }
            $result[$key] = $value
            continue
        }
        # A list: '- scalar' lines, or '- Key: value' maps continued by '  Key: value' lines.
        $items = New-Object System.Collections.Generic.List[object]
        while ($i -lt $Lines.Count -and $Lines[$i] -match '^- (.*)$') {
            $first = $Matches[1]
            if ($first -match '^([A-Za-z]+):\s*(.*)$') {
                $map = [ordered] @{}
                $map[$Matches[1]] = $Matches[2].Trim()
                $i++
                while ($i -lt $Lines.Count -and $Lines[$i] -match '^  ([A-Za-z]+):\s*(.*)$') {
                    $map[$Matches[1]] = $Matches[2].Trim()
                    $i++
                }
                foreach ($k in $map.Keys) {
                    if ($script:WhisperDocsSetKeys -notcontains $k) { throw (New-WhisperDocsError $File ($Line + $i) "unknown parameter set key '$k'") }
                }
                foreach ($k in $script:WhisperDocsSetKeys) {
                    if (-not $map.Contains($k)) { throw (New-WhisperDocsError $File ($Line + $i) "parameter set entry lacks '$k'") }
                }
                $items.Add([pscustomobject] $map)
            } else {
                $items.Add($first.Trim())
                $i++
            }
        }
        if ($items.Count -eq 0) { throw (New-WhisperDocsError $File ($Line + $i) "yaml key '$key' has no value") }
        $result[$key] = $items.ToArray()
    }
    foreach ($k in $script:WhisperDocsYamlKeys) {
        if (-not $result.Contains($k)) { throw (New-WhisperDocsError $File $Line "yaml block lacks '$k'") }
    }
    return $result
}

function Read-WhisperCommandMarkdown {
    <#
    .SYNOPSIS
        Reads one docs/<Cmdlet>.md file in the platyPS v2 schema. Throws InvalidDataException on anything unexpected.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [string] $Path)

    $file = $Path
    $text = [IO.File]::ReadAllText($Path)
    $lines = $text -replace "`r`n", "`n" -split "`n"
    if ($lines.Count -lt 3 -or $lines[0] -ne '---') { throw (New-WhisperDocsError $file 1 "front matter must start with '---'") }
    $front = [ordered] @{}
    $i = 1
    while ($i -lt $lines.Count -and $lines[$i] -ne '---') {
        if ($lines[$i] -notmatch '^([^:]+):\s*(.*)$') { throw (New-WhisperDocsError $file ($i + 1) "cannot read front matter line '$($lines[$i])'") }
        $k = $Matches[1].Trim()
        if ($script:WhisperDocsFrontMatterKeys -notcontains $k) { throw (New-WhisperDocsError $file ($i + 1) "unknown front matter key '$k'") }
        $front[$k] = $Matches[2].Trim()
        $i++
    }
    if ($i -ge $lines.Count) { throw (New-WhisperDocsError $file 1 'front matter is never closed') }
    foreach ($k in 'document type', 'external help file', 'Locale', 'Module Name', 'PlatyPS schema version', 'title') {
        if (-not $front.Contains($k) -or -not $front[$k]) { throw (New-WhisperDocsError $file 1 "front matter lacks '$k'") }
    }
    if ($front['document type'] -ne 'cmdlet') { throw (New-WhisperDocsError $file 1 "document type must be 'cmdlet'") }
    if ($front['external help file'] -ne 'WhisperPS.dll-Help.xml') { throw (New-WhisperDocsError $file 1 "external help file must be 'WhisperPS.dll-Help.xml'") }
    if ($front['Module Name'] -ne 'WhisperPS') { throw (New-WhisperDocsError $file 1 "Module Name must be 'WhisperPS'") }
    if ($front['Locale'] -ne 'en-US') { throw (New-WhisperDocsError $file 1 "Locale must be 'en-US'") }
    if ($front['PlatyPS schema version'] -ne '2024-05-01') { throw (New-WhisperDocsError $file 1 "PlatyPS schema version must be '2024-05-01'") }
    $name = $front['title']
    if ([IO.Path]::GetFileNameWithoutExtension($Path) -ne $name) { throw (New-WhisperDocsError $file 1 "title '$name' does not match the file name") }

    # Body: '# Name', then '## SECTION' headings in the fixed order.
    $i++
    while ($i -lt $lines.Count -and $lines[$i].Trim() -eq '') { $i++ }
    if ($i -ge $lines.Count -or $lines[$i] -ne "# $name") { throw (New-WhisperDocsError $file ($i + 1) "expected '# $name'") }
    $i++
    $sections = [ordered] @{}
    $current = $null
    $start = 0
    $bodyLines = New-Object System.Collections.Generic.List[string]
    $inFence = $false
    for (; $i -le $lines.Count; $i++) {
        $atEnd = $i -eq $lines.Count
        $l = $null
        if (-not $atEnd) { $l = $lines[$i] }
        if (-not $atEnd -and $l -match '^```') { $inFence = -not $inFence }
        if ($inFence -or ($l -match '^```')) { $bodyLines.Add($l); continue }
        if ($atEnd -or $l -match '^## ') {
            if ($null -ne $current) {
                $sections[$current] = Split-WhisperDocsBlocks -File $file -Lines $bodyLines.ToArray() -FirstLine $start
            } elseif ($bodyLines.Count -gt 0 -and (($bodyLines.ToArray() -join '').Trim() -ne '')) {
                throw (New-WhisperDocsError $file ($i + 1) 'text before the first section')
            }
            if ($atEnd) { break }
            $current = $l.Substring(3).Trim()
            $expected = $script:WhisperDocsSections[$sections.Count]
            if ($sections.Count -ge $script:WhisperDocsSections.Count -or $current -ne $expected) {
                throw (New-WhisperDocsError $file ($i + 1) "expected section '## $expected', found '$l'")
            }
            $bodyLines.Clear()
            $start = $i + 2
            continue
        }
        if ($l -match '^# ') { throw (New-WhisperDocsError $file ($i + 1) "a second level-1 heading '$l'") }
        $bodyLines.Add($l)
    }
    if ($sections.Count -ne $script:WhisperDocsSections.Count) {
        throw (New-WhisperDocsError $file 0 "missing section '## $($script:WhisperDocsSections[$sections.Count])'")
    }

    # SYNOPSIS: one paragraph.
    $b = @($sections['SYNOPSIS'])
    if ($b.Count -ne 1 -or $b[0].Kind -ne 'Para') { throw (New-WhisperDocsError $file 0 'SYNOPSIS must be exactly one paragraph') }
    $synopsis = ($b[0].Lines -join ' ').Trim()

    # SYNTAX: '### Set' or '### Set (Default)' then one unlabelled code block.
    $syntax = New-Object System.Collections.Generic.List[object]
    $b = @($sections['SYNTAX'])
    if ($b.Count -eq 0) { throw (New-WhisperDocsError $file 0 'SYNTAX is empty') }
    for ($k = 0; $k -lt $b.Count; $k += 2) {
        if ($b[$k].Kind -ne 'Heading') { throw (New-WhisperDocsError $file $b[$k].Line 'SYNTAX must alternate ### <ParameterSet> headings and code blocks') }
        if ($k + 1 -ge $b.Count -or $b[$k + 1].Kind -ne 'Code' -or $b[$k + 1].Lang -ne '') { throw (New-WhisperDocsError $file $b[$k].Line "parameter set '$($b[$k].Text)' needs one unlabelled code block") }
        $setName = $b[$k].Text
        $isDefault = $false
        if ($setName -match '^(.+) \(Default\)$') { $setName = $Matches[1]; $isDefault = $true }
        $syntax.Add([pscustomobject] @{ Name = $setName; IsDefault = $isDefault; Text = ($b[$k + 1].Lines -join "`n") })
    }

    # ALIASES: free text (WhisperPS defines no command aliases), kept for round trips.
    foreach ($x in @($sections['ALIASES'])) {
        if ($x.Kind -ne 'Para') { throw (New-WhisperDocsError $file $x.Line 'ALIASES may hold only paragraphs') }
    }

    # DESCRIPTION: paragraphs and code, no headings.
    $description = @($sections['DESCRIPTION'])
    if ($description.Count -eq 0) { throw (New-WhisperDocsError $file 0 'DESCRIPTION is empty') }
    foreach ($x in $description) {
        if ($x.Kind -eq 'Heading') { throw (New-WhisperDocsError $file $x.Line 'DESCRIPTION may not contain headings') }
    }

    # EXAMPLES: '### Example N: Title', then paragraphs, 'powershell' code and 'Output' code.
    $examples = New-Object System.Collections.Generic.List[object]
    $ex = $null
    foreach ($x in @($sections['EXAMPLES'])) {
        if ($x.Kind -eq 'Heading') {
            if ($x.Text -notmatch '^Example (\d+): (.+)$') { throw (New-WhisperDocsError $file $x.Line "example heading must be 'Example N: Title', found '$($x.Text)'") }
            if ([int] $Matches[1] -ne $examples.Count + 1) { throw (New-WhisperDocsError $file $x.Line "examples must be numbered 1, 2, 3, ...") }
            $ex = [pscustomobject] @{ Number = [int] $Matches[1]; Title = $Matches[2].Trim(); Heading = $x.Text; Line = $x.Line; Blocks = (New-Object System.Collections.Generic.List[object]) }
            $examples.Add($ex)
            continue
        }
        if ($null -eq $ex) { throw (New-WhisperDocsError $file $x.Line 'text in EXAMPLES before the first example') }
        if ($x.Kind -eq 'Code' -and $x.Lang -ne 'powershell' -and $x.Lang -ne 'Output') {
            throw (New-WhisperDocsError $file $x.Line "example code blocks must be labelled 'powershell' or 'Output', found '$($x.Lang)'")
        }
        $ex.Blocks.Add($x)
    }
    if ($examples.Count -eq 0) { throw (New-WhisperDocsError $file 0 'EXAMPLES has no example') }
    foreach ($e in $examples) {
        if (@($e.Blocks | Where-Object { $_.Kind -eq 'Code' -and $_.Lang -eq 'powershell' }).Count -eq 0) {
            throw (New-WhisperDocsError $file $e.Line "example '$($e.Heading)' has no powershell code block")
        }
    }

    # PARAMETERS: '### -Name', description blocks, then one yaml block; optional '### CommonParameters'.
    $parameters = New-Object System.Collections.Generic.List[object]
    $p = $null
    $commonParameters = $null
    $inCommon = $false
    foreach ($x in @($sections['PARAMETERS'])) {
        if ($x.Kind -eq 'Heading') {
            if ($null -ne $p -and $null -eq $p.Yaml) { throw (New-WhisperDocsError $file $p.Line "parameter -$($p.Name) has no yaml block") }
            if ($x.Text -eq 'CommonParameters') { $inCommon = $true; $commonParameters = New-Object System.Collections.Generic.List[object]; $p = $null; continue }
            if ($inCommon) { throw (New-WhisperDocsError $file $x.Line 'CommonParameters must be the last parameter heading') }
            if ($x.Text -notmatch '^-([A-Za-z][A-Za-z0-9]*)$') { throw (New-WhisperDocsError $file $x.Line "parameter heading must be '### -Name', found '$($x.Text)'") }
            $pname = $Matches[1]
            if (@($parameters | Where-Object { $_.Name -eq $pname }).Count -gt 0) { throw (New-WhisperDocsError $file $x.Line "parameter -$pname is documented twice") }
            $p = [pscustomobject] @{ Name = $pname; Line = $x.Line; Blocks = (New-Object System.Collections.Generic.List[object]); Yaml = $null }
            $parameters.Add($p)
            continue
        }
        if ($inCommon) {
            if ($x.Kind -ne 'Para') { throw (New-WhisperDocsError $file $x.Line 'CommonParameters may hold only paragraphs') }
            $commonParameters.Add($x)
            continue
        }
        if ($null -eq $p) { throw (New-WhisperDocsError $file $x.Line 'text in PARAMETERS before the first parameter') }
        if ($null -ne $p.Yaml) { throw (New-WhisperDocsError $file $x.Line "parameter -$($p.Name): nothing may follow its yaml block") }
        if ($x.Kind -eq 'Code' -and $x.Lang -eq 'yaml') {
            $p.Yaml = ConvertFrom-WhisperDocsYaml -File $file -Line $x.Line -Lines $x.Lines
            continue
        }
        $p.Blocks.Add($x)
    }
    if ($null -ne $p -and $null -eq $p.Yaml) { throw (New-WhisperDocsError $file $p.Line "parameter -$($p.Name) has no yaml block") }

    # INPUTS / OUTPUTS: '### TypeName' then paragraphs.
    $io = @{}
    foreach ($section in 'INPUTS', 'OUTPUTS') {
        $list = New-Object System.Collections.Generic.List[object]
        $t = $null
        foreach ($x in @($sections[$section])) {
            if ($x.Kind -eq 'Heading') {
                $t = [pscustomobject] @{ Type = $x.Text; Blocks = (New-Object System.Collections.Generic.List[object]) }
                $list.Add($t)
                continue
            }
            if ($null -eq $t) { throw (New-WhisperDocsError $file $x.Line "$section must start with a ### <TypeName> heading") }
            $t.Blocks.Add($x)
        }
        $io[$section] = $list.ToArray()
    }

    # NOTES: paragraphs and code. RELATED LINKS: '- [Text](Uri)' lines.
    $notes = @($sections['NOTES'])
    foreach ($x in $notes) {
        if ($x.Kind -eq 'Heading') { throw (New-WhisperDocsError $file $x.Line 'NOTES may not contain headings') }
    }
    $links = New-Object System.Collections.Generic.List[object]
    foreach ($x in @($sections['RELATED LINKS'])) {
        if ($x.Kind -ne 'Para') { throw (New-WhisperDocsError $file $x.Line 'RELATED LINKS may hold only link lists') }
        foreach ($l in $x.Lines) {
            if ($l -notmatch '^- \[([^\]]+)\]\(([^)]*)\)\s*$') { throw (New-WhisperDocsError $file $x.Line "related link must be '- [Text](Uri)', found '$l'") }
            $links.Add([pscustomobject] @{ Text = $Matches[1]; Uri = $Matches[2] })
        }
    }

    return [pscustomobject] @{
        Path             = $Path
        Name             = $name
        FrontMatter      = $front
        Synopsis         = $synopsis
        Syntax           = $syntax.ToArray()
        Aliases          = @($sections['ALIASES'])
        Description      = $description
        Examples         = $examples.ToArray()
        Parameters       = $parameters.ToArray()
        CommonParameters = $commonParameters
        Inputs           = $io['INPUTS']
        Outputs          = $io['OUTPUTS']
        Notes            = $notes
        Links            = $links.ToArray()
    }
}

function Get-WhisperDocsExampleCode {
    # The runnable code of one example: its 'powershell' blocks, joined.
    param([Parameter(Mandatory)] $Example)
    $code = @($Example.Blocks | Where-Object { $_.Kind -eq 'Code' -and $_.Lang -eq 'powershell' } | ForEach-Object { $_.Lines -join "`n" })
    return ($code -join "`n`n")
}

# ---------------------------------------------------------------------------------------------------------------
# Metadata from Get-Command, and the drift check
# ---------------------------------------------------------------------------------------------------------------

function Get-WhisperDocsTypeName {
    param([Type] $Type)
    if ($Type.IsArray) { return (Get-WhisperDocsTypeName $Type.GetElementType()) + '[]' }
    if ($Type.IsGenericType) {
        $base = $Type.GetGenericTypeDefinition().FullName -replace '`\d+$', ''
        $args2 = @($Type.GetGenericArguments() | ForEach-Object { Get-WhisperDocsTypeName $_ })
        return '{0}[{1}]' -f $base, ($args2 -join ', ')
    }
    return $Type.FullName
}

function Get-WhisperDocsCommonParameterNames {
    $names = New-Object System.Collections.Generic.List[string]
    foreach ($n in [System.Management.Automation.Cmdlet]::CommonParameters) { $names.Add($n) }
    $names.Add('UseTransaction')
    return , $names.ToArray()
}

function Get-WhisperParameterMetadata {
    <#
    .SYNOPSIS
        The documented parameters of a command (all but the common parameters; -WhatIf and -Confirm included), in the
        shape of the platyPS v2 yaml block.
    #>
    param([Parameter(Mandatory)] [System.Management.Automation.CommandInfo] $Command)
    $common = Get-WhisperDocsCommonParameterNames
    $setOrder = @($Command.ParameterSets | ForEach-Object { $_.Name })
    $result = New-Object System.Collections.Generic.List[object]
    foreach ($pm in $Command.Parameters.Values) {
        if ($common -contains $pm.Name) { continue }
        $attrs = @($pm.Attributes)
        $wild = @($attrs | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }).Count -gt 0
        $dontShow = @($attrs | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] -and $_.DontShow }).Count -gt 0
        $accepted = @()
        $validateSet = @($attrs | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] })
        $elementType = $pm.ParameterType
        if ($elementType.IsArray) { $elementType = $elementType.GetElementType() }
        # Nullable[enum]: a parameter that may be left unset per piped record still takes the enum's names.
        if ([Nullable]::GetUnderlyingType($elementType)) { $elementType = [Nullable]::GetUnderlyingType($elementType) }
        if ($validateSet.Count -gt 0) { $accepted = @($validateSet[0].ValidValues) }
        elseif ($elementType.IsEnum) { $accepted = @([Enum]::GetNames($elementType)) }
        $sets = New-Object System.Collections.Generic.List[object]
        $keys = @($pm.ParameterSets.Keys | Sort-Object { $i = [Array]::IndexOf($setOrder, $_); if ($i -lt 0) { 1000 } else { $i } }, { $_ })
        foreach ($key in $keys) {
            $s = $pm.ParameterSets[$key]
            $setName = $key
            if ($key -eq '__AllParameterSets') { $setName = '(All)' }
            $position = 'Named'
            if ($s.Position -ne [int]::MinValue) { $position = [string] $s.Position }
            $sets.Add([pscustomobject] [ordered] @{
                    Name                            = $setName
                    Position                        = $position
                    IsRequired                      = ([string] $s.IsMandatory).ToLowerInvariant()
                    ValueFromPipeline               = ([string] $s.ValueFromPipeline).ToLowerInvariant()
                    ValueFromPipelineByPropertyName = ([string] $s.ValueFromPipelineByPropertyName).ToLowerInvariant()
                    ValueFromRemainingArguments     = ([string] $s.ValueFromRemainingArguments).ToLowerInvariant()
                })
        }
        $result.Add([pscustomobject] @{
                Name              = $pm.Name
                Type              = Get-WhisperDocsTypeName $pm.ParameterType
                IsSwitch          = $pm.SwitchParameter
                SupportsWildcards = ([string] $wild).ToLowerInvariant()
                Aliases           = @($pm.Aliases)
                ParameterSets     = $sets.ToArray()
                DontShow          = ([string] $dontShow).ToLowerInvariant()
                AcceptedValues    = $accepted
            })
    }
    return , ($result.ToArray() | Sort-Object Name)
}

function Compare-WhisperDocsList {
    param($A, $B)
    $a1 = @($A | ForEach-Object { [string] $_ })
    $b1 = @($B | ForEach-Object { [string] $_ })
    return (($a1 -join "`n") -ceq ($b1 -join "`n"))
}

function Test-WhisperCommandMarkdown {
    <#
    .SYNOPSIS
        The drift check: returns one message per difference between docs/<Cmdlet>.md and the command's metadata
        (missing or extra parameters, yaml metadata that disagrees, parameter sets, placeholders, empty prose).
        An empty result means the markdown matches.
    #>
    param([Parameter(Mandatory)] $Doc, [Parameter(Mandatory)] [System.Management.Automation.CommandInfo] $Command)
    $problems = New-Object System.Collections.Generic.List[string]
    $f = $Doc.Path
    $meta = Get-WhisperParameterMetadata -Command $Command
    $docNames = @($Doc.Parameters | ForEach-Object { $_.Name })
    $metaNames = @($meta | ForEach-Object { $_.Name })
    foreach ($n in $metaNames) {
        if ($docNames -notcontains $n) { $problems.Add("${f}: the cmdlet has -$n but the markdown does not document it") }
    }
    foreach ($n in $docNames) {
        if ($metaNames -notcontains $n) { $problems.Add("${f}: the markdown documents -$n but the cmdlet has no such parameter") }
        elseif ($metaNames -cnotcontains $n) { $problems.Add("${f}: -$n is spelled differently from the cmdlet's parameter") }
    }
    foreach ($p in $Doc.Parameters) {
        $m = @($meta | Where-Object { $_.Name -eq $p.Name })
        if ($m.Count -eq 0) { continue }
        $m = $m[0]
        $y = $p.Yaml
        $desc = (@($p.Blocks | ForEach-Object { $_.Lines }) -join ' ').Trim()
        if (-not $desc) { $problems.Add("${f}: -$($p.Name) has no description") }
        if ($y['Type'] -ne $m.Type) { $problems.Add("${f}: -$($p.Name) Type is '$($y['Type'])' in the markdown but '$($m.Type)' in the cmdlet") }
        if ($y['SupportsWildcards'] -ne $m.SupportsWildcards) { $problems.Add("${f}: -$($p.Name) SupportsWildcards is '$($y['SupportsWildcards'])' in the markdown but '$($m.SupportsWildcards)' in the cmdlet") }
        if ($y['DontShow'] -ne $m.DontShow) { $problems.Add("${f}: -$($p.Name) DontShow is '$($y['DontShow'])' in the markdown but '$($m.DontShow)' in the cmdlet") }
        if (-not (Compare-WhisperDocsList @($y['Aliases']) $m.Aliases)) { $problems.Add("${f}: -$($p.Name) Aliases are [$(@($y['Aliases']) -join ', ')] in the markdown but [$($m.Aliases -join ', ')] in the cmdlet") }
        if (-not (Compare-WhisperDocsList @($y['AcceptedValues']) $m.AcceptedValues)) { $problems.Add("${f}: -$($p.Name) AcceptedValues are [$(@($y['AcceptedValues']) -join ', ')] in the markdown but [$($m.AcceptedValues -join ', ')] in the cmdlet") }
        if (-not $y['DefaultValue']) { $problems.Add("${f}: -$($p.Name) has an empty DefaultValue (write None when there is no default)") }
        $docSets = @($y['ParameterSets'] | ForEach-Object { $e = $_; ($script:WhisperDocsSetKeys | ForEach-Object { '{0}={1}' -f $_, $e.$_ }) -join ';' })
        $metaSets = @($m.ParameterSets | ForEach-Object { $e = $_; ($script:WhisperDocsSetKeys | ForEach-Object { '{0}={1}' -f $_, $e.$_ }) -join ';' })
        if (-not (Compare-WhisperDocsList $docSets $metaSets)) {
            $problems.Add("${f}: -$($p.Name) ParameterSets differ: markdown [$($docSets -join ' | ')] cmdlet [$($metaSets -join ' | ')]")
        }
    }
    # Parameter sets in SYNTAX, and the parameters each one names.
    $cmdSets = @($Command.ParameterSets | ForEach-Object { $_.Name })
    $docSetNames = @($Doc.Syntax | ForEach-Object { $_.Name })
    if (-not (Compare-WhisperDocsList ($docSetNames | Sort-Object) ($cmdSets | Sort-Object))) {
        $problems.Add("${f}: SYNTAX lists parameter sets [$($docSetNames -join ', ')] but the cmdlet has [$($cmdSets -join ', ')]")
    } else {
        $common = Get-WhisperDocsCommonParameterNames
        foreach ($s in $Command.ParameterSets) {
            $d = @($Doc.Syntax | Where-Object { $_.Name -eq $s.Name })[0]
            if ($d.IsDefault -ne $s.IsDefault) { $problems.Add("${f}: SYNTAX marks the default parameter set differently from the cmdlet ('$($s.Name)')") }
            $want = @($s.Parameters | Where-Object { $common -notcontains $_.Name } | ForEach-Object { $_.Name } | Sort-Object)
            $have = @([regex]::Matches($d.Text, '(?<=[\s\[])-([A-Za-z][A-Za-z0-9]*)') | ForEach-Object { $_.Groups[1].Value } | Sort-Object -Unique)
            if (-not (Compare-WhisperDocsList $have $want)) { $problems.Add("${f}: SYNTAX for '$($s.Name)' names [$($have -join ', ')] but the set has [$($want -join ', ')]") }
        }
    }
    # Prose.
    $all = [IO.File]::ReadAllText($Doc.Path)
    if ($all.Contains($script:WhisperDocsPlaceholder)) { $problems.Add("${f}: contains a '{{ Fill ... }}' placeholder") }
    if (-not $Doc.Synopsis) { $problems.Add("${f}: empty SYNOPSIS") }
    if ($Doc.FrontMatter['title'] -ne $Command.Name) { $problems.Add("${f}: title is not '$($Command.Name)'") }
    return , $problems.ToArray()
}

# ---------------------------------------------------------------------------------------------------------------
# Writing markdown (tools/Docs.ps1 -Update): metadata parts regenerated, prose kept
# ---------------------------------------------------------------------------------------------------------------

function Format-WhisperDocsSyntax {
    # One syntax line per parameter set, in the style of Get-Command -Syntax, wrapped at 100 columns.
    param([System.Management.Automation.CommandInfo] $Command, [System.Management.Automation.CommandParameterSetInfo] $Set)
    $common = Get-WhisperDocsCommonParameterNames
    $params = @($Set.Parameters | Where-Object { $common -notcontains $_.Name })
    $positional = @($params | Where-Object { $_.Position -ge 0 } | Sort-Object Position)
    $named = @($params | Where-Object { $_.Position -lt 0 } | Sort-Object @{ Expression = { -not $_.IsMandatory } }, @{ Expression = { $_.ParameterType -eq [System.Management.Automation.SwitchParameter] } }, Name)
    $parts = New-Object System.Collections.Generic.List[string]
    foreach ($p in @($positional) + @($named)) {
        $typeName = Get-WhisperDocsTypeName $p.ParameterType
        $short = ($typeName -split '\.')[-1]
        $nameText = '-' + $p.Name
        if ($p.Position -ge 0) { $nameText = '[-' + $p.Name + ']' }
        if ($p.ParameterType -eq [System.Management.Automation.SwitchParameter]) { $t = $nameText } else { $t = '{0} <{1}>' -f $nameText, $short }
        if (-not $p.IsMandatory) { $t = '[' + $t + ']' }
        $parts.Add($t)
    }
    $parts.Add('[<CommonParameters>]')
    $lines = New-Object System.Collections.Generic.List[string]
    $line = $Command.Name
    foreach ($part in $parts) {
        if (($line.Length + 1 + $part.Length) -gt 100) { $lines.Add($line); $line = ' ' + $part }
        else { $line = $line + ' ' + $part }
    }
    $lines.Add($line)
    return , $lines.ToArray()
}

function Format-WhisperDocsYaml {
    param($Meta, [string] $DefaultValue)
    $out = New-Object System.Collections.Generic.List[string]
    $out.Add('Type: ' + $Meta.Type)
    $out.Add('DefaultValue: ' + $DefaultValue)
    $out.Add('SupportsWildcards: ' + $Meta.SupportsWildcards)
    $out.Add('ParameterValue: []')
    if (@($Meta.Aliases).Count -eq 0) { $out.Add('Aliases: []') } else { $out.Add('Aliases:'); foreach ($a in $Meta.Aliases) { $out.Add('- ' + $a) } }
    $out.Add('ParameterSets:')
    foreach ($s in $Meta.ParameterSets) {
        $out.Add('- Name: ' + $s.Name)
        foreach ($k in $script:WhisperDocsSetKeys) { if ($k -ne 'Name') { $out.Add('  ' + $k + ': ' + $s.$k) } }
    }
    $out.Add('DontShow: ' + $Meta.DontShow)
    if (@($Meta.AcceptedValues).Count -eq 0) { $out.Add('AcceptedValues: []') } else { $out.Add('AcceptedValues:'); foreach ($a in $Meta.AcceptedValues) { $out.Add('- ' + $a) } }
    $out.Add("HelpMessage: ''")
    return , $out.ToArray()
}

function Format-WhisperDocsBlocks {
    param($Blocks)
    $out = New-Object System.Collections.Generic.List[string]
    if ($null -eq $Blocks) { $Blocks = @() }
    foreach ($b in $Blocks) {
        if ($b.Kind -eq 'Heading') { $out.Add('### ' + $b.Text) }
        elseif ($b.Kind -eq 'Code') { $out.Add('```' + $b.Lang); foreach ($l in $b.Lines) { $out.Add($l) }; $out.Add('```') }
        else { foreach ($l in $b.Lines) { $out.Add($l) } }
        $out.Add('')
    }
    return , $out.ToArray()
}

function New-WhisperDocsPara([string] $Text) {
    return [pscustomobject] @{ Kind = 'Para'; Text = $null; Line = 0; Lang = $null; Lines = @($Text) }
}

function New-WhisperCommandMarkdownSkeleton {
    # A new docs/<Cmdlet>.md with placeholders (which the build rejects until they are replaced).
    param([System.Management.Automation.CommandInfo] $Command, [string] $HelpUri)
    return [pscustomobject] @{
        Path             = $null
        Name             = $Command.Name
        FrontMatter      = [ordered] @{ 'document type' = 'cmdlet'; 'external help file' = 'WhisperPS.dll-Help.xml'; 'HelpUri' = $(if ($HelpUri) { $HelpUri } else { "''" }); 'Locale' = 'en-US'; 'Module Name' = 'WhisperPS'; 'ms.date' = (Get-Date -Format 'MM/dd/yyyy'); 'PlatyPS schema version' = '2024-05-01'; 'title' = $Command.Name }
        Synopsis         = "{{ Fill in the Synopsis }}"
        Syntax           = @()
        Aliases          = @()
        Description      = @(New-WhisperDocsPara '{{ Fill in the Description }}')
        Examples         = @([pscustomobject] @{ Number = 1; Title = '{{ Add example title here }}'; Heading = 'Example 1: {{ Add example title here }}'; Line = 0; Blocks = @([pscustomobject] @{ Kind = 'Code'; Text = $null; Line = 0; Lang = 'powershell'; Lines = @('{{ Add example code here }}') }) })
        Parameters       = @()
        CommonParameters = $null
        Inputs           = @()
        Outputs          = @()
        Notes            = @()
        Links            = @()
    }
}

function Write-WhisperCommandMarkdown {
    <#
    .SYNOPSIS
        Writes a command markdown file: SYNTAX and the yaml blocks from the command's metadata, everything else from
        $Doc. Parameters the command lacks are dropped (with a warning); new ones get a placeholder description.
    #>
    param([Parameter(Mandatory)] $Doc, [Parameter(Mandatory)] [System.Management.Automation.CommandInfo] $Command, [Parameter(Mandatory)] [string] $Path)
    $o = New-Object System.Collections.Generic.List[string]
    $o.Add('---')
    foreach ($k in $Doc.FrontMatter.Keys) { $o.Add(('{0}: {1}' -f $k, $Doc.FrontMatter[$k])) }
    $o.Add('---'); $o.Add(''); $o.Add('# ' + $Command.Name); $o.Add('')
    $o.Add('## SYNOPSIS'); $o.Add(''); $o.Add($Doc.Synopsis); $o.Add('')
    $o.Add('## SYNTAX'); $o.Add('')
    foreach ($s in $Command.ParameterSets) {
        $h = '### ' + $s.Name
        if ($s.IsDefault) { $h += ' (Default)' }
        $o.Add($h); $o.Add(''); $o.Add('```')
        foreach ($l in (Format-WhisperDocsSyntax -Command $Command -Set $s)) { $o.Add($l) }
        $o.Add('```'); $o.Add('')
    }
    $o.Add('## ALIASES'); $o.Add('')
    $o.AddRange([string[]] (Format-WhisperDocsBlocks $Doc.Aliases))
    $o.Add('## DESCRIPTION'); $o.Add('')
    $o.AddRange([string[]] (Format-WhisperDocsBlocks $Doc.Description))
    $o.Add('## EXAMPLES'); $o.Add('')
    foreach ($e in $Doc.Examples) {
        $o.Add('### ' + $e.Heading); $o.Add('')
        $o.AddRange([string[]] (Format-WhisperDocsBlocks $e.Blocks))
    }
    $o.Add('## PARAMETERS'); $o.Add('')
    $meta = Get-WhisperParameterMetadata -Command $Command
    foreach ($m in $meta) {
        $p = @($Doc.Parameters | Where-Object { $_.Name -eq $m.Name })
        $blocks = @(New-WhisperDocsPara ('{{ Fill ' + $m.Name + ' Description }}'))
        $default = 'None'
        if ($p.Count -gt 0) { $blocks = $p[0].Blocks; $default = $p[0].Yaml['DefaultValue'] }
        elseif ($m.IsSwitch) { $default = 'False' }
        $o.Add('### -' + $m.Name); $o.Add('')
        $o.AddRange([string[]] (Format-WhisperDocsBlocks $blocks))
        $o.Add('```yaml')
        $o.AddRange([string[]] (Format-WhisperDocsYaml -Meta $m -DefaultValue $default))
        $o.Add('```'); $o.Add('')
    }
    foreach ($p in $Doc.Parameters) {
        if (@($meta | Where-Object { $_.Name -eq $p.Name }).Count -eq 0) { Write-Warning "$($Command.Name): dropped -$($p.Name), which the cmdlet does not have" }
    }
    $o.Add('### CommonParameters'); $o.Add('')
    $o.Add('This cmdlet supports the common parameters: -Debug, -ErrorAction, -ErrorVariable,')
    $o.Add('-InformationAction, -InformationVariable, -OutBuffer, -OutVariable, -PipelineVariable,')
    $o.Add('-ProgressAction, -Verbose, -WarningAction, and -WarningVariable. For more information, see')
    $o.Add('[about_CommonParameters](https://go.microsoft.com/fwlink/?LinkID=113216).')
    $o.Add('')
    foreach ($section in 'INPUTS', 'OUTPUTS') {
        $o.Add('## ' + $section); $o.Add('')
        $list = $Doc.Inputs
        if ($section -eq 'OUTPUTS') { $list = $Doc.Outputs }
        foreach ($t in $list) { $o.Add('### ' + $t.Type); $o.Add(''); $o.AddRange([string[]] (Format-WhisperDocsBlocks $t.Blocks)) }
    }
    $o.Add('## NOTES'); $o.Add('')
    $o.AddRange([string[]] (Format-WhisperDocsBlocks $Doc.Notes))
    $o.Add('## RELATED LINKS'); $o.Add('')
    foreach ($l in $Doc.Links) { $o.Add(('- [{0}]({1})' -f $l.Text, $l.Uri)) }
    while ($o.Count -gt 0 -and $o[$o.Count - 1] -eq '') { $o.RemoveAt($o.Count - 1) }
    $text = ($o.ToArray() -join "`n") + "`n"
    [IO.File]::WriteAllText($Path, $text, (New-Object System.Text.UTF8Encoding $false))
}

# ---------------------------------------------------------------------------------------------------------------
# The fallback MAML generator
# ---------------------------------------------------------------------------------------------------------------

function ConvertTo-WhisperDocsPlainText {
    # Markdown inline markup to the plain text Get-Help prints.
    param([string] $Text)
    $t = $Text -replace '\*\*([^*]+)\*\*', '$1'
    $t = $t -replace '(?<![\w*])\*([^*\s][^*]*)\*(?![\w*])', '$1'
    $t = $t -replace '\[([^\]]+)\]\((https?://[^)]+)\)', '$1 ($2)'
    $t = $t -replace '\[([^\]]+)\]\(([^)]+)\)', '$1'
    return $t
}

function ConvertTo-WhisperDocsParagraphs {
    # Blocks to MAML paragraphs: a paragraph's lines joined by spaces (a list item per paragraph, a table kept
    # line by line), a code block kept verbatim.
    param($Blocks)
    $paras = New-Object System.Collections.Generic.List[string]
    if ($null -eq $Blocks) { $Blocks = @() }
    foreach ($b in $Blocks) {
        if ($b.Kind -eq 'Code') {
            # Verbatim: Get-Help indents every line of a paragraph itself.
            $paras.Add((@($b.Lines) -join "`n"))
            continue
        }
        if ($b.Kind -eq 'Heading') { $paras.Add((ConvertTo-WhisperDocsPlainText $b.Text)); continue }
        $lines = @($b.Lines)
        if ($lines[0] -match '^\|') {
            $paras.Add((@($lines | Where-Object { $_ -notmatch '^\|[\s:|-]+\|\s*$' } | ForEach-Object { ConvertTo-WhisperDocsPlainText $_ }) -join "`n"))
            continue
        }
        $current = $null
        foreach ($l in $lines) {
            if ($l -match '^\s*([-*]|\d+\.) ') {
                if ($null -ne $current) { $paras.Add((ConvertTo-WhisperDocsPlainText $current)) }
                $current = $l.Trim()
            } elseif ($null -eq $current) {
                $current = $l.Trim()
            } else {
                $current = $current + ' ' + $l.Trim()
            }
        }
        if ($null -ne $current) { $paras.Add((ConvertTo-WhisperDocsPlainText $current)) }
    }
    return , $paras.ToArray()
}

function Get-WhisperDocsPipelineInput {
    param($Set)
    $kinds = @()
    if ($Set.ValueFromPipeline -eq 'true') { $kinds += 'ByValue' }
    if ($Set.ValueFromPipelineByPropertyName -eq 'true') { $kinds += 'ByPropertyName' }
    if ($kinds.Count -eq 0) { return 'False' }
    return 'True ({0})' -f ($kinds -join ', ')
}

function ConvertTo-WhisperMaml {
    <#
    .SYNOPSIS
        Builds the MAML document (helpItems / command:command) for the given commands from their markdown and
        Get-Command metadata. Throws if the markdown and the metadata disagree.
    #>
    param([Parameter(Mandatory)] [object[]] $Docs, [Parameter(Mandatory)] [System.Management.Automation.CommandInfo[]] $Commands, [string] $Generator = 'tools/Docs.ps1')

    $nsMsh = 'http://msh'
    $nsMaml = 'http://schemas.microsoft.com/maml/2004/10'
    $nsCommand = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    $nsDev = 'http://schemas.microsoft.com/maml/dev/2004/10'

    $settings = New-Object System.Xml.XmlWriterSettings
    $settings.Indent = $true
    $settings.IndentChars = '  '
    $settings.Encoding = New-Object System.Text.UTF8Encoding $false
    $settings.NewLineChars = "`r`n"
    $stream = New-Object System.IO.MemoryStream
    $w = [System.Xml.XmlWriter]::Create($stream, $settings)
    $w.WriteStartDocument()
    $w.WriteComment(" Generated from docs/*.md by $Generator (the WhisperPS MAML generator, tools/DocsMarkdown.ps1). Do not edit: change docs/<Cmdlet>.md and rebuild. ")
    $w.WriteStartElement('helpItems', $nsMsh)
    $w.WriteAttributeString('schema', 'maml')

    $paraWriter = {
        param([string[]] $Paras)
        foreach ($p in $Paras) { $w.WriteElementString('maml', 'para', $nsMaml, $p) }
    }

    foreach ($cmd in ($Commands | Sort-Object Name)) {
        $doc = @($Docs | Where-Object { $_.Name -eq $cmd.Name })
        if ($doc.Count -ne 1) { throw "No docs/$($cmd.Name).md for the exported cmdlet $($cmd.Name)" }
        $doc = $doc[0]
        $problems = Test-WhisperCommandMarkdown -Doc $doc -Command $cmd
        if ($problems.Count -gt 0) { throw ("The help markdown does not match the cmdlet (run tools/Docs.ps1 -Update to refresh the metadata parts):`n  " + ($problems -join "`n  ")) }
        $meta = Get-WhisperParameterMetadata -Command $cmd
        $docParams = @{}
        foreach ($p in $doc.Parameters) { $docParams[$p.Name] = $p }

        $w.WriteStartElement('command', 'command', $nsCommand)
        $w.WriteAttributeString('xmlns', 'maml', $null, $nsMaml)
        $w.WriteAttributeString('xmlns', 'command', $null, $nsCommand)
        $w.WriteAttributeString('xmlns', 'dev', $null, $nsDev)

        $w.WriteStartElement('command', 'details', $nsCommand)
        $w.WriteElementString('command', 'name', $nsCommand, $cmd.Name)
        $w.WriteElementString('command', 'verb', $nsCommand, $cmd.Verb)
        $w.WriteElementString('command', 'noun', $nsCommand, $cmd.Noun)
        $w.WriteStartElement('maml', 'description', $nsMaml)
        & $paraWriter @(ConvertTo-WhisperDocsPlainText $doc.Synopsis)
        $w.WriteEndElement()
        $w.WriteEndElement()

        $w.WriteStartElement('maml', 'description', $nsMaml)
        & $paraWriter (ConvertTo-WhisperDocsParagraphs $doc.Description)
        $w.WriteEndElement()

        $writeParameter = {
            param($m, $set)
            $d = $docParams[$m.Name]
            $w.WriteStartElement('command', 'parameter', $nsCommand)
            $w.WriteAttributeString('required', $set.IsRequired)
            $w.WriteAttributeString('variableLength', 'true')
            $w.WriteAttributeString('globbing', $m.SupportsWildcards)
            $w.WriteAttributeString('pipelineInput', (Get-WhisperDocsPipelineInput $set))
            $pos = 'named'
            if ($set.Position -ne 'Named') { $pos = $set.Position }
            $w.WriteAttributeString('position', $pos)
            $al = 'none'
            if (@($m.Aliases).Count -gt 0) { $al = $m.Aliases -join ', ' }
            $w.WriteAttributeString('aliases', $al)
            $w.WriteElementString('maml', 'name', $nsMaml, $m.Name)
            $w.WriteStartElement('maml', 'description', $nsMaml)
            & $paraWriter (ConvertTo-WhisperDocsParagraphs $d.Blocks)
            $w.WriteEndElement()
            if (@($m.AcceptedValues).Count -gt 0) {
                $w.WriteStartElement('command', 'parameterValueGroup', $nsCommand)
                foreach ($v in $m.AcceptedValues) {
                    $w.WriteStartElement('command', 'parameterValue', $nsCommand)
                    $w.WriteAttributeString('required', 'false')
                    $w.WriteAttributeString('command', 'variableLength', $nsCommand, 'false')
                    $w.WriteString($v)
                    $w.WriteEndElement()
                }
                $w.WriteEndElement()
            }
            if (-not $m.IsSwitch) {
                $w.WriteStartElement('command', 'parameterValue', $nsCommand)
                $w.WriteAttributeString('required', 'true')
                $w.WriteAttributeString('variableLength', 'false')
                $w.WriteString($m.Type)
                $w.WriteEndElement()
            }
            $w.WriteStartElement('dev', 'type', $nsDev)
            $w.WriteElementString('maml', 'name', $nsMaml, $m.Type)
            $w.WriteElementString('maml', 'uri', $nsMaml, '')
            $w.WriteEndElement()
            $w.WriteElementString('dev', 'defaultValue', $nsDev, [string] $d.Yaml['DefaultValue'])
            $w.WriteEndElement()
        }

        # Syntax: one item per parameter set; positional parameters first, then the markdown's order.
        $w.WriteStartElement('command', 'syntax', $nsCommand)
        foreach ($s in $cmd.ParameterSets) {
            $w.WriteStartElement('command', 'syntaxItem', $nsCommand)
            $w.WriteElementString('maml', 'name', $nsMaml, $cmd.Name)
            $inSet = New-Object System.Collections.Generic.List[object]
            foreach ($p in $doc.Parameters) {
                $m = @($meta | Where-Object { $_.Name -eq $p.Name })[0]
                $e = @($m.ParameterSets | Where-Object { $_.Name -eq $s.Name -or $_.Name -eq '(All)' })
                if ($e.Count -gt 0) { $inSet.Add([pscustomobject] @{ Meta = $m; Set = $e[0] }) }
            }
            $ordered = @($inSet | Where-Object { $_.Set.Position -ne 'Named' } | Sort-Object { [int] $_.Set.Position }) +
                @($inSet | Where-Object { $_.Set.Position -eq 'Named' -and $_.Set.IsRequired -eq 'true' }) +
                @($inSet | Where-Object { $_.Set.Position -eq 'Named' -and $_.Set.IsRequired -ne 'true' })
            foreach ($x in $ordered) { & $writeParameter $x.Meta $x.Set }
            $w.WriteEndElement()
        }
        $w.WriteEndElement()

        # Parameters: each once, in the markdown's order, described by its first parameter set.
        $w.WriteStartElement('command', 'parameters', $nsCommand)
        foreach ($p in $doc.Parameters) {
            $m = @($meta | Where-Object { $_.Name -eq $p.Name })[0]
            & $writeParameter $m $m.ParameterSets[0]
        }
        $w.WriteEndElement()

        foreach ($kind in 'input', 'return') {
            if ($kind -eq 'input') { $list = $doc.Inputs; $outer = 'inputTypes'; $inner = 'inputType' }
            else { $list = $doc.Outputs; $outer = 'returnValues'; $inner = 'returnValue' }
            $w.WriteStartElement('command', $outer, $nsCommand)
            foreach ($t in $list) {
                $w.WriteStartElement('command', $inner, $nsCommand)
                $w.WriteStartElement('dev', 'type', $nsDev)
                $w.WriteElementString('maml', 'name', $nsMaml, $t.Type)
                $w.WriteEndElement()
                $w.WriteStartElement('maml', 'description', $nsMaml)
                & $paraWriter (ConvertTo-WhisperDocsParagraphs $t.Blocks)
                $w.WriteEndElement()
                $w.WriteEndElement()
            }
            $w.WriteEndElement()
        }

        $w.WriteStartElement('maml', 'alertSet', $nsMaml)
        $w.WriteStartElement('maml', 'alert', $nsMaml)
        & $paraWriter (ConvertTo-WhisperDocsParagraphs $doc.Notes)
        $w.WriteEndElement()
        $w.WriteEndElement()

        # Examples: the powershell blocks are the code; text and output go to the remarks, in document order.
        $w.WriteStartElement('command', 'examples', $nsCommand)
        foreach ($e in $doc.Examples) {
            $w.WriteStartElement('command', 'example', $nsCommand)
            $w.WriteElementString('maml', 'title', $nsMaml, ('--------- Example {0}: {1} ---------' -f $e.Number, (ConvertTo-WhisperDocsPlainText $e.Title)))
            $w.WriteElementString('dev', 'code', $nsDev, (Get-WhisperDocsExampleCode $e))
            $w.WriteStartElement('dev', 'remarks', $nsDev)
            $rest = @($e.Blocks | Where-Object { -not ($_.Kind -eq 'Code' -and $_.Lang -eq 'powershell') })
            & $paraWriter (ConvertTo-WhisperDocsParagraphs $rest)
            $w.WriteEndElement()
            $w.WriteEndElement()
        }
        $w.WriteEndElement()

        $w.WriteStartElement('command', 'relatedLinks', $nsCommand)
        # The online page first, as 'Online Version:', which is what Get-Help -Online and Get-Command's HelpUri read.
        $helpUri = [string] $doc.FrontMatter['HelpUri']
        if ($helpUri -match '^https?://') {
            $w.WriteStartElement('maml', 'navigationLink', $nsMaml)
            $w.WriteElementString('maml', 'linkText', $nsMaml, 'Online Version:')
            $w.WriteElementString('maml', 'uri', $nsMaml, $helpUri)
            $w.WriteEndElement()
        }
        foreach ($l in $doc.Links) {
            $w.WriteStartElement('maml', 'navigationLink', $nsMaml)
            $w.WriteElementString('maml', 'linkText', $nsMaml, $l.Text)
            $uri = ''
            if ($l.Uri -match '^https?://') { $uri = $l.Uri }
            $w.WriteElementString('maml', 'uri', $nsMaml, $uri)
            $w.WriteEndElement()
        }
        $w.WriteEndElement()

        $w.WriteEndElement() # command:command
    }
    $w.WriteEndElement() # helpItems
    $w.WriteEndDocument()
    $w.Flush()
    $w.Close()
    return [System.Text.Encoding]::UTF8.GetString($stream.ToArray())
}

function Get-WhisperProjectUrl {
    # The project's public home, from Directory.Build.props (the one place it is written down).
    param([Parameter(Mandatory)] [string] $RepoRoot)
    [xml] $props = Get-Content -Raw -LiteralPath (Join-Path $RepoRoot 'Directory.Build.props')
    $url = [string] ($props.Project.PropertyGroup | Where-Object { $_['PackageProjectUrl'] } | Select-Object -First 1).PackageProjectUrl
    if ($url -notmatch '^https://') { throw 'Directory.Build.props has no https PackageProjectUrl' }
    return $url.TrimEnd('/')
}

function Get-WhisperHelpUri {
    # Where a cmdlet's page is read online: its markdown in the repository's docs folder.
    param([Parameter(Mandatory)] [string] $ProjectUrl, [Parameter(Mandatory)] [string] $Name)
    return "$ProjectUrl/blob/main/docs/$Name.md"
}

function Set-WhisperDocsHelpUri {
    # Puts HelpUri in the front matter where platyPS writes it: after 'external help file'.
    param([Parameter(Mandatory)] $Doc, [Parameter(Mandatory)] [string] $HelpUri)
    $front = $Doc.FrontMatter
    if ($front.Contains('HelpUri')) { $front['HelpUri'] = $HelpUri; return }
    $keys = @($front.Keys)
    $at = [array]::IndexOf($keys, 'external help file') + 1
    $front.Insert($at, 'HelpUri', $HelpUri)
}
