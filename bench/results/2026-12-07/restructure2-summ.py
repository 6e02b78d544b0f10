"""Tables of restructure-2.md from the runs of restructure2-run.sh.

usage: python3 restructure2-summ.py DIR [DIR ...] [--pairs after/before,fixed/before,...]

Reads DIR/X-LABEL-REP.json and DIR/log.txt (the 1-minute load average at the start and end of each run). A pair
ratio A/B is taken only between runs of the same DIR and rep (made back to back); medians are over all such pairs.
"""
import glob
import json
import os
import re
import statistics as st
import sys

args = [a for a in sys.argv[1:] if not a.startswith('--')]
pairs = ['main/before', 'fixed/before', 'fixed/main', 'beforeAA/before']
for a in sys.argv[1:]:
    if a.startswith('--pairs='):
        pairs = a.split('=', 1)[1].split(',')

runs = {}  # (x, label) -> list of (dir, rep, values)
for d in args:
    loads = {}
    for line in open(os.path.join(d, 'log.txt')).read().splitlines():
        m = re.match(r'(\S+) (start|end)\s+(\S+) (\S+) rep(\d+).*load ([0-9.]+) (\S+) (\S+)', line)
        if m:
            loads.setdefault((m[3], m[4], m[5]), []).append(float(m[6]))
    for f in sorted(glob.glob(os.path.join(d, '*.json'))):
        parts = os.path.basename(f)[:-5].split('-')
        if len(parts) != 3:
            continue
        x, label, rep = parts
        try:
            j = json.load(open(f))
        except Exception as e:  # an interrupted run
            print('bad', f, e, file=sys.stderr)
            continue
        t, lat, s = j['throughput'], j['latency'], j['server_resources']
        integ = t['integrated_per_s']
        fo = lat['upload_to_fanout']
        v = dict(integ=integ,
                 ack50=lat['upload_to_ack']['p50_us'] / 1000, ack99=lat['upload_to_ack']['p99_us'] / 1000,
                 fo50=fo['p50_us'] / 1000 if fo['count'] else float('nan'),
                 fo99=fo['p99_us'] / 1000 if fo['count'] else float('nan'),
                 cpu=s['cpu_cores_used'],
                 cpu_us=1e6 * s['cpu_cores_used'] / integ if integ else float('nan'),
                 storm=(j.get('storm') or {}).get('caught_up_seconds', float('nan')),
                 ok=j['ok'] and j['errors']['count'] == 0,
                 load=max(loads.get((x, label, rep), [float('nan')])))
        runs.setdefault((x, label), []).append((d, rep, v))

metrics = [('integ', 'integrated/s'), ('ack50', 'upload->ack p50 ms'), ('ack99', 'upload->ack p99 ms'),
           ('fo50', 'upload->fan-out p50 ms'), ('fo99', 'upload->fan-out p99 ms'),
           ('cpu_us', 'server CPU µs per integrated changeset'), ('storm', 'storm caught up s')]


def fmt(v):
    if v != v:
        return '–'
    return f"{v:,.0f}" if v >= 100 else (f"{v:.1f}" if v >= 10 else f"{v:.2f}")


def med(xs):
    xs = [x for x in xs if x == x]
    return st.median(xs) if xs else float('nan')


labels = sorted({lb for (_, lb) in runs}, key=lambda s: ['before', 'beforeAA', 'main', 'fixed'].index(s)
                if s in ['before', 'beforeAA', 'main', 'fixed'] else 9)
print('## Runs (value per run in rep order; max 1-minute load average during the run in brackets)\n')
print('| scenario | figure | ' + ' | '.join(labels) + ' |')
print('|---|---|' + '---|' * len(labels))
for x in ['a', 'b', 'c', 'd', 'e', 'fanout']:
    if not any(k[0] == x for k in runs):
        continue
    for k, name in metrics:
        if k == 'storm' and x != 'e':
            continue
        cells = []
        for lb in labels:
            rs = sorted(runs.get((x, lb), []), key=lambda r: (r[0], r[1]))
            cells.append(' / '.join(fmt(r[2][k]) + (f" [{r[2]['load']:.0f}]" if k == 'cpu_us' else '')
                                    for r in rs) or '–')
        print(f"| {x} | {name} | " + ' | '.join(cells) + ' |')
print()
print('## Pair ratios (runs of the same rep, back to back): each ratio, then the median\n')
print('| scenario | figure | ' + ' | '.join(pairs) + ' |')
print('|---|---|' + '---|' * len(pairs))
for x in ['a', 'b', 'c', 'd', 'e', 'fanout']:
    if not any(k[0] == x for k in runs):
        continue
    for k, name in metrics:
        if k == 'storm' and x != 'e':
            continue
        cells = []
        for p in pairs:
            a, b = p.split('/')
            A = {(r[0], r[1]): r[2] for r in runs.get((x, a), [])}
            B = {(r[0], r[1]): r[2] for r in runs.get((x, b), [])}
            rs = [A[key][k] / B[key][k] for key in sorted(A) if key in B and B[key][k]]
            cells.append((' / '.join(f'{r:.2f}' for r in rs) + f' (**{med(rs):.2f}**)') if rs else '–')
        print(f"| {x} | {name} | " + ' | '.join(cells) + ' |')
bad = [(x, lb, r[0], r[1]) for (x, lb), rs in runs.items() for r in rs if not r[2]['ok']]
print('\nruns not ok (errors or not converged):', bad or 'none')
