#!/usr/bin/python3
"""Runs a WhisperPS interop script with python3-whisper, the reference implementation.

Usage: driver.py SCRIPT.json RESULT.json

SCRIPT: {"dir": ..., "otherDir": ..., "cases": [{"seed": n, "ops": [op, ...]}, ...]}
Each op names a file inside "dir" (or inside "otherDir" when "other" is true: reading the
C# side's files). Doubles travel as 16 hex digits of their IEEE bits so nothing is lost
in JSON, NaN included. Every op gets a result object; an exception becomes
{"error": ExceptionClassName, "message": str(e)} and the script goes on.
"""
import hashlib
import json
import os
import struct
import sys

import whisper


def unhex(h):
    return struct.unpack('>d', bytes.fromhex(h))[0]


def tohex(v):
    return struct.pack('>d', v).hex()


def sha(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


def fetch_result(r):
    if r is None:
        return {'none': True}
    (start, end, step), values = r
    return {'time': [start, end, step],
            'values': [None if v is None else tohex(v) for v in values]}


def run(op, base, other):
    kind = op['op']
    path = os.path.join(other if op.get('other') else base, op['file'])
    if kind == 'create':
        whisper.create(path, [tuple(a) for a in op['archives']],
                       xFilesFactor=unhex(op['xff']), aggregationMethod=op['method'],
                       sparse=op.get('sparse', False), useFallocate=op.get('fallocate', False))
        return {'sha': sha(path)}
    if kind == 'update_many':
        whisper.update_many(path, [(t, unhex(v)) for t, v in op['points']], now=op['now'])
        return {'sha': sha(path)}
    if kind == 'update':
        whisper.update(path, unhex(op['value']), op['timestamp'], now=op['now'])
        return {'sha': sha(path)}
    if kind == 'set_aggregation':
        xff = None if op.get('xff') is None else unhex(op['xff'])
        if op.get('method') is None:
            whisper.setXFilesFactor(path, xff)
        else:
            whisper.setAggregationMethod(path, op['method'], xff)
        return {'sha': sha(path)}
    if kind == 'merge':
        source = os.path.join(base, op['source'])
        whisper.merge(source, path, op.get('timeFrom'), op.get('timeTo'), now=op['now'])
        return {'sha': sha(path)}
    if kind == 'fetch':
        return fetch_result(whisper.fetch(path, op['from'], op['until'], now=op['now'],
                                          archiveToSelect=op.get('archive')))
    raise RuntimeError('unknown op %r' % kind)


def main():
    with open(sys.argv[1]) as f:
        script = json.load(f)
    base, other = script['dir'], script.get('otherDir', '')
    out = []
    for case in script['cases']:
        results = []
        for op in case['ops']:
            try:
                results.append(run(op, base, other))
            except Exception as e:  # reported to the C# side, which expects the same failure
                results.append({'error': type(e).__name__, 'message': str(e)})
        out.append({'seed': case['seed'], 'results': results})
    with open(sys.argv[2], 'w') as f:
        json.dump({'cases': out}, f)


if __name__ == '__main__':
    main()
