#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""gifc serve tests: the JSON API over real HTTP. Every refusal of issue 17 (token, Host,
Origin, 413 before the body is stored, 429, no client name used as a path, unknown and
out-of-range options), a real conversion to a budget read back by the independent decoder,
a failed job on junk input with the server still answering, 20 uploads at once, a client
that disconnects mid-upload leaving no file, DELETE, and SIGTERM leaving no file.

    python3 tests/e2e/serve_test.py --gifc build/gifc --probe build/tests/probe --fixtures fixtures

Python 3 standard library only. Each server runs with TMPDIR set to a fresh folder, so
"no temporary file" means that folder is empty once the server is gone.
"""
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gifc_testlib as lib  # noqa: E402

CLIP = 'h264_aac_320x180_25fps_2s.mp4'


class Server:
    """One `gifc serve` process with its own TMPDIR."""

    def __init__(self, *args):
        self.tmp = tempfile.mkdtemp(prefix='serve-test-')
        env = dict(os.environ, TMPDIR=self.tmp)
        self.p = subprocess.Popen(lib.gifc_cmd() + ['serve'] + list(args), env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  stdin=subprocess.DEVNULL)
        line = self.p.stdout.readline().decode().strip()
        if not line.startswith('http://127.0.0.1:'):
            self.p.kill()
            raise AssertionError('no address line: %r %r' % (line, self.p.stderr.read()))
        self.url = line
        self.port = int(line.split(':')[2].split('/')[0])
        self.token = line.split('token=')[1]
        self.host = '127.0.0.1:%d' % self.port

    def folder(self):
        """The server's private folder (gifc-serve-XXXXXX in TMPDIR)."""
        names = [n for n in os.listdir(self.tmp) if n.startswith('gifc-serve-')]
        assert len(names) == 1, names
        return os.path.join(self.tmp, names[0])

    def request(self, method, path, body=None, headers=None, token=True, host=None):
        """(status, parsed JSON or raw bytes, response headers)."""
        c = http.client.HTTPConnection('127.0.0.1', self.port, timeout=120)
        h = {'Host': host or self.host}
        if token:
            h['X-Gifc-Token'] = self.token
        h.update(headers or {})
        c.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for k, v in h.items():
            c.putheader(k, v)
        if body is not None:
            c.putheader('Content-Length', str(len(body)))
        c.endheaders()
        if body is not None:
            c.send(body)
        r = c.getresponse()
        data = r.read()
        c.close()
        if r.getheader('Content-Type', '').startswith('application/json'):
            data = json.loads(data.decode())
        return r.status, data, r

    def submit(self, body, query=''):
        st, j, _ = self.request('POST', '/api/jobs' + ('?' + query if query else ''), body)
        return st, j

    def wait(self, job_id, timeout=300):
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout * (10 if lib.SLOW else 1):
            st, j, _ = self.request('GET', '/api/jobs/%d' % job_id)
            assert st == 200, (st, j)
            assert 0 <= j['progress'] <= 1, j
            if j['state'] in ('done', 'failed'):
                return j
            time.sleep(0.1)
        raise AssertionError('job %d did not finish' % job_id)

    def stop(self, sig=signal.SIGTERM):
        if self.p.poll() is None:
            self.p.send_signal(sig)
        try:
            _, err = self.p.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.communicate()
            raise AssertionError('gifc serve did not stop on signal %d' % sig)
        return self.p.returncode, err.decode(errors='replace')

    def cleanup(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.communicate()
        shutil.rmtree(self.tmp, ignore_errors=True)


def fixture(name):
    with open(os.path.join(lib.FIXTURES, name), 'rb') as f:
        return f.read()


def raw_request(port, text, body=b'', close_after=False):
    """Sends bytes over a plain socket; returns the status line's code (or None)."""
    s = socket.create_connection(('127.0.0.1', port), timeout=60)
    s.sendall(text.encode() + body)
    if close_after:
        s.close()
        return None
    data = b''
    try:
        while b'\r\n' not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    except ConnectionResetError:
        pass
    s.close()
    return int(data.split()[1]) if data else None


class ServeTest(unittest.TestCase):
    def setUp(self):
        self.srv = Server('-j', '2')
        self.addCleanup(self.srv.cleanup)

    def assert_clean_stop(self, srv):
        code, err = srv.stop()
        self.assertEqual(code, 0, err)
        self.assertEqual(os.listdir(srv.tmp), [], 'files left behind after the stop')

    # ---- refusals ----

    def test_token_required_everywhere(self):
        s = self.srv
        for method, path in (('GET', '/'), ('GET', '/api/options'), ('GET', '/api/jobs/1'),
                             ('GET', '/api/jobs/1/output'), ('DELETE', '/api/jobs/1')):
            st, j, _ = s.request(method, path, token=False)
            self.assertEqual(st, 403, (method, path))
            st, j, _ = s.request(method, path, token=False,
                                 headers={'X-Gifc-Token': s.token[:-1] + 'x'})
            self.assertEqual(st, 403, (method, path, 'wrong token'))
        st, _ = s.request('POST', '/api/jobs', b'x' * 100, token=False)[:2]
        self.assertEqual(st, 403)
        # Either way of giving it works.
        self.assertEqual(s.request('GET', '/api/options')[0], 200)
        self.assertEqual(s.request('GET', '/api/options?token=' + s.token, token=False)[0], 200)
        st, page, r = s.request('GET', '/?token=' + s.token, token=False)
        self.assertEqual(st, 200)
        self.assertIn(b'<html', page)
        self.assertIn('text/html', r.getheader('Content-Type'))
        self.assertNotIn(b'http://', page.replace(b'http://www.w3.org', b''),
                         'the page must not load anything from elsewhere')
        self.assertEqual(os.listdir(s.folder()), [])

    def test_host_must_be_loopback_with_port(self):
        s = self.srv
        for host in ('evil.example:%d' % s.port, 'evil.example', '127.0.0.1',
                     '127.0.0.1:%d' % (s.port + 1), 'localhost.evil.example:%d' % s.port):
            self.assertEqual(s.request('GET', '/api/options', host=host)[0], 403, host)
            self.assertEqual(s.request('POST', '/api/jobs', fixture(CLIP), host=host)[0],
                             403, host)
        self.assertEqual(s.request('GET', '/api/options', host='localhost:%d' % s.port)[0], 200)
        self.assertEqual(os.listdir(s.folder()), [])

    def test_foreign_origin_refused_on_changes(self):
        s = self.srv
        evil = {'Origin': 'http://evil.example'}
        self.assertEqual(s.request('POST', '/api/jobs', fixture(CLIP), headers=evil)[0], 403)
        self.assertEqual(os.listdir(s.folder()), [])
        st, j = s.submit(fixture(CLIP), 'width=64')
        self.assertEqual(st, 201, j)
        self.assertEqual(s.request('DELETE', '/api/jobs/%d' % j['id'], headers=evil)[0], 403)
        own = {'Origin': 'http://127.0.0.1:%d' % s.port}
        st, j2, _ = s.request('POST', '/api/jobs?width=64', fixture(CLIP), headers=own)
        self.assertEqual(st, 201, j2)
        self.assertEqual(s.wait(j['id'])['state'], 'done')
        self.assertEqual(s.request('DELETE', '/api/jobs/%d' % j['id'], headers=own)[0], 200)
        self.assertEqual(s.request('GET', '/api/jobs/%d' % j['id'])[0], 404)

    def test_options_refused_before_the_body(self):
        s = self.srv
        for query, words in (('width=0', 'width'), ('width=abc', 'width'),
                             ('max-size=-5', 'max-size'), ('nonsense=1', 'unknown option'),
                             ('font=/etc/passwd', 'unknown option'), ('force=1', 'unknown'),
                             ('max_size=500K', 'unknown option'),
                             ('smooth-loop=1&bounce=1', 'bounce')):
            st, j = s.submit(fixture(CLIP), query)
            self.assertEqual(st, 400, (query, j))
            self.assertIn(words, j['error'], query)
            self.assertNotIn('\n', j['error'])
        self.assertEqual(os.listdir(s.folder()), [])

    def test_413_before_the_body_is_stored(self):
        srv = Server('--max-upload', '100K')
        self.addCleanup(srv.cleanup)
        # Only the headers are sent: the answer must come without any body.
        head = ('POST /api/jobs HTTP/1.1\r\nHost: %s\r\nX-Gifc-Token: %s\r\n'
                'Content-Length: 5000000000\r\n\r\n' % (srv.host, srv.token))
        self.assertEqual(raw_request(srv.port, head), 413)
        self.assertEqual(os.listdir(srv.folder()), [])
        # Without a length (chunked), cut off past the limit; nothing kept.
        chunk = b'x' * 50000
        body = b''.join(b'%x\r\n%s\r\n' % (len(chunk), chunk) for _ in range(4)) + b'0\r\n\r\n'
        head = ('POST /api/jobs HTTP/1.1\r\nHost: %s\r\nX-Gifc-Token: %s\r\n'
                'Transfer-Encoding: chunked\r\n\r\n' % (srv.host, srv.token))
        self.assertEqual(raw_request(srv.port, head, body), 413)
        self.assertEqual(os.listdir(srv.folder()), [])
        # Under the limit it is accepted.
        st, j = srv.submit(fixture('gif_transparent_localpal_160x90_24frames.gif'))
        self.assertEqual(st, 201, j)
        self.assertEqual(srv.wait(j['id'])['state'], 'done')
        self.assert_clean_stop(srv)

    def test_429_past_the_queue_cap(self):
        srv = Server('--max-queue', '2', '-j', '1')
        self.addCleanup(srv.cleanup)
        clip = fixture(CLIP)
        # bounce + reverse read the whole clip before any output: slow enough to stay busy.
        slow = 'bounce=1&reverse=1&width=320&fps=25'
        codes = [srv.submit(clip, slow)[0] for _ in range(4)]
        self.assertEqual(codes[:2], [201, 201], codes)
        self.assertIn(429, codes[2:], codes)
        st, j = srv.submit(clip, slow)
        if st == 429:
            self.assertIn('too many jobs', j['error'])
        self.assert_clean_stop(srv)

    def test_no_client_name_is_a_path(self):
        s = self.srv
        outside = os.path.join(s.tmp, 'evil')
        st, j = s.submit(fixture(CLIP), 'width=64&name=../../evil%2Fx.gif')
        self.assertEqual(st, 201, j)
        done = s.wait(j['id'])
        self.assertEqual(done['state'], 'done', done)
        self.assertFalse(os.path.exists(outside))
        self.assertEqual(sorted(os.listdir(s.tmp)), [os.path.basename(s.folder())])
        self.assertEqual(os.listdir(s.folder()), ['job-%d.gif' % j['id']])
        st, data, r = s.request('GET', '/api/jobs/%d/output' % j['id'])
        disp = r.getheader('Content-Disposition')
        self.assertNotIn('/', disp)
        self.assertIn('.gif"', disp)
        self.assertEqual(oct(os.stat(s.folder()).st_mode & 0o777), '0o700')

    # ---- conversions ----

    def test_conversion_to_a_budget(self):
        s = self.srv
        st, j = s.submit(fixture(CLIP), 'max-size=60K&width=320&name=clip.mp4')
        self.assertEqual(st, 201, j)
        done = s.wait(j['id'])
        self.assertEqual(done['state'], 'done', done)
        res = done['result']
        self.assertEqual(res['format'], 'gif')
        self.assertLessEqual(res['bytes'], 60000)
        self.assertEqual(res['budget']['max_size'], 60000)
        st, data, r = s.request('GET', '/api/jobs/%d/output' % j['id'])
        self.assertEqual(st, 200)
        self.assertEqual(r.getheader('Content-Type'), 'image/gif')
        self.assertEqual(r.getheader('Content-Disposition'), 'attachment; filename="clip.gif"')
        self.assertEqual(len(data), res['bytes'])
        self.assertLessEqual(len(data), 60000)
        path = os.path.join(s.tmp, 'out.gif')
        with open(path, 'wb') as f:
            f.write(data)
        info = lib.probe(path)
        self.assertEqual(info['format'], 'gif')
        self.assertEqual((info['width'], info['height']), (res['width'], res['height']))
        self.assertLessEqual(info['width'], 320)
        os.unlink(path)
        # MP4 too, named by format=.
        st, j = s.submit(fixture(CLIP), 'format=mp4&width=160')
        done = s.wait(j['id'])
        self.assertEqual(done['state'], 'done', done)
        st, data, r = s.request('GET', '/api/jobs/%d/output' % j['id'])
        self.assertEqual(r.getheader('Content-Type'), 'video/mp4')
        self.assertEqual(data[4:8], b'ftyp')
        self.assertEqual(done['result']['width'], 160)
        # Every other format is named and typed as what it is, not as a GIF.
        for fmt, mime, magic in (('webp', 'image/webp', b'WEBP'), ('webm', 'video/webm', None),
                                 ('avif', 'image/avif', b'ftyp')):
            st, j = s.submit(fixture(CLIP), 'format=%s&width=96&duration=0.5&name=clip' % fmt)
            done = s.wait(j['id'])
            self.assertEqual(done['state'], 'done', done)
            st, data, r = s.request('GET', '/api/jobs/%d/output' % j['id'])
            self.assertEqual(r.getheader('Content-Type'), mime)
            self.assertEqual(r.getheader('Content-Disposition'),
                             'attachment; filename="clip.%s"' % fmt)
            if magic:
                self.assertIn(magic, data[:16])
        self.assert_clean_stop(s)

    def test_estimate_job(self):
        # estimate=1: the size predicted (gifc --estimate), no file; the page's live estimate.
        s = self.srv
        st, j = s.submit(fixture(CLIP), 'estimate=1&format=webp&width=160&name=clip')
        self.assertEqual(st, 201, j)
        done = s.wait(j['id'])
        self.assertEqual(done['state'], 'done', done)
        est = done['result']
        self.assertEqual((est['format'], est['width']), ('webp', 160))
        st, _, _ = s.request('GET', '/api/jobs/%d/output' % j['id'])
        self.assertEqual(st, 409)
        self.assertEqual([n for n in os.listdir(s.folder()) if n.endswith('.webp')], [])
        # The real conversion lands within the 15% of the estimate.
        st, j = s.submit(fixture(CLIP), 'format=webp&width=160&name=clip')
        done = s.wait(j['id'])
        real = done['result']['bytes']
        self.assertLessEqual(abs(est['estimated_bytes'] - real), 0.15 * real, (est, real))
        self.assert_clean_stop(s)

    def test_junk_is_a_failed_job_not_a_dead_server(self):
        s = self.srv
        for body in (b'this is not a video\n' * 50, b'', fixture('bad_truncated.mp4')):
            st, j = s.submit(body)
            self.assertEqual(st, 201, j)
            done = s.wait(j['id'])
            self.assertEqual(done['state'], 'failed', done)
            self.assertTrue(done['error'])
            self.assertNotIn('\n', done['error'])
            self.assertNotIn(s.tmp, done['error'], 'the private folder is not shown')
            self.assertIsNone(done['result'])
            self.assertEqual(s.request('GET', '/api/jobs/%d/output' % j['id'])[0], 409)
        self.assertEqual(s.request('GET', '/api/options')[0], 200)
        self.assertEqual(os.listdir(s.folder()), [], 'a failed job keeps no file')
        self.assert_clean_stop(s)

    def test_twenty_uploads_at_once(self):
        s = self.srv
        clip = fixture(CLIP)
        ids, errors = [], []

        def one(i):
            try:
                st, j = s.submit(clip, 'width=48&fps=5&name=c%d.mp4' % i)
                if st != 201:
                    errors.append((st, j))
                else:
                    ids.append(j['id'])
            except Exception as e:  # noqa: BLE001  (reported below)
                errors.append(repr(e))
        threads = [threading.Thread(target=one, args=(i,)) for i in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        self.assertEqual(len(set(ids)), 20)
        for i in ids:
            done = s.wait(i)
            self.assertEqual(done['state'], 'done', done)
            self.assertLessEqual(done['result']['width'], 48)
            self.assertEqual(s.request('DELETE', '/api/jobs/%d' % i)[0], 200)
        self.assertEqual(os.listdir(s.folder()), [])
        self.assert_clean_stop(s)

    def test_disconnect_mid_upload_leaves_nothing(self):
        s = self.srv
        head = ('POST /api/jobs HTTP/1.1\r\nHost: %s\r\nX-Gifc-Token: %s\r\n'
                'Content-Length: 1000000\r\n\r\n' % (s.host, s.token))
        raw_request(s.port, head, b'x' * 200000, close_after=True)
        # Part of a body and the FIN in one go, many times (more than the queue cap, so a
        # leak shows as 429s too).
        for _ in range(40):
            raw_request(s.port, head, b'x' * 3000, close_after=True)
        # The server may still be reading the last requests when they return here: wait
        # for the folder to stay empty for a second (each upload's file is made, then
        # removed when the server sees the disconnect), 30 s at most.
        t0 = time.monotonic()
        empty_since = None
        while time.monotonic() - t0 < 30:
            if os.listdir(s.folder()):
                empty_since = None
            elif empty_since is None:
                empty_since = time.monotonic()
            elif time.monotonic() - empty_since >= 1:
                break
            time.sleep(0.1)
        self.assertEqual(os.listdir(s.folder()), [])
        self.assertEqual(s.request('GET', '/api/options')[0], 200)
        self.assertEqual(s.request('GET', '/api/jobs/1')[0], 404)

    def test_delete_a_running_job(self):
        s = self.srv
        st, j = s.submit(fixture(CLIP), 'bounce=1&reverse=1&width=320&fps=25')
        self.assertEqual(st, 201)
        self.assertEqual(s.request('DELETE', '/api/jobs/%d' % j['id'])[0], 200)
        self.assertEqual(s.request('GET', '/api/jobs/%d' % j['id'])[0], 404)
        t0 = time.monotonic()
        while os.listdir(s.folder()) and time.monotonic() - t0 < 60:
            time.sleep(0.1)
        self.assertEqual(os.listdir(s.folder()), [])

    def test_sigterm_mid_conversion_leaves_nothing(self):
        s = self.srv
        clip = fixture(CLIP)
        for _ in range(4):
            st, j = s.submit(clip, 'bounce=1&reverse=1&width=320&fps=25')
            self.assertEqual(st, 201)
        # An upload in flight too.
        sock = socket.create_connection(('127.0.0.1', s.port))
        sock.sendall(('POST /api/jobs HTTP/1.1\r\nHost: %s\r\nX-Gifc-Token: %s\r\n'
                      'Content-Length: 1000000\r\n\r\n' % (s.host, s.token)).encode() + b'x' * 1000)
        time.sleep(0.3)
        self.assertTrue(os.listdir(s.folder()))
        self.assert_clean_stop(s)
        sock.close()

    def test_target(self):
        s = self.srv
        st, j, _ = s.request('GET', '/api/options')
        targets = {t['name']: t for t in j['targets']}
        if 'discord-emoji' not in targets:
            self.skipTest('this build has no discord-emoji target')
        rules = targets['discord-emoji']['formats'][0]
        st, e = s.submit(fixture(CLIP), 'for=nowhere')
        self.assertEqual(st, 400)
        self.assertIn('nowhere', e['error'])
        st, e = s.submit(fixture(CLIP), 'for=discord-emoji&width=%d' % (rules['width'] + 72))
        self.assertEqual(st, 400, e)
        self.assertIn('width', e['error'])
        st, j = s.submit(fixture(CLIP), 'for=discord-emoji')
        self.assertEqual(st, 201, j)
        done = s.wait(j['id'])
        self.assertEqual(done['state'], 'done', done)
        self.assertEqual(done['target'], {'name': 'discord-emoji', 'met': True, 'why': None})
        res = done['result']
        self.assertLessEqual(res['bytes'], rules['max_bytes'])
        self.assertLessEqual(max(res['width'], res['height']), rules['width'])

    def test_options_lists_the_table(self):
        s = self.srv
        st, j, _ = s.request('GET', '/api/options')
        self.assertEqual(st, 200)
        names = {o['name']: o for o in j['options']}
        self.assertIn('max-size', names)
        self.assertEqual((names['width']['min'], names['width']['max']), (1, 16384))
        # The choices as the CLI's own help lists them (formats grow; the server restates none).
        choices = names['format']['choices'].split('|')
        self.assertEqual(choices[:2], ['gif', 'mp4'])
        self.assertIn('webp', choices)
        self.assertNotIn('font', names)
        # Which formats each option acts on, by name, for every format the library writes.
        formats = [f['name'] for f in j['formats']]
        self.assertEqual(formats, choices)
        self.assertEqual(set(names['width']['applies']), set(formats))
        self.assertIn('webp', names['quality']['applies'])
        self.assertNotIn('mp4', names['colors']['applies'])
        self.assertIsInstance(j['targets'], list)
        self.assertEqual(j['max_upload'], 2000000000)
        # The ranges are the ones gifc_option_set applies: just past width's max is refused.
        st, e = s.submit(b'x', 'width=%d' % (names['width']['max'] + 1))
        self.assertEqual(st, 400)


def main():
    rest = lib.configure(sys.argv[1:], __doc__.splitlines()[0])
    if lib.FIXTURES is None:
        sys.exit('serve_test.py: --fixtures is required')
    if subprocess.run(lib.gifc_cmd() + ['serve', '--help'], stdout=subprocess.DEVNULL,
                      stderr=subprocess.DEVNULL).returncode != 0:
        print('gifc built without serve (no libmicrohttpd): skipped')
        sys.exit(77)
    lib.run_tests(rest)


if __name__ == '__main__':
    main()
