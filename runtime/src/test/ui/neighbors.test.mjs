// Usage: node neighbors.test.mjs <base url> <expectations JSON> <screenshot file>
// The page of a model that explains by example: it calls Vertex's :explain and shows the instance's nearest examples,
// their ids and distances as the API answers them, and each example's feature values as the example set has them.
//   expectations: {"values": [numbers typed into the form], "neighbors": <how many the model answers>}
// Prints "N passed, M failed" and exits non-zero on any failure.
import { checks, launchChromium } from './harness.mjs';

const [base, expectationsJson, screenshot] = process.argv.slice(2);
const expect = JSON.parse(expectationsJson);
const browser = await launchChromium();
const { check, fail, finish } = checks();

try {
  const context = await browser.newContext({ viewport: { width: 900, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', e => pageErrors.push(e.message));
  page.on('response', r => { if (r.status() >= 400) pageErrors.push(`${r.status()} ${r.url()}`); });
  await page.goto(base);
  await page.waitForFunction(() => document.getElementById('model').textContent.includes('ready'));
  await page.waitForSelector('#form:not([hidden])');
  const description = await (await page.request.get(new URL('/runtime/model', base).href)).json();
  const about = await page.textContent('#about');
  check(about.includes('by example') && about.includes(description.examples.examples.toLocaleString('en')),
    'the model facts say it explains by example, from how many', about);

  const fields = page.locator('#inputs input[type=number]');
  for (let i = 0; i < expect.values.length; i++) {
    await fields.nth(i).fill(String(expect.values[i]));
  }
  const answered = page.waitForResponse(r => r.url().includes(':explain'), { timeout: 60000 });
  await page.click('#explain');
  const response = await answered;
  check(response.url().includes('/endpoints/'), 'the page asks Vertex\'s :explain', response.url());
  const answer = await response.json();
  await page.waitForSelector('#result:not([hidden]) #neighbors', { timeout: 60000 });
  await page.waitForFunction(n => document.querySelectorAll('#neighbors td.example[data-loaded]').length === n,
    expect.neighbors, { timeout: 30000 });
  const rows = await page.locator('#neighbors tbody tr').evaluateAll(rs => rs.map(r => ({ id: r.dataset.id,
    distance: Number(r.dataset.distance), shown: r.children[2].textContent, example: r.children[3].textContent })));
  const neighbors = answer.explanations[0].neighbors;
  check(rows.length === expect.neighbors && neighbors.length === expect.neighbors, 'one row per neighbour', rows.length);
  check(rows.every((r, i) => r.id === neighbors[i].neighborId && r.distance === neighbors[i].neighborDistance),
    'the rows are the answer\'s neighbours, nearest first', rows);
  check(rows.every((r, i) => i === 0 || rows[i - 1].distance <= r.distance), 'sorted by distance', rows);
  check(rows.every(r => r.shown === r.distance.toPrecision(4)), 'each distance shown', rows.map(r => r.shown));
  // the same call from outside the page answers the same neighbours
  const again = await (await page.request.post(new URL(response.url()).href,
    { data: { instances: [{ features: expect.values }] } })).json();
  check(JSON.stringify(again.explanations[0].neighbors) === JSON.stringify(neighbors), 'REST answers the same', again);
  // each example as the set has it
  for (const r of rows) {
    const e = await (await page.request.get(new URL(`/runtime/model/examples/${encodeURIComponent(r.id)}`, base).href))
      .json();
    check(r.example === `features: ${e.example.features.join(', ')}`, `example ${r.id} shown as the set has it`,
      [r.example, e.example]);
  }
  const gcloud = await page.textContent('#gcloud');
  check(gcloud.includes(`gcloud ai endpoints explain ${description.model}`)
    && gcloud.includes('api_endpoint_overrides/aiplatform'), 'the gcloud command is Vertex\'s', gcloud);
  check(pageErrors.length === 0, 'no page errors and no failed request', pageErrors);
  const bottom = await page.evaluate(() => document.querySelector('#result').getBoundingClientRect().bottom
    + window.scrollY);
  await page.screenshot({ path: screenshot, fullPage: true, clip: { x: 0, y: 0, width: 900, height: Math.ceil(bottom + 16) } });
} catch (e) {
  fail(e.stack || e.message);
} finally {
  await browser.close();
}
finish();
