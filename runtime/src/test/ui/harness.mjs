// What the page scripts share: headless Chromium as the tests run it, and checks counted and reported.
import { chromium } from 'playwright-core';

// Chromium from tools/ensure-browser.sh (or $CHROMIUM), headless, without the network calls of a first run.
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// Counts checks; a failed one is printed with its detail. finish() prints "N passed, M failed" and exits non-zero on
// any failure.
export function checks() {
  let passed = 0;
  let failed = 0;
  return {
    check(condition, what, detail) {
      if (condition) {
        passed++;
      } else {
        failed++;
        console.error(`FAILED: ${what}`, detail === undefined ? '' : JSON.stringify(detail).slice(0, 400));
      }
    },
    fail(message) {
      failed++;
      console.error('FAILED:', message);
    },
    finish() {
      console.log(`${passed} passed, ${failed} failed`);
      process.exit(failed === 0 ? 0 : 1);
    },
  };
}
