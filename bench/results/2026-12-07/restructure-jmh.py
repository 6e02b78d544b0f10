import json
print('| benchmark | shape | before ops/s (± 99.9%) | after ops/s (± 99.9%) | after/before | B/op before; after |')
print('|---|---|---|---|---|---|')
r = {}
import sys; P = sys.argv[1] if len(sys.argv) > 1 else 'jmh'
for b in ('before', 'after'):
    for x in json.load(open(f'restructure/{P}-{b}.json')):
        k = (x['benchmark'].split('.')[-1], x['params']['shape'])
        m = x['primaryMetric']
        r.setdefault(k, {})[b] = (m['score'], m['scoreError'], x['secondaryMetrics'].get('gc.alloc.rate.norm', {}).get('score', float('nan')))
for k, v in sorted(r.items()):
    B, A = v.get('before'), v.get('after')
    f = lambda t: f"{t[0]:,.0f} ± {t[1]:,.0f}" if t else '–'
    ratio = f"**{A[0]/B[0]:.2f}**" if A and B else '–'
    print(f"| {k[0]} | {k[1]} | {f(B)} | {f(A)} | {ratio} | {B[2] if B else float('nan'):.3f}; {A[2] if A else float('nan'):.3f} |")
