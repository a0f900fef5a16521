#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Batch mode tests: gifc DIR... -o OUTDIR on a generated tree (nested folders, mixed formats,
a corrupt video, a truncated GIF, a text file named .mp4, an unreadable file, symlink loops,
names with spaces and non-ASCII letters). Checks which outputs exist and decode, which files
were skipped or failed and why, the exit code, the JSON records, that a re-run does nothing,
that --shard shares cover every file exactly once, and that an interrupted run leaves no
partial output and resumes.

    python3 tests/e2e/batch_test.py --gifc build/gifc --probe build/tests/probe --fixtures fixtures
        [unittest options]

Python 3 standard library only.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.dont_write_bytecode = True  # keep tests/ free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gifc_testlib as lib  # noqa: E402  (helpers: configure, run_gifc, probe...)

EXIT_OK, EXIT_USAGE, EXIT_OUTPUT, EXIT_BATCH_FAILED = 0, 2, 6, 9
EXIT_SIGINT, EXIT_SIGTERM = 130, 143
IS_ROOT = hasattr(os, 'geteuid') and os.geteuid() == 0

# The tree: relative path -> fixture copied there (None: written by make_tree).
GOOD = {
    'a.mp4': 'h264_vfr_320x180_13frames.mp4',
    'sub/b.gif': 'gif_transparent_localpal_160x90_24frames.gif',
    'sub/deep/c.webp': 'webp_anim_alpha_128x96_9frames.webp',
    'with space/clip \u00fc \u00e9.apng': 'apng_alpha_128x96_15frames.apng',
}
BAD = {  # relative path -> (fixture, words the reason must contain)
    'sub/deep/corrupt.mp4': ('bad_truncated.mp4', None),
    'sub/trunc.gif': ('bad_truncated.gif', None),
    'sub/text.mp4': ('bad_text.mp4', 'not a format gifc reads'),
}


def n_planned():
    """Files planned for conversion in the tree: the media names that can be looked at."""
    return len(GOOD) + len(BAD) + (0 if IS_ROOT else 1)


def reset_signals():
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def out_name(rel, ext='.gif'):
    return os.path.splitext(rel)[0] + ext


def files_under(root):
    """Relative paths of the regular files under root (not following symlinks)."""
    found = []
    for d, dirs, names in os.walk(root):
        for n in names:
            p = os.path.join(d, n)
            if not os.path.islink(p):
                found.append(os.path.relpath(p, root))
    return sorted(found)


