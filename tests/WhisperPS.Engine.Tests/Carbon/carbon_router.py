# Placement by carbon's own code (Debian graphite-carbon): carbon.util.parseDestinations and
# carbon.routers.ConsistentHashingRouter. Reads JSON {"names": [...], "cases": [{"dests", "hash", "rf", "diverse"}]}
# on stdin and writes, per case, per name, the destinations as "server:port:instance" (instance "None" if absent).
import json
import sys
import types

sys.path.insert(0, '/usr/lib/python3/dist-packages')
from carbon.routers import ConsistentHashingRouter
from carbon.util import parseDestinations

spec = json.load(sys.stdin)
names = spec['names']
out = []
for case in spec['cases']:
    settings = types.SimpleNamespace(REPLICATION_FACTOR=case['rf'], DIVERSE_REPLICAS=case['diverse'],
                                     ROUTER_HASH_TYPE=case['hash'])
    router = ConsistentHashingRouter(settings)
    for d in parseDestinations(case['dests']):
        router.addDestination(d)
    rows = []
    for name in names:
        rows.append(['%s:%d:%s' % (s, p, i) for (s, p, i) in router.getDestinations(name)])
    out.append(rows)
json.dump(out, sys.stdout)
