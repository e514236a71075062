// Usage: node upload.test.mjs <base url> <image file> <screenshot file>
// Uploads an image on the runtime's page, picks visualization options, and checks the overlay comes back.
import { launchChromium } from './harness.mjs';

const [base, image, screenshot] = process.argv.slice(2);
const browser = await launchChromium();
let failed = 0;
try {
  const page = await browser.newPage();
  await page.goto(base);
  await page.waitForFunction(() => document.getElementById('model').textContent.includes('ready'));
  await page.setInputFiles('#file', image);
  await page.selectOption('#type', 'pixels');
  await page.selectOption('#polarity', 'both');
  await page.selectOption('#color_map', 'viridis');
  await page.selectOption('#overlay_type', 'grayscale');
  await page.click('#explain');
  await page.waitForSelector('#result:not([hidden])', { timeout: 60000 });
  const src = await page.getAttribute('#overlay', 'src');
  const label = await page.textContent('#label');
  const size = await page.evaluate(() => {
    const img = document.getElementById('overlay');
    return img.complete ? [img.naturalWidth, img.naturalHeight] : [0, 0];
  });
  if (!src.startsWith('data:image/jpeg;base64,') || label.trim() === '' || size[0] === 0) {
    console.error('unexpected result', { src: src.slice(0, 40), label, size });
    failed++;
  }
  // an invalid option comes back as the API's error message
  await page.fill('#clip_below_percentile', '99');
  await page.fill('#clip_above_percentile', '10');
  await page.click('#explain');
  await page.waitForFunction(() => document.getElementById('error').textContent.includes('clip_below_percentile'));
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(`overlay ${size[0]}x${size[1]}, label ${label.trim()}`);
} catch (e) {
  console.error(e);
  failed++;
} finally {
  await browser.close();
}
console.log(`${failed === 0 ? 1 : 0} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
