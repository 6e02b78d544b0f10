# usage: bench/hostile/slow-readers.py LAUNCHER LABEL
#   LAUNCHER: an outpost executable (edge-server/target/outpost of the build to measure)
#   env REPRO (default ../shared/repro/hostile-input from the repository root), WORK (default /tmp/outpost-slow-readers),
#   PORT (19391)
# Starts the server, runs 8 x t_slowc2.py (3,000 sessions each on one connection that never reads), then times 3
# honest clients' sync (bind, ident, mark) of the same partition, sampling direct memory (/metrics), RSS and NMT.
import subprocess, sys, os, time, threading, re, statistics, shutil, urllib.request
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REPRO = os.environ.get('REPRO', os.path.join(ROOT, '..', 'shared', 'repro', 'hostile-input'))
WORK = os.environ.get('WORK', '/tmp/outpost-slow-readers')
os.makedirs(WORK, exist_ok=True)
sys.path.insert(0, REPRO)
os.environ.setdefault('PORT', '19391'); os.environ.setdefault('APP', 'app1')
import lib
jar, label = os.path.abspath(sys.argv[1]), sys.argv[2]
port = int(os.environ['PORT'])
data = WORK + f'/data-{label}'
shutil.rmtree(data, ignore_errors=True)
log = open(WORK + f'/server-{label}.log', 'w')
srv = subprocess.Popen([jar, 'serve', '--host', '127.0.0.1', '--port', str(port), '--app-id', 'app1',
                        '--data-dir', data], stdout=log, stderr=log,
                       env=dict(os.environ, JAVA_OPTS=os.environ.get('JAVA_OPTS', '') + ' -XX:NativeMemoryTracking=summary'))
open(WORK + f'/pid-{label}', 'w').write(str(srv.pid))
for _ in range(120):
    try:
        if lib.http('GET', '/health', timeout=2)[0] == 200: break
    except Exception: pass
    time.sleep(0.5)
peak = {'direct': 0, 'rss': 0, 'nmt_other': 0}
stop = False
def metric(text, name, labels):
    for line in text.splitlines():
        if line.startswith(name) and labels in line:
            return float(line.split()[-1])
    return 0.0
def sampler():
    while not stop:
        try:
            m = urllib.request.urlopen(f'http://127.0.0.1:{port}/metrics', timeout=5).read().decode()
            peak['direct'] = max(peak['direct'], metric(m, 'jvm_buffer_memory_used_bytes', 'id="direct"'))
        except Exception: pass
        try:
            rss = int(re.search(r'VmRSS:\s+(\d+)', open(f'/proc/{srv.pid}/status').read()).group(1)) * 1024
            peak['rss'] = max(peak['rss'], rss)
        except Exception: pass
        try:
            out = subprocess.run(['jcmd', str(srv.pid), 'VM.native_memory', 'summary'], capture_output=True,
                                 text=True, timeout=20).stdout
            mo = re.search(r'-\s+Other \(reserved=\d+KB, committed=(\d+)KB', out)
            if mo: peak['nmt_other'] = max(peak['nmt_other'], int(mo.group(1)) * 1024)
        except Exception: pass
        time.sleep(2)
threading.Thread(target=sampler, daemon=True).start()
hogs = []
for i in range(8):
    out = open(WORK + f'/hog-{label}-{i}.log', 'w')
    hogs.append((subprocess.Popen([sys.executable, '-u', os.path.join(REPRO, 't_slowc2.py'),
                                   WORK + f'/pid-{label}', '3000'], stdout=out, stderr=out,
                                  cwd=REPRO), out.name))
# wait until every hog sent its idents
deadline = time.time() + 300
while time.time() < deadline and not all('got idents' in open(n).read() for _, n in hogs):
    time.sleep(0.5)
t_idents = time.time()
time.sleep(3)
part = f'"big-{hogs[0][0].pid}"'
def honest(results, k):
    t0 = time.time()
    try:
        w = lib.WS(lib.anon()['access_token'], timeout=120)
        w.send(lib.bind(1, part)); 
        while True:
            op, p = w.recv_frame(120)
            if p.startswith(b'ident'): f = p.split(); break
        w.send(f'ident 1 {int(f[2])} {int(f[3])} 0 0 0 0\n'.encode()); w.send(b'mark 1 1\n')
        got = 0
        while True:
            op, p = w.recv_frame(120)
            got += len(p)
            if p.startswith(b'mark'): break
        results[k] = (time.time() - t0, got)
        w.close()
    except Exception as e:
        results[k] = (time.time() - t0, repr(e)[:60])
res = {}
ts = [threading.Thread(target=honest, args=(res, k)) for k in range(3)]
[t.start() for t in ts]; [t.join() for t in ts]
for p, n in hogs: p.wait(timeout=200)
stop = True
time.sleep(1)
print(label, 'honest syncs (s, bytes):', [res[k] for k in range(3)],
      'median s: %.2f' % statistics.median(r[0] for r in res.values()))
print(label, 'peak direct (jvm_buffer direct): %.1f MB, peak RSS: %.1f MB, peak NMT Other (Netty direct): %.1f MB'
      % (peak['direct'] / 1e6, peak['rss'] / 1e6, peak['nmt_other'] / 1e6))
for p, n in hogs[:1]:
    print(open(n).read())
srv.terminate(); srv.wait(timeout=30)
