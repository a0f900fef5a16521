// SPDX-License-Identifier: GPL-3.0-or-later
// What every browser test starts with: skipped (exit 77) unless GIFC_BROWSER_TESTS=1, then
// playwright-core and Debian's chromium, which scripts/setup.sh installs when asked.
import fs from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';

export async function loadChromium() {
  if (process.env.GIFC_BROWSER_TESTS !== '1') {
    console.log('browser test skipped: set GIFC_BROWSER_TESTS=1 (scripts/setup.sh installs chromium)');
    process.exit(77);
  }
  let chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch (e) {
    console.error('playwright-core missing: GIFC_BROWSER_TESTS=1 bash scripts/setup.sh installs it');
    process.exit(1);
  }
  if (!fs.existsSync(CHROMIUM)) {
    console.error(CHROMIUM + ' missing: GIFC_BROWSER_TESTS=1 bash scripts/setup.sh installs it');
    process.exit(1);
  }
  return chromium;
}
