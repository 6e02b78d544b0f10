import json, glob, os, re, statistics as st, sys
D = sys.argv[1] if len(sys.argv) > 1 else 'restructure'
log = open(D + '/log.txt').read().splitlines()
loads = {}
for l in log:
    m = re.match(r'(\S+) (start|end)\s+(\S+) (\S+) rep(\d+).*load (\S+) (\S+) (\S+)', l)
    if m:
        loads.setdefault((m[3], m[4], m[5]), []).append(float(m[6]))
rows = {}
for f in sorted(g for g in glob.glob(D + '/*.json') if 'jmh' not in g):
    x, b, r = os.path.basename(f)[:-5].split('-')
    try:
        d = json.load(open(f))
    except Exception as e:
        print('bad', f, e); continue
    t, lat, s = d['throughput'], d['latency'], d['server_resources']
    integ = t['integrated_per_s']
    v = dict(integ=integ, deliv=t['fanout_deliveries_per_s'],
             ack50=lat['upload_to_ack']['p50_us']/1000, ack99=lat['upload_to_ack']['p99_us']/1000,
             fo50=lat['upload_to_fanout']['p50_us']/1000 if lat['upload_to_fanout']['count'] else float('nan'),
             fo99=lat['upload_to_fanout']['p99_us']/1000 if lat['upload_to_fanout']['count'] else float('nan'),
             cpu=s['cpu_cores_used'], lgcpu=d['load_generator_cpu_cores'],
             cpu_us=1e6*s['cpu_cores_used']/integ if integ else float('nan'),
             sessions=d['setup'].get('sessions'), errors=d['errors']['count'], kinds=d['errors']['kinds'],
             ok=d['ok'], conv=d['convergence'].get('ok'), storm=d.get('storm'),
             load=loads.get((x, b, r), []))
    rows.setdefault(x, {}).setdefault(b, {})[r] = v
for x in rows:
    for b in ('before', 'after'):
        for r, v in sorted(rows[x].get(b, {}).items()):
            sm = v['storm']
            print(f"{x:7}{b:7}r{r} integ {v['integ']:8.0f} deliv {v['deliv']:8.0f} ack {v['ack50']:7.1f}/{v['ack99']:7.1f} fo {v['fo50']:7.1f}/{v['fo99']:7.1f} cpu {v['cpu']:.2f}/{v['lgcpu']:.2f} cpu_us/cs {v['cpu_us']:6.0f} sess {v['sessions']} err {v['errors']} {v['kinds'] or ''} ok {v['ok']} conv {v['conv']} load {v['load']}"
                  + (f" storm {json.dumps(sm)[:200]}" if sm else ''))

def med(xs):
    xs = [x for x in xs if x == x]
    return st.median(xs) if xs else float('nan')
def fmt(v):
    if v != v: return '–'
    return f"{v:,.0f}" if v >= 100 else (f"{v:.1f}" if v >= 10 else f"{v:.2f}")
print()
print('| scenario | figure | before (runs) | after (runs) | median before | median after | after/before (medians) | per-pair ratios | median of pair ratios | load avg during (before; after) |')
print('|---|---|---|---|---|---|---|---|---|---|')
metrics = [('integ', 'integrated/s'), ('ack50', 'upload->ack p50 ms'), ('ack99', 'upload->ack p99 ms'),
           ('fo50', 'upload->fan-out p50 ms'), ('fo99', 'upload->fan-out p99 ms'), ('cpu', 'server CPU cores'),
           ('cpu_us', 'server CPU µs per integrated changeset')]
for x in ['a', 'b', 'c', 'd', 'e', 'fanout']:
    if x not in rows: continue
    B, A = rows[x].get('before', {}), rows[x].get('after', {})
    ms = list(metrics)
    if x == 'e': ms.append(('storm', 'storm caught up s'))
    for k, name in ms:
        g = (lambda v: v['storm']['caught_up_seconds']) if k == 'storm' else (lambda v, k=k: v[k])
        bv = [g(B[r]) for r in sorted(B)]; av = [g(A[r]) for r in sorted(A)]
        if all(v != v for v in bv): continue
        pr = [g(A[r]) / g(B[r]) for r in sorted(B) if r in A and g(B[r])]
        mb, ma = med(bv), med(av)
        ld = lambda S: ', '.join(f"{max(S[r]['load']):.0f}" for r in sorted(S))
        print(f"| {x} | {name} | {' / '.join(fmt(v) for v in bv)} | {' / '.join(fmt(v) for v in av)} | {fmt(mb)} | {fmt(ma)} | **{ma/mb:.2f}** | {' / '.join(f'{p:.2f}' for p in pr)} | {med(pr):.2f} | {ld(B)}; {ld(A)} |")
