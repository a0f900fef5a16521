#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Error tests: bad inputs, bad outputs, bad options and interrupts, each checked for the
documented exit code (gifc --help), one stderr line naming the culprit, an exit below 128
(not a crash), and nothing left behind (no output, no hidden temporary file, no spool).

    python3 tests/e2e/errors_test.py --gifc build/gifc --probe build/tests/probe --fixtures fixtures
        [unittest options]

Python 3 standard library only; the SIGINT fallback input is made with the ffmpeg CLI.
"""
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
import unittest

sys.dont_write_bytecode = True  # keep tests/ free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gifc_testlib as lib  # noqa: E402  (helpers: configure, run_gifc, probe, sha256...)

EXIT = {'ok': 0, 'failure': 1, 'usage': 2, 'input': 3, 'unsupported': 4, 'corrupt': 5,
        'output': 6, 'exists': 7, 'limit': 10, 'sigint': 130, 'sigterm': 143}
IS_ROOT = hasattr(os, 'geteuid') and os.geteuid() == 0

# Truncation: (fixture, cuts) where every cut fails. Cuts are fractions of the size or byte
# counts; the tail of an MP4, WebM or APNG is not checked: a file missing its last frames is
# not always detectable (WebM states no frame count; see README, known gaps).
TRUNCATED = [
    ('gif_transparent_localpal_160x90_24frames.gif', (1, 6, 13, 40, 0.25, 0.5, 0.9, -1)),
    ('h264_aac_320x180_25fps_2s.mp4', (1, 6, 13, 40, 0.25, 0.5, 0.9)),
    ('vp9_odd_175x97_25fps_2s.webm', (1, 6, 13, 40)),
    ('apng_alpha_128x96_15frames.apng', (1, 6, 13, 40, 0.25, 0.5)),
    ('webp_anim_alpha_128x96_9frames.webp', (1, 6, 13, 40, 0.25, 0.5, 0.9, -1)),
]

GOOD = 'h264_vfr_320x180_13frames.mp4'    # small and quick: for output-side errors
CLIP = 'h264_aac_320x180_25fps_2s.mp4'    # the slowest fixture to convert: for signals


def reset_signals():
    """In the child: default SIGINT / SIGTERM handling, whatever the test runner set (a
    shell's background job or a test harness may start us with SIGINT ignored, and gifc
    keeps an ignored SIGINT ignored, as it should)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


