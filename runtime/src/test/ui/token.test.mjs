// Usage: CALLER_TOKEN=... STRANGER_TOKEN=... node token.test.mjs <base url>
// The page on a runtime that checks its callers: without a token it says what to do, with a token whose identity
// may not call the model it says so, with an allowed one it explains; the token stays in the tab's sessionStorage
// and never shows in the page (curl and gcloud name $TOKEN instead). Tokens come by environment, not argv.
import { launchChromium } from './harness.mjs';

const [base] = process.argv.slice(2);
const caller = process.env.CALLER_TOKEN;
const stranger = process.env.STRANGER_TOKEN;
const browser = await launchChromium();
let failed = 0;
const check = (ok, what, detail) => {
  if (!ok) {
    console.error(`FAILED: ${what}`, detail ?? '');
    failed++;
  }
};
const modelText = (page) => page.textContent('#model');
try {
  const page = await browser.newPage();
  await page.goto(base);
  await page.waitForFunction(() => /checks its callers/.test(document.getElementById('model').textContent));
  check(await page.evaluate(() => document.getElementById('auth').open), 'the token field opens by itself');
  check(await page.isHidden('#form'), 'no form without the model\'s description');

  await page.fill('#token', stranger);
  await page.dispatchEvent('#token', 'change');
  await page.waitForFunction(() => /may not call this model/.test(document.getElementById('model').textContent));

  await page.fill('#token', `  ${caller}  `);
  await page.dispatchEvent('#token', 'change');
  await page.waitForFunction(() => document.getElementById('model').textContent.includes('ready'));
  check(await page.evaluate(() => sessionStorage.getItem('explainable-serving.token')) === caller,
    'the token is kept trimmed in the tab\'s sessionStorage');
  await page.click('#explain');
  await page.waitForSelector('#result:not([hidden])', { timeout: 60000 });
  const curl = await page.textContent('#curl');
  const gcloud = await page.textContent('#gcloud');
  check(curl.includes('Authorization: Bearer $TOKEN'), 'curl names $TOKEN', curl);
  check(gcloud.includes('auth/access_token_file'), 'gcloud reads the token from a file', gcloud);
  const html = await page.content();
  check(!html.includes(caller.slice(0, 40)) || (await page.inputValue('#token')) === caller,
    'the token shows nowhere but in its own field');
  check(!curl.includes(caller) && !gcloud.includes(caller), 'no command holds the token');

  // a reload in the same tab keeps the token: the page explains again without asking
  await page.reload();
  await page.waitForFunction(() => document.getElementById('model').textContent.includes('ready'));
  check((await page.inputValue('#token')) === caller, 'the field shows the kept token after a reload');

  // a new tab (a new session) has none
  const other = await (await browser.newContext()).newPage();
  await other.goto(base);
  await other.waitForFunction(() => /checks its callers/.test(document.getElementById('model').textContent));
  console.log(`page with auth: refused without a token, denied for a stranger, explained with the caller's token`
    + ` (${(await modelText(page)).trim()})`);
} catch (e) {
  console.error(e);
  failed++;
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