class Batch(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='gifc-batch-')
        self.tree = os.path.join(self.tmp, 'tree')
        self.out = os.path.join(self.tmp, 'out')
        self.make_tree()

    def tearDown(self):
        locked = os.path.join(self.tree, 'locked.mp4')
        if os.path.exists(locked):
            os.chmod(locked, 0o600)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def copy(self, fixture, rel):
        dest = os.path.join(self.tree, rel)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        shutil.copyfile(os.path.join(lib.FIXTURES, fixture), dest)

    def make_tree(self):
        for rel, fx in GOOD.items():
            self.copy(fx, rel)
        for rel, (fx, _) in BAD.items():
            self.copy(fx, rel)
        with open(os.path.join(self.tree, 'notes.txt'), 'w') as f:
            f.write('not a video\n')
        os.symlink('..', os.path.join(self.tree, 'sub', 'loop'))     # a folder loop
        os.symlink('self.mp4', os.path.join(self.tree, 'self.mp4'))  # a link to itself
        if not IS_ROOT:  # root reads a mode 000 file: the case would not be meaningful
            self.copy(GOOD['a.mp4'], 'locked.mp4')
            os.chmod(os.path.join(self.tree, 'locked.mp4'), 0)

    def gifc(self, *args, **kw):
        return lib.run_gifc(list(args), **kw)

    def run_json(self, *args, code=None):
        p = self.gifc(*args, '--json')
        err = p.stderr.decode(errors='replace')
        if code is not None:
            self.assertEqual(p.returncode, code, err)
        lines = p.stdout.decode().splitlines()
        records = [json.loads(line) for line in lines]
        self.assertTrue(records and records[-1].get('summary'), lines[-1:])
        return records[:-1], records[-1], err

    def by_path(self, records):
        out = {}
        for r in records:
            self.assertNotIn(r['path'], out, 'a file reported twice')
            out[r['path']] = r
        return out

    def failed_expected(self):
        fails = dict(BAD)
        fails['self.mp4'] = (None, 'symbolic links')
        if not IS_ROOT:
            fails['locked.mp4'] = (None, 'ermission denied')
        return fails

    def assert_no_temp_files(self, folder):
        for d, _, names in os.walk(folder):
            self.assertEqual([n for n in names if n.startswith('.')], [],
                             'temporary files left in %s' % d)

    # ---- one full run ----

    def test_tree(self):
        records, summary, err = self.run_json('-r', self.tree, '-o', self.out, '-j', '2',
                                              code=EXIT_BATCH_FAILED)
        rec = self.by_path(records)
        # Every good file converted, mirrored under OUTDIR, and decodable.
        self.assertEqual(files_under(self.out), sorted(out_name(r) for r in GOOD))
        for rel in GOOD:
            r = rec[rel]
            self.assertEqual(r['status'], 'converted', r)
            self.assertEqual(r['output'], os.path.join(self.out, out_name(rel)))
            self.assertEqual(r['input'], os.path.join(self.tree, rel))
            info = lib.probe(r['output'])
            self.assertEqual(info['format'], 'gif')
            self.assertEqual(info['frames'], r['frames'])
            self.assertEqual(r['bytes_out'], os.path.getsize(r['output']))
            self.assertEqual(r['bytes_in'], os.path.getsize(r['input']))
        # Each bad file failed with its reason (the library's message), naming no output.
        for rel, (_, words) in self.failed_expected().items():
            r = rec[rel]
            self.assertEqual(r['status'], 'failed', r)
            self.assertTrue(r['reason'])
            if words:
                self.assertIn(words, r['reason'])
            self.assertIn(r['input'], err, 'failure not reported on stderr')
        # Non-media and the folder loop are skipped, not failed.
        self.assertEqual(rec['notes.txt']['status'], 'skipped')
        self.assertEqual(rec['notes.txt']['reason'], 'not a media file')
        self.assertEqual(rec['sub/loop']['status'], 'skipped')
        self.assertIn('symlink loop', rec['sub/loop']['reason'])
        # The summary adds up.
        nfail = len(self.failed_expected())
        self.assertEqual((summary['converted'], summary['failed'], summary['skipped']),
                         (len(GOOD), nfail, 2))
        self.assertEqual(summary['files'], len(records))
        self.assertEqual(summary['exit_code'], EXIT_BATCH_FAILED)
        self.assertIsNone(summary['interrupted'])
        self.assertEqual(summary['bytes_out'],
                         sum(rec[r]['bytes_out'] for r in GOOD))
        self.assert_no_temp_files(self.out)

        # A re-run converts nothing: every output is newer than its input.
        before = {r: os.stat(os.path.join(self.out, out_name(r))).st_mtime_ns for r in GOOD}
        records2, summary2, _ = self.run_json('-r', self.tree, '-o', self.out,
                                              code=EXIT_BATCH_FAILED)
        self.assertEqual(summary2['converted'], 0)
        self.assertEqual(summary2['up_to_date'], len(GOOD))
        self.assertEqual(summary2['failed'], nfail)  # the bad files are tried again
        for r in GOOD:
            self.assertEqual(self.by_path(records2)[r]['reason'], 'up to date')
            self.assertEqual(os.stat(os.path.join(self.out, out_name(r))).st_mtime_ns,
                             before[r])

        # An input changed since: only it is redone. --force redoes everything.
        changed = os.path.join(self.tree, 'sub/b.gif')
        os.utime(changed, ns=(time.time_ns(), before['sub/b.gif'] + 10**9))
        _, summary3, _ = self.run_json('-r', self.tree, '-o', self.out)
        self.assertEqual((summary3['converted'], summary3['up_to_date']), (1, len(GOOD) - 1))
        _, summary4, _ = self.run_json('-r', self.tree, '-o', self.out, '--force')
        self.assertEqual(summary4['converted'], len(GOOD))

    def test_text_lines_and_summary(self):
        p = self.gifc('-r', self.tree, '-o', self.out, '-j', '1')
        err = p.stderr.decode(errors='replace')
        self.assertEqual(p.returncode, EXIT_BATCH_FAILED, err)
        self.assertEqual(p.stdout, b'')
        self.assertIn('[1/%d]' % n_planned(), err)
        self.assertIn('%d converted, 2 skipped (0 up to date), %d failed'
                      % (len(GOOD), len(self.failed_expected())), err)
        for rel in BAD:
            self.assertIn('failed: %s: ' % os.path.join(self.tree, rel), err)
        p = self.gifc('-r', self.tree, '-o', self.out, '-q')
        err = p.stderr.decode(errors='replace')
        self.assertNotIn('converted', err)
        self.assertEqual(len(err.splitlines()), len(self.failed_expected()), err)

    def test_all_good_exits_zero_and_mp4(self):
        records, summary, _ = self.run_json(os.path.join(self.tree, 'a.mp4'),
                                            os.path.join(self.tree, 'sub/b.gif'),
                                            os.path.join(self.tree, 'notes.txt'),
                                            '-o', self.out, '--to', 'mp4', code=EXIT_OK)
        self.assertEqual(files_under(self.out), ['a.mp4', 'b.mp4'])
        self.assertEqual(summary['skipped'], 1)
        for name in ('a.mp4', 'b.mp4'):
            self.assertIn('mp4', lib.probe(os.path.join(self.out, name))['format'])

    def test_json_lines_carry_settings(self):
        """Each converted file's JSON line says what was done to it, edits, caption and
        budget included, as the single-file --json does."""
        records, _, _ = self.run_json(os.path.join(self.tree, 'a.mp4'),
                                      os.path.join(self.tree, 'sub/b.gif'), '-o', self.out,
                                      '--bounce', '--aspect', '1:1', '--caption', 'hi "x"',
                                      '--max-size', '300K', code=EXIT_OK)
        self.assertEqual(len(records), 2)
        for r in records:
            self.assertEqual(r['status'], 'converted', r)
            st = r['settings']
            self.assertIs(st['bounce'], True)
            self.assertEqual(st['aspect'], '1:1')
            self.assertEqual(st['caption'], 'hi "x"')
            self.assertEqual(r['width'], r['height'])
            self.assertEqual(r['budget']['max_size'], 300000)
            self.assertLessEqual(r['bytes_out'], 300000)
            self.assertEqual(r['duration'], round(r['duration'], 3))

    def test_not_recursive(self):
        records, summary, _ = self.run_json(self.tree, '-o', self.out)
        self.assertEqual(files_under(self.out), ['a.gif'])
        self.assertNotIn('sub/b.gif', self.by_path(records))

    def test_include_exclude(self):
        records, summary, _ = self.run_json('-r', self.tree, '-o', self.out, '--include',
                                            '*.gif', '--include', 'with space/*',
                                            '--exclude', 'trunc*', code=EXIT_OK)
        self.assertEqual(files_under(self.out),
                         sorted(['sub/b.gif', out_name('with space/clip \u00fc \u00e9.apng')]))
        rec = self.by_path(records)
        self.assertEqual(rec['sub/trunc.gif']['reason'], 'excluded by --exclude')
        self.assertEqual(rec['a.mp4']['reason'], 'not matched by --include')

    def test_name_collision(self):
        self.copy(GOOD['a.mp4'], 'a.mov')
        self.run_json(self.tree, '-o', self.out, '--include', 'a.*', code=EXIT_OK)
        self.assertEqual(files_under(self.out), ['a.gif', 'a.mp4.gif'])

    # ---- sharding and --list ----

    def planned(self, *extra):
        p = self.gifc('-r', self.tree, '-o', self.out, '--list', *extra)
        self.assertEqual(p.returncode, EXIT_OK, p.stderr)
        return p.stdout.decode().splitlines()

    def test_list_converts_nothing(self):
        lines = self.planned()
        self.assertFalse(os.path.exists(self.out), '--list created OUTDIR')
        converts = [line for line in lines if line.startswith('convert ')]
        self.assertEqual(len(converts), n_planned())
        self.assertIn('convert %s -> %s' % (os.path.join(self.tree, 'a.mp4'),
                                            os.path.join(self.out, 'a.gif')), lines)
        p = self.gifc('-r', self.tree, '-o', self.out, '--list', '--json')
        recs = [json.loads(line) for line in p.stdout.decode().splitlines()]
        self.assertEqual(sum(r['status'] == 'planned' for r in recs), n_planned())

    def test_shards_cover_every_file_once(self):
        everything = sorted(self.planned())
        for n in (2, 3, 5):
            shares = [self.planned('--shard', '%d/%d' % (k, n)) for k in range(1, n + 1)]
            union = sorted(line for s in shares for line in s)
            self.assertEqual(union, everything, 'shares of %d overlap or miss files' % n)
        # A share stays the same when files are added elsewhere.
        first = set(self.planned('--shard', '1/3'))
        self.copy(GOOD['a.mp4'], 'new/added.mp4')
        self.assertTrue(first <= set(self.planned('--shard', '1/3')))
        # Shares run for real into one OUTDIR give the whole tree.
        for k in (1, 2):
            self.gifc('-r', self.tree, '-o', self.out, '--shard', '%d/2' % k)
        self.assertEqual(files_under(self.out),
                         sorted([out_name(r) for r in GOOD] + ['new/added.gif']))

    # ---- usage ----

    def test_usage_errors(self):
        p = self.gifc(self.tree)
        self.assertEqual(p.returncode, EXIT_USAGE)
        self.assertIn('-o OUTDIR', p.stderr.decode())
        p = self.gifc('-r', self.tree, '-o', self.tree)
        self.assertEqual(p.returncode, EXIT_USAGE)
        self.assertIn('OUTDIR is an INPUT folder', p.stderr.decode())
        notdir = os.path.join(self.tmp, 'file')
        open(notdir, 'w').close()
        p = self.gifc('-r', self.tree, '-o', notdir, '--json')
        self.assertEqual(p.returncode, EXIT_OUTPUT)
        self.assertEqual(len(p.stderr.decode().splitlines()), 1, p.stderr)
        report = json.loads(p.stdout.decode())  # the error record, as for one file
        self.assertEqual(report['exit_code'], EXIT_OUTPUT)
        self.assertIn('not a folder', report['error'])
        # OUTDIR inside the tree is never walked into.
        inside = os.path.join(self.tree, 'converted')
        self.run_json('-r', self.tree, '-o', inside, '--include', 'a.mp4', code=EXIT_OK)
        recs, summary, _ = self.run_json('-r', self.tree, '-o', inside, code=EXIT_BATCH_FAILED)
        self.assertNotIn('converted/a.gif', self.by_path(recs))

    def test_unreadable_file(self):
        cmd = lib.gifc_cmd()
        if IS_ROOT:
            # Root reads a mode 000 file; gifc runs as 'nobody' instead when it can
            # (test_tree checks it when not root).
            cmd = lib.nobody_gifc_cmd(self)
            for d, dirs, _ in os.walk(self.tmp):
                os.chmod(d, 0o777)
            self.copy(GOOD['a.mp4'], 'locked.mp4')
            os.chmod(os.path.join(self.tree, 'locked.mp4'), 0)
        p = subprocess.run(cmd + [self.tree, '-o', self.out, '--json',
                                '--include', '*ed.mp4'],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           stdin=subprocess.DEVNULL, timeout=lib.TIMEOUT)
        if IS_ROOT and p.returncode == EXIT_OUTPUT:
            self.skipTest('nobody cannot write the temporary folder: %s' % p.stderr)
        self.assertEqual(p.returncode, EXIT_BATCH_FAILED, p.stderr)
        recs = [json.loads(line) for line in p.stdout.decode().splitlines()]
        rec = self.by_path(recs[:-1])['locked.mp4']
        self.assertEqual(rec['status'], 'failed')
        self.assertIn('ermission denied', rec['reason'])
        self.assertFalse(os.path.exists(os.path.join(self.out, 'locked.gif')))

    # ---- interrupts ----

    def interrupt(self, sig, expected):
        """A batch of slow conversions, interrupted once the first has finished: running
        jobs are cancelled, nothing partial is left, the summary prints, and a re-run
        converts exactly what is missing."""
        slow = os.path.join(self.tmp, 'slow')
        for i in range(6):
            os.makedirs(slow, exist_ok=True)
            shutil.copyfile(os.path.join(lib.FIXTURES, 'h264_aac_320x180_25fps_2s.mp4'),
                            os.path.join(slow, 'clip %d.mp4' % i))
        args = lib.gifc_cmd() + [slow, '-o', self.out, '--fps', '50', '-j', '2', '--json']
        p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             stdin=subprocess.DEVNULL, preexec_fn=reset_signals)
        first = p.stdout.readline()  # the first finished file
        self.assertTrue(first, 'no record before the end')
        p.send_signal(sig)
        t0 = time.monotonic()
        rest, err = p.communicate(timeout=60)
        stopped_in = time.monotonic() - t0
        self.assertEqual(p.returncode, expected, err.decode(errors='replace'))
        self.assertLess(stopped_in, 10, 'slow to stop after the signal')
        records = [json.loads(line) for line in (first + rest).decode().splitlines()]
        summary = records[-1]
        self.assertTrue(summary['summary'])
        self.assertEqual(summary['interrupted'], signal.Signals(sig).name)
        self.assertEqual(summary['converted'] + summary['cancelled'], 6)
        self.assertGreater(summary['cancelled'], 0, 'the run ended before the signal')
        done = sorted(out_name(r['path']) for r in records[:-1] if r['status'] == 'converted')
        self.assertEqual(files_under(self.out), done, 'partial or missing outputs')
        self.assert_no_temp_files(self.out)
        for name in done:
            lib.probe(os.path.join(self.out, name))
        # The re-run converts only what is missing.
        recs, summary2, _ = self.run_json(slow, '-o', self.out, code=EXIT_OK)
        self.assertEqual(summary2['converted'], 6 - len(done))
        self.assertEqual(summary2['up_to_date'], len(done))
        self.assertEqual(len(files_under(self.out)), 6)

    def test_sigint(self):
        self.interrupt(signal.SIGINT, EXIT_SIGINT)

    def test_sigterm_text_summary(self):
        slow = os.path.join(self.tmp, 'slow2')
        os.makedirs(slow)
        for i in range(4):
            shutil.copyfile(os.path.join(lib.FIXTURES, 'h264_aac_320x180_25fps_2s.mp4'),
                            os.path.join(slow, 'c%d.mp4' % i))
        p = subprocess.Popen(lib.gifc_cmd() + [slow, '-o', self.out, '--fps', '50', '-j', '2'],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             stdin=subprocess.DEVNULL, preexec_fn=reset_signals)
        # After the first file's line: the handlers are surely installed by then, even on a
        # loaded machine where starting up can take longer than any fixed sleep.
        self.assertIn(b'[1/4]', p.stderr.readline())
        p.send_signal(signal.SIGTERM)
        _, err = p.communicate(timeout=60)
        err = err.decode(errors='replace')
        self.assertEqual(p.returncode, EXIT_SIGTERM, err)
        self.assertIn('interrupted (SIGTERM)', err)
        self.assertIn('cancelled', err)
        self.assert_no_temp_files(self.out)


def main():
    rest = lib.configure(sys.argv[1:], __doc__.splitlines()[0])
    if lib.FIXTURES is None:
        sys.exit('batch_test.py: --fixtures is required')
    lib.run_tests(rest)


if __name__ == '__main__':
    main()
