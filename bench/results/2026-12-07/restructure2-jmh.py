"""Table of the JMH runs of restructure2-jmh.sh: usage python3 restructure2-jmh.py DIR (reads DIR/jmh-LABEL-REP.json)."""
import glob
import json
import os
import sys

rows = {}
for f in sorted(glob.glob(os.path.join(sys.argv[1], 'jmh-*.json'))):
    _, label, rep = os.path.basename(f)[:-5].split('-')
    for b in json.load(open(f)):
        name = '.'.join(b['benchmark'].split('.')[-2:]) + ' ' + ','.join(f'{k}={v}' for k, v in b.get('params', {}).items())
        pm = b['primaryMetric']
        alloc = b.get('secondaryMetrics', {}).get('gc.alloc.rate.norm', {}).get('score', float('nan'))
        rows.setdefault(name, {}).setdefault(label, []).append((rep, pm['score'], pm['scoreError'], pm['scoreUnit'], alloc))
labels = sorted({lb for r in rows.values() for lb in r})
print('| benchmark | ' + ' | '.join(f'{lb} (per rep: score ± 99.9 %; B/op)' for lb in labels) + ' |')
print('|---|' + '---|' * len(labels))
for name, r in rows.items():
    cells = []
    for lb in labels:
        cells.append('; '.join(f'{s:,.1f} ± {e:,.0f} {u}, {a:.2f} B/op' for _, s, e, u, a in sorted(r.get(lb, []))))
    print(f'| {name} | ' + ' | '.join(cells) + ' |')
