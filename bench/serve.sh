#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# serve.sh - gifc serve under a long session: memory and temporary files.
#
# Usage: bench/serve.sh [CONVERSIONS] [BAD_REQUESTS] [INPUT]
#   (defaults: 50, 1000, fixtures/h264_aac_320x180_25fps_2s.mp4); GIFC=path overrides build/gifc,
#   QUERY the conversions' options (default max-size=100K&width=320).
#
# Starts `gifc serve` with TMPDIR set to a fresh folder, then runs CONVERSIONS conversions in
# a row through the JSON API (POST with QUERY, poll, download, DELETE), then
# BAD_REQUESTS malformed or unauthorised requests in rotation (no token, a wrong token, a
# foreign Host, a foreign Origin on POST, an unknown option, an out-of-range value, an
# oversized Content-Length, a garbled request line, a body cut off mid-upload, an unknown
# path, a job that does not exist, junk input that becomes a failed job and is deleted).
# Prints the server's RSS (/proc/PID/status VmRSS) after the first conversion, after the
# last one and after the bad requests, and the files in its folder at the end. The figure
# of issue 17: the last RSS within 50 MB of the first, and the folder empty. Exit 1 if not.
set -euo pipefail

N=${1:-50}
BAD=${2:-1000}
INPUT=${3:-fixtures/h264_aac_320x180_25fps_2s.mp4}
GIFC=${GIFC:-build/gifc}
QUERY=${QUERY:-max-size=100K&width=320}  # the conversions' options (POST /api/jobs?QUERY)
[ -x "$GIFC" ] || { echo "serve.sh: $GIFC not found (build first, or set GIFC)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
TMPDIR=$tmp "$GIFC" serve -j 1 >"$tmp/url" 2>"$tmp/log" &
pid=$!
for _ in $(seq 100); do [ -s "$tmp/url" ] && break; sleep 0.1; done
url=$(head -1 "$tmp/url")
[ -n "$url" ] || { echo "serve.sh: no address from gifc serve" >&2; cat "$tmp/log" >&2; exit 1; }

python3 - "$url" "$pid" "$N" "$BAD" "$INPUT" "$tmp" "$QUERY" <<'PY'
import http.client, json, os, socket, sys, time
url, pid, n, bad, inp, tmp = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
query = sys.argv[7]
port = int(url.split(':')[2].split('/')[0]); token = url.split('token=')[1]
host = '127.0.0.1:%d' % port
clip = open(inp, 'rb').read()

def rss_mb():
    for line in open('/proc/%d/status' % pid):
        if line.startswith('VmRSS:'):
            return int(line.split()[1]) / 1024.0

def req(method, path, body=None, headers=None, tok=True, h=None):
    c = http.client.HTTPConnection('127.0.0.1', port, timeout=300)
    hd = {'Host': h or host}
    if tok: hd['X-Gifc-Token'] = token
    hd.update(headers or {})
    c.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    for k, v in hd.items(): c.putheader(k, v)
    if body is not None: c.putheader('Content-Length', str(len(body)))
    c.endheaders()
    if body is not None: c.send(body)
    r = c.getresponse(); data = r.read(); c.close()
    return r.status, data

def raw(text, close=False):
    s = socket.create_connection(('127.0.0.1', port), timeout=60)
    try:
        s.sendall(text)
        if not close: s.recv(4096)
    except OSError:
        pass
    s.close()

def convert():
    st, d = req('POST', '/api/jobs?' + query, clip)
    assert st == 201, (st, d)
    i = json.loads(d)['id']
    while True:
        st, d = req('GET', '/api/jobs/%d' % i); j = json.loads(d)
        if j['state'] in ('done', 'failed'): break
        time.sleep(0.05)
    assert j['state'] == 'done', j
    st, d = req('GET', '/api/jobs/%d/output' % i)
    assert st == 200 and len(d) == j['result']['bytes'], (st, len(d))
    if j['result'].get('budget'): assert len(d) <= j['result']['budget']['max_size']
    assert req('DELETE', '/api/jobs/%d' % i)[0] == 200

t0 = time.monotonic()
convert()
first = rss_mb()
for _ in range(n - 1): convert()
after_conv = rss_mb()
t1 = time.monotonic()
kinds = [
    lambda: req('GET', '/api/options', tok=False),
    lambda: req('GET', '/api/options', headers={'X-Gifc-Token': '0' * 32}, tok=False),
    lambda: req('GET', '/api/options', h='evil.example:%d' % port),
    lambda: req('POST', '/api/jobs', clip, headers={'Origin': 'http://evil.example'}),
    lambda: req('POST', '/api/jobs?nonsense=1', clip),
    lambda: req('POST', '/api/jobs?width=0', clip),
    lambda: raw(('POST /api/jobs HTTP/1.1\r\nHost: %s\r\nX-Gifc-Token: %s\r\n'
                 'Content-Length: 99999999999\r\n\r\n' % (host, token)).encode()),
    lambda: raw(b'GARBAGE \x00\xff /// HTTP/9.9\r\n\r\n'),
    lambda: raw(('POST /api/jobs HTTP/1.1\r\nHost: %s\r\nX-Gifc-Token: %s\r\n'
                 'Content-Length: 100000\r\n\r\n' % (host, token)).encode() + clip[:5000], close=True),
    lambda: req('GET', '/nowhere'),
    lambda: req('GET', '/api/jobs/999999'),
]
def junk():
    st, d = req('POST', '/api/jobs', b'not a video' * 10)
    i = json.loads(d)['id']
    while json.loads(req('GET', '/api/jobs/%d' % i)[1])['state'] not in ('done', 'failed'):
        time.sleep(0.02)
    req('DELETE', '/api/jobs/%d' % i)
kinds.append(junk)
for k in range(bad): kinds[k % len(kinds)]()
time.sleep(1)  # cut-off uploads: the server notices the closed sockets
after_bad = rss_mb()
t2 = time.monotonic()
left = []
for root, dirs, files in os.walk(tmp):
    left += [os.path.join(root, f) for f in files if f not in ('url', 'log')]
print('conversions: %d in %.1f s; bad requests: %d in %.1f s' % (n, t1 - t0, bad, t2 - t1))
print('RSS after the first conversion: %.1f MB' % first)
print('RSS after %d conversions:       %.1f MB (%+.1f MB)' % (n, after_conv, after_conv - first))
print('RSS after %d bad requests:    %.1f MB (%+.1f MB)' % (bad, after_bad, after_bad - first))
print('files left in the server folder: %d %s' % (len(left), left[:5]))
ok = max(after_conv, after_bad) - first <= 50 and not left
print('figure (within 50 MB, folder empty): %s' % ('met' if ok else 'NOT met'))
sys.exit(0 if ok else 1)
PY
kill -TERM "$pid"
wait "$pid"
left=$(find "$tmp" -mindepth 1 ! -name url ! -name log | wc -l)
echo "after SIGTERM: exit 0, $left entries left in TMPDIR"
[ "$left" -eq 0 ]
