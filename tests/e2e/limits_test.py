#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Limit tests: hostile files generated here (a GIF declaring 65535x65535, an APNG claiming
100000 frames, AVIs of 16384x16384 PNG frames) are refused fast with bounded memory, and the
--max-* options refuse fixtures over them (exit 10, one line naming the option to raise).

    python3 tests/e2e/limits_test.py --gifc build/gifc --probe build/tests/probe --fixtures fixtures

Python 3 standard library only.
"""
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import unittest
import zlib

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gifc_testlib as lib  # noqa: E402

EXIT_CORRUPT, EXIT_LIMIT = 5, 10
RSS_MAX_KB = 100 * 1024
SLOW = lib.SLOW


# ---- generators: tiny files declaring huge things ----

def png_chunk(kind, data):
    crc = zlib.crc32(kind + data) & 0xffffffff
    return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', crc)


def png(w, h, rows, color_type=2):
    """A PNG declaring w x h, with image data for the first `rows` rows only."""
    bpp = 4 if color_type == 6 else 3
    raw = b''.join(b'\0' + b'\x80' * (w * bpp) for _ in range(rows))
    return (b'\x89PNG\r\n\x1a\n'
            + png_chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, color_type, 0, 0, 0))
            + png_chunk(b'IDAT', zlib.compress(raw, 9)) + png_chunk(b'IEND', b''))


def gif_declaring(w, h):
    """35 bytes: a GIF whose screen and only image are w x h."""
    head = b'GIF89a' + struct.pack('<HHBBB', w, h, 0x80, 0, 0) + b'\0\0\0\xff\xff\xff'
    image = b',' + struct.pack('<HHHHB', 0, 0, w, h, 0) + b'\x02\x02\x4c\x01\x00'
    return head + image + b';'


def apng(declared, present, w=16, h=16):
    """An APNG whose acTL declares `declared` frames and which holds `present`."""
    out = (b'\x89PNG\r\n\x1a\n'
           + png_chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0))
           + png_chunk(b'acTL', struct.pack('>II', declared, 0)))
    seq = 0
    for i in range(present):
        shade = bytes([40 * i % 256])
        data = zlib.compress(b''.join(b'\0' + shade * (w * 3) for _ in range(h)))
        out += png_chunk(b'fcTL', struct.pack('>IIIIIHHBB', seq, w, h, 0, 0, 1, 10, 0, 0))
        seq += 1
        if i == 0:
            out += png_chunk(b'IDAT', data)
        else:
            out += png_chunk(b'fdAT', struct.pack('>I', seq) + data)
            seq += 1
    return out + png_chunk(b'IEND', b'')


def riff(tag, data):
    return tag + struct.pack('<I', len(data)) + data + (b'\0' if len(data) % 2 else b'')


def avi_of_pngs(w, h, frames):
    """An AVI (PNG codec, fourcc MPNG, 25 fps) whose headers say w x h."""
    n = len(frames)
    avih = struct.pack('<14I', 40000, 0, 0, 0x10, n, 0, 1, 0, w, h, 0, 0, 0, 0)
    strh = b'vidsMPNG' + struct.pack('<IHHIIIIIIIIhhhh', 0, 0, 0, 0, 1, 25, 0, n, 0,
                                     0xffffffff, 0, 0, 0, 0, 0)
    strf = struct.pack('<IiiHH4sIiiII', 40, w, h, 1, 24, b'MPNG', 0, 0, 0, 0, 0)
    strl = riff(b'LIST', b'strl' + riff(b'strh', strh) + riff(b'strf', strf))
    hdrl = riff(b'LIST', b'hdrl' + riff(b'avih', avih) + strl)
    movi = riff(b'LIST', b'movi' + b''.join(riff(b'00dc', f) for f in frames))
    return riff(b'RIFF', b'AVI ' + hdrl + movi)


class Limits(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='gifc-limits-')
        self.out_dir = os.path.join(self.tmp, 'out')
        os.mkdir(self.out_dir)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def write(self, name, data):
        path = os.path.join(self.tmp, name)
        with open(path, 'wb') as f:
            f.write(data)
        return path

    def run_measured(self, args):
        """Runs gifc; returns (exit code, stderr text, peak RSS in KB, seconds)."""
        t0 = time.monotonic()
        p = subprocess.Popen(lib.gifc_cmd() + [str(a) for a in args], stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        err = p.stderr.read()  # until gifc exits: it prints one line
        p.stderr.close()
        # wait4 reaps this child alone and returns its own rusage (ru_maxrss in KB).
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        return (p.returncode, err.decode(errors='replace'), usage.ru_maxrss,
                time.monotonic() - t0)

    def refused(self, src, code, words, extra=()):
        before = lib.sha256(src)
        out = os.path.join(self.out_dir, 'o.gif')
        rc, err, rss, secs = self.run_measured([src, '-o', out] + list(extra))
        sys.stderr.write('\n  %s: exit %d, %.2f s, peak RSS %d MB\n'
                         % (os.path.basename(src), rc, secs, rss // 1024))
        self.assertEqual(rc, code, err)
        lines = err.splitlines()
        self.assertEqual(len(lines), 1, err)
        self.assertTrue(lines[0].startswith('gifc: ' + src), lines[0])
        for w in words:
            self.assertIn(w, lines[0])
        self.assertEqual(os.listdir(self.out_dir), [], 'output or temporary file left')
        self.assertEqual(lib.sha256(src), before, 'input modified')
        if not SLOW:
            self.assertLess(rss, RSS_MAX_KB, 'peak RSS %d KB' % rss)
            self.assertLess(secs, 20)

    # ---- hostile files, default limits ----

    def test_gif_declaring_65535x65535(self):
        src = self.write('huge.gif', gif_declaring(65535, 65535))
        self.refused(src, EXIT_LIMIT, ['65535x65535', '--max-pixels'])

    def test_video_of_16384x16384_frames(self):
        frame = png(16384, 16384, rows=4)
        src = self.write('huge.avi', avi_of_pngs(16384, 16384, [frame, frame]))
        self.refused(src, EXIT_LIMIT, ['16384x16384', '--max-pixels'])

    def test_video_frames_bigger_than_the_header_says(self):
        # The container says 64x64, the second frame's own header 10000x10000: the decoder
        # itself must refuse it (FFmpeg's max_pixels), not allocate 300 MB.
        frames = [png(64, 64, rows=64), png(10000, 10000, rows=16)]
        src = self.write('liar.avi', avi_of_pngs(64, 64, frames))
        self.refused(src, EXIT_CORRUPT, ['--max-pixels'])

    def test_audio_probe_under_the_same_limits(self):
        # --audio opens the input again for its audio track; that probe decodes under the
        # same max_pixels, and the run ends as it does without --audio: refused, nothing left.
        frames = [png(64, 64, rows=64), png(10000, 10000, rows=16)]
        src = self.write('liar.avi', avi_of_pngs(64, 64, frames))
        out = os.path.join(self.out_dir, 'o.mp4')
        codes = []
        for extra in ([], ['--audio']):
            rc, err, rss, _ = self.run_measured([src, '-o', out] + extra)
            codes.append(rc)
            self.assertIn('--max-pixels', err.splitlines()[-1], err)
            self.assertEqual(os.listdir(self.out_dir), [], 'output or temporary file left')
            if not SLOW:
                self.assertLess(rss, RSS_MAX_KB, 'peak RSS %d KB' % rss)
        self.assertEqual(codes, [EXIT_CORRUPT, EXIT_CORRUPT])

    def test_apng_claiming_100000_frames(self):
        # What it holds is decoded (2 frames, fast), then the count tells it is truncated.
        src = self.write('claims.apng', apng(100000, 2))
        self.refused(src, EXIT_CORRUPT, ['2 of 100000 frames'])
        # Under --max-frames it is refused from its header, before decoding.
        self.refused(src, EXIT_LIMIT, ['100000 frames', '--max-frames'],
                     extra=['--max-frames', '50000'])

    def test_generated_apng_converts(self):
        # The generator makes valid files: the refusals above are about the claims.
        src = self.write('ok.apng', apng(3, 3))
        p = lib.run_gifc([src, '-o', os.path.join(self.out_dir, 'o.gif'), '-q'])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(lib.probe(os.path.join(self.out_dir, 'o.gif'))['frames'], 3)

    # ---- the options, on fixtures ----

    def fixture(self, name):
        return os.path.join(lib.FIXTURES, name)

    def test_max_pixels(self):
        gif = self.fixture('gif_transparent_localpal_160x90_24frames.gif')
        self.refused(gif, EXIT_LIMIT, ['160x90', '14399', '--max-pixels'],
                     extra=['--max-pixels', '14399'])
        p = lib.run_gifc([gif, '-o', os.path.join(self.out_dir, 'o.gif'), '-q',
                          '--max-pixels', '14400'])
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_max_frames_declared_and_counted(self):
        # The MP4 and the WebP declare their counts; a GIF's frames are counted as decoded.
        for name, n in (('h264_aac_320x180_25fps_2s.mp4', 50),
                        ('webp_anim_alpha_128x96_9frames.webp', 9),
                        ('apng_alpha_128x96_15frames.apng', 15),
                        ('gif_transparent_localpal_160x90_24frames.gif', 24)):
            with self.subTest(name=name):
                self.refused(self.fixture(name), EXIT_LIMIT, ['--max-frames'],
                             extra=['--max-frames', str(n - 1)])
                for n in os.listdir(self.out_dir):
                    os.unlink(os.path.join(self.out_dir, n))

    def test_max_duration(self):
        clip = self.fixture('h264_aac_320x180_25fps_2s.mp4')
        self.refused(clip, EXIT_LIMIT, ['--max-duration'], extra=['--max-duration', '1.5'])
        # Converting a part that fits is allowed.
        p = lib.run_gifc([clip, '-o', os.path.join(self.out_dir, 'o.gif'), '-q',
                          '--max-duration', '1.5', '--duration', '1'])
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_max_decoded(self):
        clip = self.fixture('h264_aac_320x180_25fps_2s.mp4')  # 50 x 230 kB RGBA
        self.refused(clip, EXIT_LIMIT, ['--max-decoded'], extra=['--max-decoded', '5MB'])

    def test_bad_limit_values(self):
        for opt, val in (('--max-pixels', '0'), ('--max-frames', 'many'),
                         ('--max-duration', '0'), ('--max-decoded', '-1')):
            with self.subTest(opt=opt):
                p = lib.run_gifc([self.fixture('h264_vfr_320x180_13frames.mp4'), '-o',
                                  os.path.join(self.out_dir, 'o.gif'), opt, val])
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertIn(opt, p.stderr.decode())


def main():
    rest = lib.configure(sys.argv[1:], __doc__.splitlines()[0])
    if lib.FIXTURES is None:
        sys.exit('limits_test.py: --fixtures is required')
    prog = unittest.main(argv=[sys.argv[0]] + rest, exit=False, verbosity=2)
    sys.exit(0 if prog.result.wasSuccessful() else 1)


if __name__ == '__main__':
    main()
