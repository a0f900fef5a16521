// SPDX-License-Identifier: GPL-3.0-or-later
// Every output format in a real browser: Debian's chromium through playwright-core. gifc
// converts one fixture (the 13-frame variable-frame-rate clip, 320x180, 1.72 s) to GIF,
// WebP, APNG, AVIF, MP4 and WebM; a local page (served from 127.0.0.1 by this script, no
// other network) loads each and reports what the browser decoded:
// - images (GIF, WebP, APNG, AVIF): <img> natural size and decode(), then WebCodecs'
//   ImageDecoder for the frame count and the sum of the frame durations;
// - videos (MP4, WebM): <video> videoWidth / videoHeight, duration, and a frame decoded
//   (readyState HAVE_CURRENT_DATA after seeking).
// Checked against what gifc wrote: size, duration within 50 ms (GIF: its centisecond
// delays), frames where the format stores them.
//   node formats_test.mjs GIFC FIXTURES
// Exit 77 (skipped) unless GIFC_BROWSER_TESTS=1, as serve_page_test.mjs.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { CHROMIUM, loadChromium } from './browser.mjs';

const [gifc, fixtures] = process.argv.slice(2);
const chromium = await loadChromium();

const FIXTURE = 'h264_vfr_320x180_13frames.mp4'; // delays 4,4,4,4,4,12,12,12,100,4,4,4,4 cs
const WANT = { width: 320, height: 180, seconds: 1.72, frames: 13 };
const FORMATS = {
  gif: 'image/gif', webp: 'image/webp', apng: 'image/png', avif: 'image/avif',
  mp4: 'video/mp4', webm: 'video/webm',
};
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gifc-browser-formats-'));
for (const ext of Object.keys(FORMATS))
  execFileSync(gifc, [path.join(fixtures, FIXTURE), '-o', path.join(tmp, 'o.' + ext), '-q']);

const server = http.createServer((req, res) => {
  const name = path.basename(req.url);
  const ext = name.split('.').pop();
  if (name === 'index.html') {
    res.writeHead(200, { 'content-type': 'text/html' });
    return res.end('<!doctype html><title>gifc formats</title><body></body>');
  }
  if (!/^o\.[a-z0-9]+$/.test(name) || !FORMATS[ext]) { res.writeHead(404); return res.end(); }
  res.writeHead(200, { 'content-type': FORMATS[ext] });
  res.end(fs.readFileSync(path.join(tmp, name)));
});
await new Promise(r => server.listen(0, '127.0.0.1', r));
const base = 'http://127.0.0.1:' + server.address().port + '/';

// Runs in the page: what the browser makes of one file.
async function inspect([url, type]) {
  if (type.startsWith('video/')) {
    const v = document.createElement('video');
    v.muted = true;
    v.src = url;
    document.body.append(v);
    await new Promise((ok, bad) => { v.onloadedmetadata = ok; v.onerror = () => bad(new Error('video error ' + (v.error && v.error.code))); });
    const meta = { width: v.videoWidth, height: v.videoHeight, seconds: v.duration };
    v.currentTime = 0.5;
    await new Promise((ok, bad) => { v.onseeked = ok; v.onerror = () => bad(new Error('seek failed')); });
    return { ...meta, decoded: v.readyState >= 2 };
  }
  const img = new Image();
  img.src = url;
  await img.decode();
  const out = { width: img.naturalWidth, height: img.naturalHeight, decoded: true };
  const data = await (await fetch(url)).arrayBuffer();
  const dec = new ImageDecoder({ data, type });
  await dec.tracks.ready;
  const frames = dec.tracks.selectedTrack.frameCount;
  let us = 0;
  for (let i = 0; i < frames; i++) {
    const { image } = await dec.decode({ frameIndex: i });
    us += image.duration || 0;
    image.close();
  }
  return { ...out, frames, seconds: us / 1e6, animated: dec.tracks.selectedTrack.animated };
}

let browser;
let status = 0;
const t0 = Date.now();
try {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required'],
  });
  const page = await (await browser.newContext()).newPage();
  page.on('pageerror', e => { console.error('page error: ' + e.message); status = 1; });
  await page.goto(base + 'index.html');
  for (const [ext, type] of Object.entries(FORMATS)) {
    let got;
    try {
      got = await page.evaluate(inspect, [base + 'o.' + ext, type]);
    } catch (e) {
      console.error(`FAIL ${ext}: the browser could not load it: ${e.message.split('\n')[0]}`);
      status = 1;
      continue;
    }
    const bad = [];
    if (!got.decoded) bad.push('not decoded');
    if (got.width !== WANT.width || got.height !== WANT.height)
      bad.push(`size ${got.width}x${got.height}`);
    if (!(Math.abs(got.seconds - WANT.seconds) <= 0.05)) bad.push(`duration ${got.seconds} s`);
    if (got.frames !== undefined && got.frames !== WANT.frames) bad.push(`${got.frames} frames`);
    if (got.animated === false) bad.push('not animated');
    console.log(`${bad.length ? 'FAIL' : 'ok  '} ${ext}: ${JSON.stringify(got)}` +
                (bad.length ? ' -- ' + bad.join(', ') : ''));
    if (bad.length) status = 1;
  }
} catch (e) {
  console.error('FAIL: ' + e.message);
  status = 1;
} finally {
  if (browser) await browser.close();
  server.close();
  fs.rmSync(tmp, { recursive: true, force: true });
}
console.log(`formats browser test: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
process.exit(status);