class ErrorCase(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='gifc-err-')
        self.out_dir = os.path.join(self.tmp, 'out')
        self.spool = os.path.join(self.tmp, 'tmpdir')  # TMPDIR: stdin spool, -o - temp
        os.mkdir(self.out_dir)
        os.mkdir(self.spool)
        self.env = dict(os.environ, TMPDIR=self.spool)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def fixture(self, name):
        return os.path.join(lib.FIXTURES, name)

    def gifc(self, args, **kw):
        kw.setdefault('env', self.env)
        return lib.run_gifc(args, **kw)

    def assert_failure(self, p, code, names, left=()):
        """Exit code, exactly one stderr line naming each of names, nothing on stdout, no
        crash, and only the files in `left` in the output folder, nothing in TMPDIR."""
        err = p.stderr.decode(errors='replace')
        self.assertEqual(p.returncode, code, 'exit %d, stderr: %s' % (p.returncode, err))
        self.assertGreaterEqual(p.returncode, 0, 'killed by a signal')
        self.assertLess(p.returncode, 128)
        lines = err.splitlines()
        self.assertEqual(len(lines), 1, 'want one stderr line, got: %r' % err)
        self.assertTrue(lines[0].startswith('gifc: '), lines[0])
        for n in names:
            self.assertIn(n, lines[0])
        self.assertEqual(p.stdout, b'')
        self.assertEqual(sorted(os.listdir(self.out_dir)), sorted(left))
        self.assertEqual(os.listdir(self.spool), [], 'temporary files left in TMPDIR')

    def convert_fails(self, src, code, names=None, out='o.gif', extra=()):
        before = lib.sha256(src) if os.path.isfile(src) else None
        dest = os.path.join(self.out_dir, out)
        p = self.gifc([src, '-o', dest] + list(extra))
        self.assert_failure(p, code, [src] if names is None else names)
        if before:
            self.assertEqual(lib.sha256(src), before, 'input modified')
        return p

    # ---- inputs ----

    def test_empty_file(self):
        # zero bytes: nothing to decode -> corrupt / truncated
        self.convert_fails(self.fixture('bad_empty.mp4'), EXIT['corrupt'])

    def test_text_file_named_mp4(self):
        self.convert_fails(self.fixture('bad_text.mp4'), EXIT['unsupported'])

    def test_truncated_mp4(self):
        for out in ('o.gif', 'o.mp4'):
            with self.subTest(out=out):
                self.convert_fails(self.fixture('bad_truncated.mp4'), EXIT['corrupt'], out=out)

    def test_truncated_gif(self):
        for out in ('o.gif', 'o.mp4'):
            with self.subTest(out=out):
                self.convert_fails(self.fixture('bad_truncated.gif'), EXIT['corrupt'], out=out)

    def test_no_video_stream(self):
        if not lib.have_ffmpeg():
            self.skipTest('ffmpeg CLI not found (needed to make an audio-only file)')
        src = os.path.join(self.tmp, 'audio-only.mp4')
        subprocess.run(['ffmpeg', '-v', 'error', '-nostdin', '-y', '-f', 'lavfi', '-i',
                        'sine=duration=1', '-c:a', 'aac', src], check=True, timeout=120)
        self.convert_fails(src, EXIT['unsupported'])

    def test_truncated_at_several_offsets(self):
        for name, cuts in TRUNCATED:
            with open(self.fixture(name), 'rb') as f:
                data = f.read()
            for cut in cuts:
                n = (len(data) + cut if cut < 0 else int(len(data) * cut) if cut < 1
                     else cut)
                with self.subTest(name=name, bytes=n):
                    src = os.path.join(self.tmp, 'cut-' + name)
                    with open(src, 'wb') as f:
                        f.write(data[:n])
                    dest = os.path.join(self.out_dir, 'o.gif')
                    p = self.gifc([src, '-o', dest])
                    # A few bytes are no format at all (4); more are a damaged one (5).
                    self.assertIn(p.returncode, (EXIT['unsupported'], EXIT['corrupt']),
                                  p.stderr)
                    self.assert_failure(p, p.returncode, [src])
                    with open(src, 'rb') as f:
                        self.assertEqual(f.read(), data[:n], 'input modified')

    def test_wrong_extension_converts_by_content(self):
        # What a user expects of a GIF saved as .mp4 (or a WebP as .gif): it converts.
        for name, fake in (('gif_transparent_localpal_160x90_24frames.gif', 'clip.mp4'),
                           ('h264_vfr_320x180_13frames.mp4', 'clip.gif'),
                           ('webp_anim_alpha_128x96_9frames.webp', 'anim.png')):
            with self.subTest(name=name, as_name=fake):
                src = os.path.join(self.tmp, fake)
                shutil.copyfile(self.fixture(name), src)
                before = lib.sha256(src)
                dest = os.path.join(self.out_dir, 'o.gif')
                p = self.gifc([src, '-o', dest, '-q', '--force'])
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertGreater(lib.probe(dest)['frames'], 0)
                self.assertEqual(lib.sha256(src), before, 'input modified')

    def test_directory_as_input(self):
        self.convert_fails(lib.FIXTURES, EXIT['input'])

    def test_missing_input(self):
        self.convert_fails(os.path.join(self.tmp, 'no-such-clip.mp4'), EXIT['input'])

    def test_unreadable_input(self):
        src = os.path.join(self.tmp, 'locked.mp4')
        shutil.copyfile(self.fixture(GOOD), src)
        before = lib.sha256(src)
        os.chmod(src, 0)
        cmd = lib.gifc_cmd()
        if IS_ROOT:
            # Root reads a mode 000 file: gifc runs as 'nobody' instead (as batch_test does).
            cmd = lib.nobody_gifc_cmd(self)
            for d in (self.tmp, self.out_dir, self.spool):
                os.chmod(d, 0o777)
        try:
            p = subprocess.run(cmd + [src, '-o', os.path.join(self.out_dir, 'o.gif')],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               stdin=subprocess.DEVNULL, env=self.env, timeout=lib.TIMEOUT)
            self.assert_failure(p, EXIT['input'], [src, 'Permission denied'])
        finally:
            os.chmod(src, 0o600)
        self.assertEqual(lib.sha256(src), before, 'input modified')

    def test_json_error_report(self):
        src = os.path.join(self.tmp, 'no-such-clip.mp4')
        p = self.gifc([src, '-o', os.path.join(self.out_dir, 'o.gif'), '--json'])
        self.assertEqual(p.returncode, EXIT['input'])
        report = json.loads(p.stdout.decode())
        self.assertEqual(report['exit_code'], EXIT['input'])
        self.assertIn(src, report['error'])
        self.assertEqual(os.listdir(self.out_dir), [])

    # ---- outputs ----

    def test_output_folder_missing(self):
        missing = os.path.join(self.out_dir, 'missing')
        p = self.gifc([self.fixture(GOOD), '-o', os.path.join(missing, 'o.gif')])
        self.assert_failure(p, EXIT['output'], [missing])
        self.assertFalse(os.path.exists(missing))

    def test_output_is_a_directory(self):
        d = os.path.join(self.out_dir, 'sub.gif')
        os.mkdir(d)
        p = self.gifc([self.fixture(GOOD), '-o', d, '--force'])
        self.assert_failure(p, EXIT['output'], [d], left=['sub.gif'])
        self.assertEqual(os.listdir(d), [])

    def test_output_exists(self):
        dest = os.path.join(self.out_dir, 'o.gif')
        with open(dest, 'wb') as f:
            f.write(b'keep me')
        p = self.gifc([self.fixture(GOOD), '-o', dest])
        self.assert_failure(p, EXIT['exists'], [dest, '--force'], left=['o.gif'])
        with open(dest, 'rb') as f:
            self.assertEqual(f.read(), b'keep me')
        p = self.gifc([self.fixture(GOOD), '-o', dest, '--force', '-q'])
        self.assertEqual(p.returncode, 0, p.stderr.decode(errors='replace'))
        self.assertEqual(p.stderr, b'')
        self.assertEqual(lib.probe(dest)['frames'], 13)
        self.assertEqual(sorted(os.listdir(self.out_dir)), ['o.gif'])

    def test_input_is_output(self):
        src = os.path.join(self.out_dir, 'anim.gif')
        shutil.copyfile(self.fixture('gif_transparent_localpal_160x90_24frames.gif'), src)
        before = lib.sha256(src)
        link = os.path.join(self.out_dir, 'link.gif')
        os.symlink('anim.gif', link)
        for dest in (src, os.path.join(self.out_dir, '.', 'anim.gif'), link):
            for force in ([], ['--force']):
                with self.subTest(output=dest, force=force):
                    p = self.gifc([src, '-o', dest] + force)
                    self.assert_failure(p, EXIT['output'], [dest],
                                        left=['anim.gif', 'link.gif'])
                    self.assertEqual(lib.sha256(src), before, 'input modified')

    def test_output_is_a_device(self):
        # The atomic rename would replace /dev/full itself (as root): refused, untouched.
        if not os.path.exists('/dev/full'):
            self.skipTest('no /dev/full')
        p = self.gifc([self.fixture(GOOD), '-o', '/dev/full', '--format', 'gif', '--force'])
        self.assert_failure(p, EXIT['output'], ['/dev/full', 'not a regular file', '-o -'])
        self.assertTrue(stat.S_ISCHR(os.stat('/dev/full').st_mode), '/dev/full replaced')
        self.assertEqual([n for n in os.listdir('/dev') if n.startswith('.full.')], [])

    def test_output_disk_full(self):
        # A 16 KiB tmpfs: too small for either output. Mounting needs root.
        if not IS_ROOT or not shutil.which('mount'):
            self.skipTest('mounting a small tmpfs needs root')
        disk = os.path.join(self.tmp, 'disk')
        os.mkdir(disk)
        if subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', disk],
                          stderr=subprocess.DEVNULL).returncode:
            self.skipTest('cannot mount a tmpfs here')
        try:
            for out in ('o.gif', 'o.mp4'):
                with self.subTest(out=out):
                    dest = os.path.join(disk, out)
                    p = self.gifc([self.fixture(CLIP), '-o', dest])
                    self.assert_failure(p, EXIT['output'], [dest, 'No space left'])
                    self.assertEqual(os.listdir(disk), [], 'output or temp file left')
        finally:
            subprocess.run(['umount', disk], check=True)

    def test_stdout_disk_full(self):
        if not os.path.exists('/dev/full'):
            self.skipTest('no /dev/full')
        with open('/dev/full', 'wb') as full:
            p = subprocess.run(lib.gifc_cmd() + [self.fixture(GOOD), '-o', '-'], stdout=full,
                               stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                               env=self.env, timeout=lib.TIMEOUT)
        p.stdout = b''
        self.assert_failure(p, EXIT['output'], ['stdout'])

    def test_stdout_closed_pipe(self):
        # The reader goes away: EPIPE is reported (exit 6), not a silent SIGPIPE death.
        p = subprocess.Popen(lib.gifc_cmd() + [self.fixture(GOOD), '-o', '-'],
                             stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=self.env)
        p.stdout.close()
        err = p.stderr.read()
        p.wait(timeout=lib.TIMEOUT)
        p.stderr.close()
        self.assert_failure(subprocess.CompletedProcess(p.args, p.returncode, b'', err),
                            EXIT['output'], ['stdout'])

    # ---- options ----

    def test_bad_option_values(self):
        cases = [
            (['--fps', '0'], '--fps'), (['--fps', '101'], '--fps'), (['--fps', 'x'], '--fps'),
            (['--width', 'abc'], '--width'), (['--width', '0'], '--width'),
            (['--height', '16385'], '--height'), (['--colors', '1'], '--colors'),
            (['--colors', '257'], '--colors'), (['--speed', '5'], '--speed'),
            (['--speed', '0.1'], '--speed'), (['--quality', '0'], '--quality'),
            (['--quality', '101'], '--quality'), (['--dither', '2'], '--dither'),
            (['--loop', '-1'], '--loop'), (['--loop', '65536'], '--loop'),
            (['--format', 'png'], '--format'), (['--background', 'nocolour'], '--background'),
            (['--start', '-1'], '--start'), (['--start', '1:xx'], '--start'),
            (['--duration', '0'], '--duration'), (['--threads', '257'], '--threads'),
            (['--bogus'], '--bogus'), (['--start', '1', '--end', '0.5'], '--end'),
            (['--duration', '1', '--end', '2'], '--end'),
        ]
        for opts, name in cases:
            with self.subTest(opts=opts):
                p = self.gifc([self.fixture(GOOD), '-o', os.path.join(self.out_dir, 'o.gif')]
                              + opts)
                self.assert_failure(p, EXIT['usage'], [name])

    def test_missing_input_argument(self):
        p = self.gifc(['-o', os.path.join(self.out_dir, 'o.gif')])
        self.assert_failure(p, EXIT['usage'], ['INPUT'])

    # ---- signals ----

    def start(self, args, **kw):
        return subprocess.Popen(lib.gifc_cmd() + args, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=self.env,
                                preexec_fn=reset_signals, **kw)

    def long_input(self):
        """A 20 s 640x360 testsrc2 clip, for when the fixtures convert too fast."""
        path = os.path.join(self.tmp, 'long.mp4')
        if not os.path.exists(path):
            if not lib.have_ffmpeg():
                self.skipTest('conversion finished before the signal and no ffmpeg to make a '
                              'longer input')
            subprocess.run(['ffmpeg', '-v', 'error', '-nostdin', '-y', '-f', 'lavfi', '-i',
                            'testsrc2=size=640x360:rate=25:duration=20', '-c:v', 'libx264',
                            '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', path],
                           check=True, timeout=300)
        return path

    def wait_for_temp_file(self, p):
        """Waits until gifc writes its temporary output (beside the output, or in TMPDIR for
        stdout): its signal handlers are in place by then. On a busy machine loading the
        libraries alone can take longer than a fixed sleep, and a signal before main() kills.
        Then 0.1 s more, to land mid-conversion."""
        deadline = time.monotonic() + 30 * (10 if lib.SLOW else 1)
        while p.poll() is None and time.monotonic() < deadline:
            if os.listdir(self.out_dir) or os.listdir(self.spool):
                break
            time.sleep(0.005)
        time.sleep(0.1)

    def interrupt(self, sig, expected, to_stdout=False, out='o.gif'):
        """Starts a conversion, sends sig after 0.2 s; retries with a longer input when
        the conversion was already over. Checks the exit status and that nothing is left."""
        attempts = [(self.fixture(CLIP), ['--fps', '50']),
                    (self.fixture(CLIP), ['--speed', '0.25', '--fps', '50'])]
        for i in range(3):
            src, extra = attempts[i] if i < len(attempts) else (self.long_input(), [])
            dest = '-' if to_stdout else os.path.join(self.out_dir, out)
            before = lib.sha256(src)
            p = self.start([src, '-o', dest] + extra, stdin=subprocess.DEVNULL)
            self.wait_for_temp_file(p)
            if p.poll() is not None:       # finished before the signal: try a longer one
                p.communicate()
                for n in os.listdir(self.out_dir):
                    os.unlink(os.path.join(self.out_dir, n))
                continue
            t0 = time.monotonic()
            p.send_signal(sig)
            printed, err = p.communicate(timeout=60 * (10 if lib.SLOW else 1))
            stopped_in = time.monotonic() - t0
            if p.returncode == 0 and stopped_in < 0.05:
                # Committed just as the signal came: too late to stop, and rightly kept.
                for n in os.listdir(self.out_dir):
                    os.unlink(os.path.join(self.out_dir, n))
                continue
            sys.stderr.write('\n  %s: exit %d %.2f s after the signal (%s %s)\n'
                             % (signal.Signals(sig).name, p.returncode, stopped_in,
                                os.path.basename(src), ' '.join(extra)))
            self.assertEqual(p.returncode, expected, err.decode(errors='replace'))
            lines = err.decode(errors='replace').splitlines()
            self.assertEqual(len(lines), 1, lines)
            self.assertIn('interrupted', lines[0])
            self.assertEqual(printed, b'', 'bytes written to stdout after an interrupt')
            self.assertEqual(os.listdir(self.out_dir), [], 'output or temp file left')
            self.assertEqual(os.listdir(self.spool), [], 'temporary files left in TMPDIR')
            self.assertEqual(lib.sha256(src), before, 'input modified')
            if not lib.SLOW:
                self.assertLess(stopped_in, 5, 'slow to stop after the signal')
            return
        self.fail('every conversion finished within 0.2 s: cannot test the interrupt')

    def test_sigint(self):
        self.interrupt(signal.SIGINT, EXIT['sigint'])

    def test_sigterm(self):
        self.interrupt(signal.SIGTERM, EXIT['sigterm'])

    def test_sigint_mp4(self):
        self.interrupt(signal.SIGINT, EXIT['sigint'], out='o.mp4')

    def test_sigterm_mp4(self):
        self.interrupt(signal.SIGTERM, EXIT['sigterm'], out='o.mp4')

    def test_sigint_to_stdout(self):
        self.interrupt(signal.SIGINT, EXIT['sigint'], to_stdout=True)

    def test_sigint_while_reading_stdin(self):
        # stdin is a pipe that never ends: the spool loop must notice the signal.
        p = self.start(['-', '-o', os.path.join(self.out_dir, 'o.gif')], stdin=subprocess.PIPE)
        with open(self.fixture(GOOD), 'rb') as f:
            p.stdin.write(f.read(4096))
        p.stdin.flush()
        time.sleep(0.3)
        self.assertIsNone(p.poll(), 'gifc did not wait for the rest of stdin')
        p.send_signal(signal.SIGINT)
        try:
            out, err = p.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.communicate()
            self.fail('gifc kept waiting on stdin after SIGINT')
        self.assertEqual(p.returncode, EXIT['sigint'], err.decode(errors='replace'))
        self.assertEqual(len(err.decode().splitlines()), 1, err)
        self.assertEqual(os.listdir(self.out_dir), [])
        self.assertEqual(os.listdir(self.spool), [], 'stdin spool left in TMPDIR')


def main():
    rest = lib.configure(sys.argv[1:], __doc__.splitlines()[0])
    if lib.FIXTURES is None:
        sys.exit('errors_test.py: --fixtures is required')
    lib.run_tests(rest)


if __name__ == '__main__':
    main()
