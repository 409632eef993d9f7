# A real carbon cluster on 127.0.0.1 for the cluster tests: Debian graphite-carbon caches and a carbon-relay,
# each in its own scratch folder, on ports chosen free at run time, each started and stopped by its PID.

$script:Templates = [IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../cluster'))

function Install-CarbonPackage {
    # Root on a Debian machine (here and in CI): a missing package is installed, and a failed install fails the test.
    if ((Test-Path /usr/bin/carbon-cache) -and (Test-Path /usr/bin/carbon-relay)) { return }
    & /bin/sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq graphite-carbon' 2>&1 | Out-Null
    if (-not (Test-Path /usr/bin/carbon-cache)) { throw 'graphite-carbon is required and could not be installed' }
}

function Get-FreeTcpPort {
    $l = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
    $l.Start()
    try { return $l.LocalEndpoint.Port } finally { $l.Stop() }
}

function Test-TcpListening([int] $Port) {
    $c = [Net.Sockets.TcpClient]::new()
    try { $c.Connect([Net.IPAddress]::Loopback, $Port); return $true } catch { return $false } finally { $c.Dispose() }
}

function Wait-CarbonNode($Node, [int] $TimeoutSec = 120) {
    $sw = [Diagnostics.Stopwatch]::StartNew()
    foreach ($port in $Node.Ports) {
        while (-not (Test-TcpListening $port)) {
            if ($Node.Process.HasExited) { throw "$($Node.Name) exited during start-up: $(Get-CarbonNodeLog $Node)" }
            if ($sw.Elapsed.TotalSeconds -gt $TimeoutSec) { throw "$($Node.Name) did not listen on 127.0.0.1:$port within $TimeoutSec s: $(Get-CarbonNodeLog $Node)" }
            Start-Sleep -Milliseconds 100
        }
    }
}

function Get-CarbonNodeLog($Node) {
    (Get-ChildItem -LiteralPath (Join-Path $Node.Root 'log') -Recurse -File -ErrorAction SilentlyContinue |
        ForEach-Object { Get-Content -Raw -LiteralPath $_.FullName }) -join "`n"
}

function Start-CarbonProcess($Node) {
    $old = $env:PYTHONUNBUFFERED
    $env:PYTHONUNBUFFERED = '1'
    try {
        $Node.Process = Start-Process -FilePath $Node.Executable -PassThru `
            -ArgumentList @("--config=$($Node.Conf)", "--pidfile=$(Join-Path $Node.Root 'run/carbon.pid')", "--logdir=$(Join-Path $Node.Root 'log')", '--nodaemon', 'start') `
            -RedirectStandardOutput (Join-Path $Node.Root 'log/stdout.txt') -RedirectStandardError (Join-Path $Node.Root 'log/stderr.txt')
    }
    finally { $env:PYTHONUNBUFFERED = $old }
    Wait-CarbonNode $Node
}

function New-CarbonCacheNode {
    # A carbon-cache (not started): its storage root is <Root>/storage/whisper.
    param([Parameter(Mandatory)] [string] $Root, [Parameter(Mandatory)] [string] $Instance, [int] $MetricInterval = 0)
    Install-CarbonPackage
    foreach ($d in 'conf', 'storage/whisper', 'storage/lists', 'log', 'run') { $null = New-Item -ItemType Directory -Force -Path (Join-Path $Root $d) }
    $line = Get-FreeTcpPort; $pickle = Get-FreeTcpPort; $query = Get-FreeTcpPort
    $conf = (Get-Content -Raw (Join-Path $script:Templates 'cache.conf.template')).Replace('{ROOT}', $Root).
        Replace('{LINE_PORT}', "$line").Replace('{PICKLE_PORT}', "$pickle").Replace('{QUERY_PORT}', "$query").Replace('{METRIC_INTERVAL}', "$MetricInterval")
    $confPath = Join-Path $Root 'conf/carbon.conf'
    Set-Content -LiteralPath $confPath -Value $conf -Encoding utf8NoBOM
    Copy-Item (Join-Path $script:Templates 'storage-schemas.conf'), (Join-Path $script:Templates 'storage-aggregation.conf') (Join-Path $Root 'conf')
    [pscustomobject] @{
        Name = "carbon-cache $Instance"; Instance = $Instance; Root = $Root; Conf = $confPath; Executable = '/usr/bin/carbon-cache'
        DataDir = Join-Path $Root 'storage/whisper'; LinePort = $line; PicklePort = $pickle; Ports = @($line, $pickle, $query)
        Destination = "127.0.0.1:${pickle}:$Instance"; Process = $null
    }
}

function New-CarbonRelayNode {
    param([Parameter(Mandatory)] [string] $Root, [Parameter(Mandatory)] [string[]] $Destination, [int] $ReplicationFactor = 2, [switch] $DiverseReplicas)
    Install-CarbonPackage
    foreach ($d in 'conf', 'storage', 'log', 'run') { $null = New-Item -ItemType Directory -Force -Path (Join-Path $Root $d) }
    $line = Get-FreeTcpPort; $pickle = Get-FreeTcpPort
    $conf = (Get-Content -Raw (Join-Path $script:Templates 'relay.conf.template')).Replace('{ROOT}', $Root).
        Replace('{LINE_PORT}', "$line").Replace('{PICKLE_PORT}', "$pickle").Replace('{RF}', "$ReplicationFactor").
        Replace('{DIVERSE}', $(if ($DiverseReplicas) { 'True' } else { 'False' })).Replace('{DESTINATIONS}', ($Destination -join ', '))
    $confPath = Join-Path $Root 'conf/carbon.conf'
    Set-Content -LiteralPath $confPath -Value $conf -Encoding utf8NoBOM
    # carbon-relay refuses to start without the schema files beside its carbon.conf.
    Copy-Item (Join-Path $script:Templates 'storage-schemas.conf'), (Join-Path $script:Templates 'storage-aggregation.conf') (Join-Path $Root 'conf')
    [pscustomobject] @{
        Name = 'carbon-relay'; Root = $Root; Conf = $confPath; Executable = '/usr/bin/carbon-relay'
        LinePort = $line; PicklePort = $pickle; Ports = @($line, $pickle); Process = $null
    }
}

function Start-CarbonNode($Node) { Start-CarbonProcess $Node }

function Stop-CarbonNode($Node) {
    # By PID only; then the node's ports must be closed.
    if ($null -eq $Node -or $null -eq $Node.Process) { return }
    if (-not $Node.Process.HasExited) {
        Stop-Process -Id $Node.Process.Id -Force -ErrorAction SilentlyContinue
        $null = $Node.Process.WaitForExit(15000)
    }
    $Node.Process = $null
    $sw = [Diagnostics.Stopwatch]::StartNew()
    foreach ($port in $Node.Ports) {
        while (Test-TcpListening $port) {
            if ($sw.Elapsed.TotalSeconds -gt 30) { throw "$($Node.Name) still listens on $port after it was stopped" }
            Start-Sleep -Milliseconds 100
        }
    }
}

function Get-MetricRelativePath([string] $Metric) {
    # Test-only: the plain names used here (letters, digits, dots) map to carbon's path as metric.replace('.', '/').
    return ($Metric.Replace('.', [IO.Path]::DirectorySeparatorChar) + '.wsp')
}

Export-ModuleMember -Function Install-CarbonPackage, Get-FreeTcpPort, Test-TcpListening, New-CarbonCacheNode, New-CarbonRelayNode,
    Start-CarbonNode, Stop-CarbonNode, Get-CarbonNodeLog, Get-MetricRelativePath
