#!/usr/bin/python3
"""Long-lived python3-whisper side of the WhisperPS benchmark and verifier.

Reads one JSON request per line on stdin and answers one JSON line on stdout. Every timed workload is measured
in-process with time.perf_counter around the whisper calls only, so interpreter start-up and input preparation are
not counted against python. Inputs are generated here from the same formulas the C# side uses (see Workloads.cs).
"""
import hashlib
import json
import math
import os
import struct
import sys
import time

import whisper


def value_at(i):
    # Must match Workloads.ValueAt in C#: integer arithmetic, then one IEEE division.
    return ((i * 7919) % 10007) / 7.0


def from_bits(hex16):
    # Values travel as the 16 hex digits of their IEEE bits, so NaN payloads and -0.0 survive the trip.
    return struct.unpack('>d', bytes.fromhex(hex16))[0]


def series(start, step, count, first_index=0):
    return [(start + k * step, value_at(first_index + k)) for k in range(count)]


def digest(values):
    # Must match Digest in C#: 'N' for a missing slot, else 'V' + big-endian double.
    h = hashlib.sha256()
    for v in values:
        if v is None:
            h.update(b'N')
        else:
            h.update(b'V' + struct.pack('>d', v))
    return h.hexdigest()


def fetch_digest(r):
    if r is None:
        return 'none'
    (start, end, step), values = r
    return '%d:%d:%d:%d:%s' % (start, end, step, len(values), digest(values))


def archives_of(req):
    return [tuple(a) for a in req['archives']]


def op_create(req):
    paths = req['paths']
    arch = archives_of(req)
    t0 = time.perf_counter()
    for p in paths:
        whisper.create(p, arch, req['xff'], req['method'], sparse=req.get('sparse', False),
                       useFallocate=req.get('fallocate', False))
    return time.perf_counter() - t0, None


def op_update_many_series(req):
    # count points 'step' apart starting at 'start', written as calls of 'chunk' points (one open per call).
    pts = series(req['start'], req['step'], req['count'])
    chunk = req['chunk']
    calls = [pts[i:i + chunk] for i in range(0, len(pts), chunk)]
    path, now = req['path'], req['now']
    t0 = time.perf_counter()
    for c in calls:
        whisper.update_many(path, c, now=now)
    return time.perf_counter() - t0, None


def op_updates_realtime(req):
    # One update() per point, each arriving at its own time (now == timestamp).
    pts = series(req['start'], req['step'], req['count'])
    path = req['path']
    t0 = time.perf_counter()
    for (t, v) in pts:
        whisper.update(path, v, t, now=t)
    return time.perf_counter() - t0, None


def op_fetch(req):
    path, frm, until, now = req['path'], req['from'], req['until'], req['now']
    r = None
    t0 = time.perf_counter()
    for _ in range(req.get('repeat', 1)):
        r = whisper.fetch(path, frm, until, now=now)
    elapsed = time.perf_counter() - t0
    return elapsed, fetch_digest(r)


def op_files(req):
    # The carbon pattern: create a file, write one point to it; for each of many files.
    arch = archives_of(req)
    now = req['now']
    paths = req['paths']
    t0 = time.perf_counter()
    for i, p in enumerate(paths):
        whisper.create(p, arch, req['xff'], req['method'], sparse=req.get('sparse', False),
                       useFallocate=req.get('fallocate', False))
        whisper.update(p, value_at(i), now, now=now)
    return time.perf_counter() - t0, None


def op_merge(req):
    t0 = time.perf_counter()
    whisper.merge(req['src'], req['dst'], now=req['now'])
    return time.perf_counter() - t0, None


def op_script(req):
    # Verification: run a list of operations, untimed, returning each fetch's digest and each error's type.
    out = []
    for o in req['ops']:
        kind = o['op']
        try:
            if kind == 'create':
                whisper.create(o['path'], archives_of(o), o['xff'], o['method'], sparse=o.get('sparse', False),
                               useFallocate=o.get('fallocate', False))
                out.append('ok')
            elif kind == 'update':
                whisper.update(o['path'], from_bits(o['value']), o['timestamp'], now=o['now'])
                out.append('ok')
            elif kind == 'update_many':
                pts = [(t, from_bits(v)) for t, v in o['points']]
                whisper.update_many(o['path'], pts, now=o['now'])
                out.append('ok')
            elif kind == 'fetch':
                out.append(fetch_digest(whisper.fetch(o['path'], o['from'], o['until'], now=o['now'])))
            elif kind == 'set_aggregation':
                whisper.setAggregationMethod(o['path'], o['method'], o.get('xff'))
                out.append('ok')
            elif kind == 'merge':
                whisper.merge(o['src'], o['dst'], o.get('from'), o.get('until'), now=o['now'])
                out.append('ok')
            else:
                out.append('unknown op ' + kind)
        except Exception as e:  # the C# side compares the error class, not the message
            out.append('error:' + type(e).__name__)
    return 0.0, out


OPS = {
    'create': op_create,
    'update_many_series': op_update_many_series,
    'updates_realtime': op_updates_realtime,
    'fetch': op_fetch,
    'files': op_files,
    'merge': op_merge,
    'script': op_script,
}


def main():
    out = sys.stdout
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        req = json.loads(line)
        if req['op'] == 'hello':
            resp = {'ok': True, 'python': sys.version.split()[0], 'whisper': getattr(whisper, '__version__', '?'),
                    'whisper_file': whisper.__file__}
        else:
            try:
                seconds, result = OPS[req['op']](req)
                resp = {'ok': True, 'seconds': seconds, 'result': result}
            except Exception as e:
                resp = {'ok': False, 'error': '%s: %s' % (type(e).__name__, e)}
        out.write(json.dumps(resp) + '\n')
        out.flush()


if __name__ == '__main__':
    main()
