// Usage: node viewer.test.mjs <base url> <expectations JSON> <screenshot file>
// Drives the runtime's page as a user would, for the model the runtime serves, and checks what it shows:
//   expectations: {"kind": "tabular" | "image" | "text", "label": "<label shown>", "warning": true|false,
//                  "monitoring": true (the attribution monitoring tables are shown and match the runtime's report),
//                  "values": [numbers typed into the form] (tabular),
//                  "tokens": [ids typed, space-separated], "reference": [their expected attributions],
//                  "tokens2": [ids typed next, as a JSON list] (text), "shotUntil": "<selector>"}
//   the screenshot shows the page from the top down to the end of shotUntil (default #result)
// Prints "N passed, M failed" and exits non-zero on any failure.
import { checks, launchChromium } from './harness.mjs';

const [base, expectationsJson, screenshot] = process.argv.slice(2);
const expect = JSON.parse(expectationsJson);
const browser = await launchChromium();
const { check, fail, finish } = checks();

// the token chips: text, value and background colour ({r, g, a})
function tokenChips(page) {
  return page.locator('#tokens .token').evaluateAll(cs => cs.map(c => {
    const n = getComputedStyle(c).backgroundColor.match(/[\d.]+/g).map(Number);
    return { token: c.textContent, value: Number(c.dataset.value), cls: c.className,
      bg: { r: n[0], g: n[1], a: n.length > 3 ? n[3] : 1 } };
  }));
}

