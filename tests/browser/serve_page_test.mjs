// SPDX-License-Identifier: GPL-3.0-or-later
// gifc serve's page in a real browser: Debian's chromium through playwright-core. Starts
// `gifc serve` (TMPDIR: a fresh folder), opens its address, drops a fixture on the drop
// zone (a DataTransfer drop event, as a file manager's drag makes), picks a target
// (discord-emoji; without targets in the build, a format and a max size), draws a crop on
// the preview with the mouse and moves it with the keyboard, waits for the card's live
// size estimate, converts, waits for the result, downloads it and checks it meets the budget and is
// a GIF; saves a screenshot (its path is printed into the test log); stops the server with
// SIGTERM and checks no file is left.
//   node serve_page_test.mjs GIFC FIXTURES SCREENSHOT.png
// Exit 77 (skipped) unless GIFC_BROWSER_TESTS=1 (scripts/setup.sh then installs chromium and
// playwright-core; .ci/run sets it).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { CHROMIUM, loadChromium } from './browser.mjs';

const [gifc, fixtures, shot] = process.argv.slice(2);
const chromium = await loadChromium();

const BUDGET = 100000; // bytes, given to the page as "100K"
const FIXTURE = 'h264_aac_320x180_25fps_2s.mp4';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gifc-browser-'));
const server = spawn(gifc, ['serve'], { env: { ...process.env, TMPDIR: tmp },
                                        stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise((resolve, reject) => {
  readline.createInterface({ input: server.stdout }).once('line', resolve);
  server.once('exit', code => reject(new Error('gifc serve exited ' + code)));
});
console.log('server: ' + url.replace(/token=.*/, 'token=...'));

function fail(msg) { throw new Error(msg); }
let browser;
let status = 0;
try {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
           '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 1000 } });
  const page = await context.newPage();
  const foreign = [];
  page.on('request', r => { if (!r.url().startsWith(url.split('/?')[0]) && !r.url().startsWith('blob:') && !r.url().startsWith('data:')) foreign.push(r.url()); });
  page.on('pageerror', e => { console.error('page error: ' + e.message); status = 1; });
  await page.goto(url);
  // The controls come from GET /api/options: their ranges are the option table's.
  await page.waitForSelector('#opt-max-size');
  const widthMax = await page.getAttribute('#opt-width', 'max');
  if (widthMax !== '16384') fail('width control max ' + widthMax + ', not the table\'s 16384');

  // Drop the fixture on the drop zone.
  const data = fs.readFileSync(path.join(fixtures, FIXTURE)).toString('base64');
  await page.evaluate(({ data, name }) => {
    const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], name, { type: 'video/mp4' }));
    const zone = document.getElementById('drop');
    zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, { data, name: FIXTURE });
  await page.waitForSelector('.card');

  // The crop tool: draw a wide rectangle on the preview with the mouse, nudge it with the
  // keyboard; the result must have the rectangle's aspect, not the source's 16:9.
  await page.waitForFunction(() => document.querySelector('.card video').videoWidth > 0);
  await page.click('.card button:has-text("Crop on picture")');
  const m = await page.$eval('.card video', v => { const b = v.getBoundingClientRect();
                                                   return { x: b.x, y: b.y, w: b.width, h: b.height }; });
  await page.mouse.move(m.x + 0.05 * m.w, m.y + 0.2 * m.h);
  await page.mouse.down();
  await page.mouse.move(m.x + 0.5 * m.w, m.y + 0.4 * m.h, { steps: 5 });
  await page.mouse.move(m.x + 0.85 * m.w, m.y + 0.6 * m.h, { steps: 5 });
  await page.mouse.up();
  const drawn = await page.textContent('.card .crop-value');
  await page.focus('.card .crop-box');
  await page.keyboard.press('ArrowRight');
  const moved = await page.textContent('.card .crop-value');
  console.log('crop drawn: ' + drawn + '; after ArrowRight: ' + moved);
  const cm = /crop (\d+)x(\d+) at (\d+),(\d+)/.exec(moved);
  const cd = /crop (\d+)x(\d+) at (\d+),(\d+)/.exec(drawn);
  if (!cm || !cd) fail('the crop tool shows no rectangle: ' + drawn + ' / ' + moved);
  const [cw, ch] = [+cm[1], +cm[2]];
  if (Math.abs(cw - 256) > 8 || Math.abs(ch - 72) > 8) fail('drawn crop ' + cw + 'x' + ch + ', not about 256x72');
  if (!(+cm[3] > +cd[3]) || cm[4] !== cd[4] || cm[1] !== cd[1]) fail('ArrowRight did not move the crop right');
  await page.click('.card button:has-text("Done cropping")');

  // Settings: a target when this build has targets, else a format and a max size.
  const targets = await page.$$eval('#target option', o => o.map(x => x.value).filter(Boolean));
  console.log('targets offered: ' + (targets.length ? targets.join(', ') : 'none in this build'));
  // With targets: discord-emoji (its rules read back from /api/options, not restated here).
  let budget = BUDGET, maxWidth = 320;
  await page.selectOption('#opt-format', 'gif');
  if (targets.includes('discord-emoji')) {
    await page.selectOption('#target', 'discord-emoji');
    const rules = await page.evaluate(async () => {
      const r = await fetch('/api/options', { headers: { 'X-Gifc-Token': TOKEN } });
      return (await r.json()).targets.find(t => t.name === 'discord-emoji').formats[0];
    });
    budget = rules.max_bytes;
    maxWidth = rules.width;
    await page.waitForFunction(() => document.getElementById('estimate').textContent.includes('discord-emoji'),
                               null, { timeout: 10000 });
    const est = await page.textContent('#estimate');
    console.log('estimate shown: ' + est);
  } else {
    await page.fill('#opt-max-size', '100K');
    await page.fill('#opt-width', '320');
  }
  // The live estimate on the card (a server-side --estimate) for these settings and crop.
  await page.waitForFunction(() => /Estimated: about/.test(document.querySelector('.card .card-estimate').textContent),
                             null, { timeout: 120000 });
  const estText = await page.textContent('.card .card-estimate');
  const estBytes = +(await page.getAttribute('.card .card-estimate', 'data-bytes'));
  console.log('card estimate: ' + estText);
  // Keyboard: the Convert button is reached and pressed without the mouse.
  await page.locator('.card button', { hasText: /^Convert$/ }).focus();
  await page.keyboard.press('Enter');

  await page.waitForSelector('.card a.download', { timeout: 300000 });
  const facts = await page.textContent('.card .result-facts');
  console.log('result shown: ' + facts);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('.card a.download')]);
  const saved = path.join(tmp, '..', path.basename(tmp) + '-' + download.suggestedFilename());
  await download.saveAs(saved);
  const out = fs.readFileSync(saved);
  fs.unlinkSync(saved);
  console.log('downloaded ' + download.suggestedFilename() + ': ' + out.length + ' bytes');
  if (download.suggestedFilename() !== 'h264_aac_320x180_25fps_2s.gif') fail('download name ' + download.suggestedFilename());
  if (out.subarray(0, 6).toString('latin1') !== 'GIF89a') fail('the download is not a GIF');
  if (out.length > budget) fail('the download is ' + out.length + ' bytes, over the budget ' + budget);
  const w = out.readUInt16LE(6), h = out.readUInt16LE(8);
  if (w > maxWidth || h > maxWidth) fail('the GIF is ' + w + 'x' + h + ', over ' + maxWidth);
  if (!(Math.abs(estBytes - out.length) <= 0.15 * out.length))
    fail('the estimate ' + estBytes + ' is not within 15% of the ' + out.length + ' bytes made');
  if (Math.abs(w / h - cw / ch) > 0.06 * (cw / ch))
    fail('the GIF is ' + w + 'x' + h + ', not the crop\'s ' + cw + 'x' + ch + ' aspect');
  if (targets.includes('discord-emoji') && !facts.includes('meets discord-emoji'))
    fail('the page does not say the result meets the target: ' + facts);
  const bar = await page.$eval('.card progress', p => p.value);
  if (bar !== 1) fail('the progress bar ends at ' + bar);
  if (!/\d+x\d+/.test(facts) || !/kB|MB| B/.test(facts)) fail('no size or dimensions shown: ' + facts);
  // Readable at 200% zoom: nothing wider than the window.
  await page.evaluate(() => { document.body.style.zoom = '2'; });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await page.evaluate(() => { document.body.style.zoom = '1'; });
  if (overflow > 0) fail('at 200% zoom the page is ' + overflow + ' px wider than the window');
  await page.screenshot({ path: shot, fullPage: true });
  console.log('screenshot: ' + shot);
  if (foreign.length) fail('the page asked for other addresses: ' + foreign.join(' '));
} catch (e) {
  console.error('FAIL: ' + e.message);
  status = 1;
} finally {
  if (browser) await browser.close();
  server.kill('SIGTERM');
  const code = await new Promise(res => server.once('exit', res));
  const left = fs.readdirSync(tmp);
  if (code !== 0) { console.error('gifc serve exited ' + code + ' on SIGTERM'); status = 1; }
  if (left.length) { console.error('left in TMPDIR: ' + left.join(' ')); status = 1; }
  fs.rmSync(tmp, { recursive: true, force: true });
}
console.log(status ? 'browser test FAILED' : 'browser test OK');
process.exit(status);