try {
  const context = await browser.newContext({ viewport: { width: 900, height: 900 }, deviceScaleFactor: 1 });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(base).origin });
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', e => pageErrors.push(e.message));
  page.on('console', m => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageErrors.push(m.text());
  });
  // every asset loads (:explain answers 400 on purpose below)
  page.on('response', r => { if (r.status() >= 400 && !r.url().includes(':explain')) pageErrors.push(`${r.status()} ${r.url()}`); });
  await page.goto(base);
  await page.waitForFunction(() => document.getElementById('model').textContent.includes('ready'));
  await page.waitForSelector('#form:not([hidden])');
  const description = await (await page.request.get(new URL('/runtime/model', base).href)).json();
  check(await page.isVisible('#about'), 'the model facts are shown');
  check((await page.textContent('#about')).includes(description.method.name), 'the method is named');

  if (expect.kind === 'tabular') {
    // the form: one number field per feature, prefilled with the sample instance; no image widgets
    const fields = page.locator('#inputs input[type=number]');
    const count = await fields.count();
    const features = description.request_inputs[0].shape[0];
    check(count === features, 'one number field per feature', { count, features });
    const prefilled = await fields.evaluateAll(fs => fs.map(f => Number(f.value)));
    check(JSON.stringify(prefilled) === JSON.stringify(description.sample_instance),
      'the fields hold the sample instance', prefilled);
    check(await page.locator('#file').count() === 0, 'no file picker for a tabular model');
    check(await page.isHidden('#visualization'), 'no visualization options for a tabular model');
    check(await page.isVisible('#random') && await page.isVisible('#reset'), 'random and reset offered');
    for (let i = 0; i < expect.values.length; i++) {
      await fields.nth(i).fill(String(expect.values[i]));
    }
  } else if (expect.kind === 'text') {
    // the description: the ids are the request input, the embedding is where attributions are computed
    const ri = description.request_inputs[0];
    const ex = description.inputs[0];
    check(ri.explained_input === ex.name && ex.request_input === ri.name && ex.encoding === 'concat_embedding'
      && ex.modality === 'text' && ex.dtype === ri.dtype && typeof ex.encoded_tensor_name === 'string'
      && ex.encoded_shape.length === 2 && ex.encoded_shape[0] === ri.shape[0],
    'the description links the ids to the embedding', ex);
    check((await page.textContent('#about')).includes('concat_embedding'), 'the model facts name the encoding');
    // one box for the tokens, prefilled with the sample ids; no number fields, picker or options
    const box = page.locator('#inputs textarea[data-tokens]');
    check(await box.count() === 1, 'one token box for a token input');
    check(await page.locator('#inputs input[type=number]').count() === 0, 'no number fields for token ids');
    check(await page.locator('#file').count() === 0, 'no file picker for a text model');
    check(await page.isHidden('#visualization'), 'no visualization options for a text model');
    check(await page.isHidden('#random'), 'no random values for token ids');
    check(await box.inputValue() === ri.sample.join(' '), 'the box holds the sample ids', await box.inputValue());
    // a wrong count is refused by the page, before any request (any run of spaces separates ids)
    await box.fill(' 1  2\t3 ');
    await page.click('#explain');
    const refused = await page.textContent('#error');
    check(refused.includes(`takes ${ri.shape[0]} tokens, not 3`), 'a wrong number of tokens is refused', refused);
    // what the box takes for other token inputs (the page's own parser, from its module: this model has int32 ids)
    const parsed = await page.evaluate(async () => {
      const { parseTokens } = await import('/page/form.js');
      const words = { name: 'w', dtype: 'string' };
      const attempt = (f) => { try { return f(); } catch (e) { return e.message; } };
      return [parseTokens(' the  film ', words, null), parseTokens('["not", "good"]', words, 2),
        attempt(() => parseTokens('[1, "a"]', words, null)), attempt(() => parseTokens('1 2.5', { name: 'i',
          dtype: 'int64' }, null)), parseTokens('[7, 8]', { name: 'i', dtype: 'int64' }, null)];
    });
    check(JSON.stringify(parsed) === JSON.stringify([['the', 'film'], ['not', 'good'], 'input \'w\': 1 is not a string',
      'input \'i\': "2.5" is not a token id (a whole number)', [7, 8]]), 'strings and ids, spaced or JSON', parsed);
    await box.fill(expect.tokens.join(' '));
  } else {
    check(await page.locator('#inputs input[type=number]').count() === 0, 'no number fields for an image model');
    check(await page.isVisible('#file'), 'a file picker for an image model');
    check(await page.isVisible('#visualization'), 'visualization options for an image model');
    const v = description.inputs.find(i => i.visualization).visualization;
    check(await page.inputValue('#type') === v.type && await page.inputValue('#color_map') === v.color_map
      && Number(await page.inputValue('#clip_below_percentile')) === v.clip_below_percentile,
    'the options start at the model\'s effective settings', v);
    // the bundled sample is preselected: explaining needs no file
    await page.waitForFunction(() => {
      const img = document.querySelector('img.preview');
      return img && img.complete && img.naturalWidth > 0;
    });
  }

  const started = Date.now();
  const answered = page.waitForResponse(r => r.url().includes(':explain'), { timeout: 60000 });
  await page.click('#explain');
  const response = await (await answered).json();
  await page.waitForSelector('#result:not([hidden])', { timeout: 60000 });
  const explainMillis = Date.now() - started;
  const label = response.explanations[0].attributions_by_label[0];

  // the numbers of every explanation
  check((await page.textContent('#label')).trim() === expect.label, 'the label name is shown',
    await page.textContent('#label'));
  check((await page.textContent('#score')).trim() === label.example_score.toFixed(4), 'example_score shown');
  check((await page.textContent('#baseline-score')).trim() === label.baseline_score.toFixed(4), 'baseline_score shown');
  check((await page.textContent('#approx')).trim() !== '', 'approx_error shown');
  const warning = await page.locator('#approx-warning').count() === 1;
  check(warning === expect.warning && warning === label.approx_error > 0.05,
    `the approx_error warning ${expect.warning ? 'appears' : 'is absent'}`, label.approx_error);
  if (warning) {
    const text = await page.textContent('#approx-warning');
    check(/integral steps|paths/.test(text) && text.includes('0.05'), 'the warning says what to raise', text);
  }
  const summary = await page.textContent('#summary');
  check(summary.includes(description.method.name) && /\d+ ms/.test(summary), 'method and latency shown', summary);

  if (expect.kind === 'tabular') {
    const bars = await page.locator('#chart .row').evaluateAll(rows => rows.map(r => [r.dataset.name,
      Number(r.dataset.value)]));
    const features = description.request_inputs[0].shape[0];
    check(bars.length === features, 'one bar per feature', bars);
    const sorted = bars.every((b, i) => i === 0 || Math.abs(bars[i - 1][1]) >= Math.abs(b[1]));
    check(sorted, 'bars sorted by |attribution|', bars);
    const attributions = Object.values(label.attributions)[0];
    const sum = bars.reduce((s, b) => s + b[1], 0);
    check(Math.abs(sum - attributions.reduce((s, x) => s + x, 0)) < 1e-9, 'the bars are the attributions', sum);
    const classes = await page.locator('#chart .bar').evaluateAll(bs => bs.map(b => b.className));
    check(bars.every((b, i) => classes[i].includes(b[1] >= 0 ? 'pos' : 'neg')), 'signed colours', classes);
    // keyboard: a bar takes focus and shows its value
    await page.focus('#chart .row');
    const tip = await page.evaluate(() => {
      const t = document.activeElement.querySelector('.tip');
      return [getComputedStyle(t).display, t.textContent];
    });
    check(tip[0] !== 'none' && tip[1].includes(String(bars[0][1])), 'a focused bar shows its value', tip);
    const request = JSON.parse(await page.textContent('#request-json'));
    check(JSON.stringify(request.instances[0]) === JSON.stringify(expect.values), 'the request JSON is shown',
      request);
    const curl = await page.textContent('#curl');
    check(curl.includes(':explain') && curl.includes(`-d '{"instances":[[${expect.values.join(',')}]]}'`),
      'the curl command carries the request', curl);
  } else if (expect.kind === 'text') {
    check(await page.textContent('#error') === '', 'the error goes with a valid request');
    const request = JSON.parse(await page.textContent('#request-json'));
    check(JSON.stringify(request.instances[0]) === JSON.stringify(expect.tokens), 'the ids are sent as a list',
      request);
    const attributions = label.attributions[description.inputs[0].name];
    const chips = await tokenChips(page);
    check(chips.length === expect.tokens.length && attributions.length === expect.tokens.length,
      'one chip per token', chips.length);
    check(chips.every((c, i) => c.token === String(expect.tokens[i])), 'the chips are the ids typed, in order',
      chips.map(c => c.token));
    check(chips.every((c, i) => c.value === attributions[i]), 'each chip holds its attribution from the response',
      chips.map(c => c.value));
    check(chips.every((c, i) => Math.abs(c.value - expect.reference[i]) < 1e-4),
      'the attributions are the reference ones (expected.json)', chips.map(c => c.value));
    check(chips.some(c => c.value < 0) && chips.some(c => c.value > 0), 'this instance has both signs');
    check(chips.every(c => c.cls.includes(c.value >= 0 ? 'pos' : 'neg')), 'signed classes', chips.map(c => c.cls));
    check(chips.every(c => c.value >= 0 ? c.bg.g > c.bg.r : c.bg.r > c.bg.g), 'coloured by sign: green, red',
      chips.map(c => c.bg));
    const max = Math.max(...attributions.map(Math.abs));
    check(chips.every(c => Math.abs(c.bg.a - Math.abs(c.value) / max) < 0.01),
      'the colour\'s intensity is |value| relative to the largest', chips.map(c => c.bg.a));
    // keyboard: a token takes focus and shows its exact value; Tab goes on to the next one
    await page.focus('#tokens .token');
    const shown = await page.textContent('#token-value');
    check(shown.includes(String(attributions[0])) && shown.includes(String(expect.tokens[0])),
      'a focused token shows its exact value', shown);
    await page.keyboard.press('Tab');
    const next = await page.evaluate(() => [document.activeElement.dataset.value,
      document.getElementById('token-value').textContent]);
    check(Number(next[0]) === attributions[1] && next[1].includes(String(attributions[1])),
      'Tab moves to the next token and shows its value', next);
    check((await page.getAttribute('#tokens .token', 'aria-label')).startsWith(`${expect.tokens[0]}: `),
      'a token is announced with its value');
    // the bars stay: sorted by size and named by position and token
    const bars = await page.locator('#chart .row').evaluateAll(rows => rows.map(r => r.dataset.name));
    check(bars.length === expect.tokens.length && bars.includes(`tokens[0]: ${expect.tokens[0]}`),
      'one bar per token, named by the token', bars);
    // the chip with the largest value takes focus for the screenshot
    const largest = attributions.map(Math.abs).indexOf(max);
    await page.focus(`#tokens .token:nth-child(${largest + 1})`);
  } else {
    const images = await page.evaluate(() => ['input', 'overlay'].map(id => {
      const img = document.getElementById(id);
      return [img.complete ? img.naturalWidth : 0, img.getAttribute('src').slice(0, 23)];
    }));
    check(images[0][0] > 0 && images[1][0] > 0, 'original and overlay side by side', images);
    check(images[1][1] === 'data:image/jpeg;base64,', 'the overlay is the rendered JPEG', images);
    check(await page.locator('#chart').count() === 0, 'no bar chart for an image');
    // options apply live: a change explains again with it
    const before = await page.getAttribute('#overlay', 'src');
    await page.selectOption('#polarity', 'both');
    await page.waitForFunction(() => document.getElementById('request-json').textContent.includes('"polarity": "both"')
      && document.getElementById('busy').textContent === '', null, { timeout: 60000 });
    await page.waitForSelector('#overlay');
    check(await page.getAttribute('#overlay', 'src') !== before, 'a changed option re-renders the overlay');
    const curl = await page.textContent('#curl');
    check(curl.includes('-d @request.json'), 'a large request is sent from a file', curl);
    check((await page.textContent('#gcloud-note')).includes('visualization'), 'gcloud\'s missing parameters noted');
  }

  if (expect.monitoring) {
    // attribution monitoring: the last full window's top features per label, as GET /runtime/model/attributions has them
    await page.waitForSelector('#monitoring:not([hidden]) table.monitoring', { timeout: 30000 });
    const report = await (await page.request.get(new URL('/runtime/model/attributions', base).href)).json();
    const tables = await page.locator('table.monitoring').evaluateAll(ts => ts.map(t => ({label: t.dataset.label,
      rows: [...t.querySelectorAll('tbody tr')].map(r => [r.dataset.feature,
        ...[...r.querySelectorAll('td')].map(d => d.textContent)])})));
    const labels = Object.keys(report.lastWindow.profile.labels);
    check(tables.map(t => t.label).join() === labels.join(), 'a table per label of the last window', tables);
    const first = tables[0];
    const means = report.lastWindow.profile.labels[first.label].meanAbsAttribution;
    const total = Object.values(means).reduce((a, b) => a + b, 0);
    const top = Object.entries(means).sort((a, b) => b[1] - a[1])[0];
    check(first.rows[0][0] === top[0] && first.rows[0][1] === (top[1] / total).toFixed(3),
      'the top feature and its share', first.rows[0]);
    const drift = report.lastWindow.drift[first.label];
    check(first.rows[0][3] === (drift ? drift.shareChange[top[0]].toFixed(3) : '–'), 'its drift', first.rows[0]);
    check((await page.textContent('#monitoring')).includes(`Window ${report.lastWindow.index}`), 'the window shown');
  }

  // raw JSON and the equivalent commands, copyable
  check((await page.textContent('#response-json')).includes('attributions_by_label'), 'the response JSON is shown');
  const gcloud = await page.textContent('#gcloud');
  check(gcloud.includes(`gcloud beta ai-platform explain --model ${description.model} --version `
    + `${description.version} --json-instances instances.jsonl`) && gcloud.includes('api_endpoint_overrides/ml'),
  'the gcloud command', gcloud);
  // the picture for the docs: the page from the top down to the end of expect.shotUntil
  const bottom = await page.evaluate(s => document.querySelector(s).getBoundingClientRect().bottom + window.scrollY,
    expect.shotUntil || '#result');
  await page.screenshot({ path: screenshot, fullPage: true, clip: { x: 0, y: 0, width: 900, height: Math.ceil(bottom + 16) } });
  await page.click('button[data-copy=curl]');
  await page.waitForFunction(() => document.getElementById('copied').textContent !== '');
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  check(copied.startsWith('curl -s -X POST') && copied.includes(':explain'), 'Copy puts the command on the clipboard',
    copied.slice(0, 80));
  check(await page.getAttribute('#request-download', 'href') !== '#', 'request.json can be downloaded');

  if (expect.kind === 'text') {
    // a JSON list works too, and the chips follow the new answer
    const again = page.waitForResponse(r => r.url().includes(':explain'), { timeout: 60000 });
    await page.fill('#inputs textarea[data-tokens]', JSON.stringify(expect.tokens2));
    await page.click('#explain');
    const second = (await (await again).json()).explanations[0].attributions_by_label[0];
    await page.waitForFunction(n => document.querySelector('#tokens .token').dataset.token === n,
      String(expect.tokens2[0]), { timeout: 60000 });
    const chips = await tokenChips(page);
    check(chips.map(c => c.token).join(' ') === expect.tokens2.join(' ')
      && chips.every((c, i) => c.value === second.attributions[description.inputs[0].name][i]),
    'ids given as a JSON list are explained and shown', chips);
  }

  if (expect.kind === 'image') {
    // an invalid option, applied live, is the API's 400 message and hides the earlier result; fixing it brings it back
    await page.fill('#clip_below_percentile', '99.95');
    await page.press('#clip_below_percentile', 'Enter');
    await page.waitForFunction(() => document.getElementById('error').textContent.includes('clip_below_percentile'),
      null, { timeout: 60000 });
    check(await page.isHidden('#result'), 'a failed request hides the earlier result');
    await page.fill('#clip_below_percentile', '62');
    await page.press('#clip_below_percentile', 'Enter');
    await page.waitForSelector('#result:not([hidden])', { timeout: 60000 });
    check(await page.textContent('#error') === '', 'the error goes with a valid option');
  }

  // a narrow screen: nothing wider than the viewport
  await page.setViewportSize({ width: 360, height: 800 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, 'readable on a 360 px screen (no horizontal scrolling)', overflow);
  check(pageErrors.length === 0, 'no script errors, every asset loaded', pageErrors);
  console.log(`${expect.kind}: explained in ${explainMillis} ms, label ${expect.label}, approx_error `
    + `${label.approx_error}`);
} catch (e) {
  fail(e.stack || e.message);
} finally {
  await browser.close();
}
finish();
