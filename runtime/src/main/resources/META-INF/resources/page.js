// The runtime's page: reads the model's description (GET /runtime/model), builds a form for its inputs, calls this
// runtime's own :explain and shows the answer: a bar chart of attributions for numeric inputs, the original and
// the overlay for images, the tokens coloured by attribution for token inputs, the scores with approx_error, the raw
// JSON and the same call as curl and gcloud.
// No external assets and no inline script or style (the page's Content-Security-Policy forbids both).
'use strict';

const APPROX_ERROR_LIMIT = 0.05; // Google's tools warn above it
const MAX_BARS = 30;
const PROJECT = 'local'; // any project is accepted
const EMBEDDINGS = ['concat_embedding', 'combined_embedding'];

const $ = (id) => document.getElementById(id);
let description = null;
let widgets = []; // one per request input: {input, kind, value()}
let images = {}; // request input name -> {blob, name, url}
let last = null; // the last request: {body, text, response, hadImage}
let inFlight = null;
let liveTimer = null;

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) {
    if (c !== null && c !== undefined) e.append(c);
  }
  return e;
}

function fmt(x, digits = 4) {
  if (typeof x !== 'number' || !isFinite(x)) return String(x);
  if (x !== 0 && Math.abs(x) < 10 ** -digits) return x.toExponential(2);
  return x.toFixed(digits);
}

function signed(x) {
  return (x > 0 ? '+' : x < 0 ? '\u2212' : '') + fmt(Math.abs(x));
}

// ---------------------------------------------------------------------------------------------------------------
// The model's description

async function loadDescription() {
  let r;
  try {
    r = await fetch('/runtime/model', {headers: {Accept: 'application/json'}});
  } catch (e) {
    $('model').textContent = `The runtime does not answer (${e.message}); retrying…`;
    setTimeout(loadDescription, 2000);
    return;
  }
  const body = await r.json().catch(() => ({}));
  if (!r.ok) {
    $('model').textContent = `The model is not ready: ${body.error || r.statusText}`;
    if (r.status === 503 && !/failed to load/.test(body.error || '')) setTimeout(loadDescription, 2000);
    return;
  }
  description = body;
  showModel();
  buildForm();
}

function methodText(method) {
  const p = method.parameters || {};
  const parts = Object.entries(p).filter(([k]) => k !== 'xrai').map(([k, v]) => `${k.replace(/_/g, ' ')} ${v}`);
  return `${method.name}${parts.length ? ` (${parts.join(', ')})` : ''}`;
}

function showModel() {
  const d = description;
  $('model').textContent = `Model ${d.model}, version ${d.version}: ready.`;
  const about = $('about');
  about.replaceChildren();
  const fact = (term, ...value) => about.append(el('dt', {text: term}), el('dd', {}, ...value));
  fact('method', methodText(d.method));
  fact('inputs', d.inputs.map(i => {
    const names = i.feature_names ? `: ${i.feature_names.join(', ')}` : '';
    const encoding = i.encoding !== 'identity' ? `, ${i.encoding}` : '';
    const embedding = i.encoded_tensor_name
      ? `, attributions computed on the embedding ${i.encoded_tensor_name} ${shapeText(i.encoded_shape)}` : '';
    return `${i.name} (${i.modality}${encoding}, ${i.dtype || 'tensor'} ${shapeText(i.shape)}${embedding}${names})`;
  }).join('; '));
  fact('outputs', d.outputs.map(o => o.label_names
    ? `${o.name} (labels ${o.label_names.join(', ')})` : `${o.name} ${shapeText(o.shape)}`).join('; '));
  about.hidden = false;
}

function shapeText(shape) {
  return shape ? `[${shape.map(x => x < 0 ? 'None' : x).join(', ')}]` : 'of any shape';
}

// ---------------------------------------------------------------------------------------------------------------
// The form: one fieldset per input of the serving signature

function explainedFor(ri) {
  const d = description;
  if (ri.explained_input) return d.inputs.find(i => i.name === ri.explained_input);
  // bytes the graph decodes itself: the explained input is an image computed inside the graph
  if (ri.dtype === 'string') return d.inputs.find(i => !i.request_input && i.modality === 'image');
  return undefined;
}

// ids an embedding looks up, or text: typed as tokens, answered with one attribution per token (concat_embedding)
function isTokenInput(ex) {
  return Boolean(ex) && (EMBEDDINGS.includes(ex.encoding) || ex.modality === 'text');
}

function kindOf(ri, ex) {
  if (isTokenInput(ex) && ['int32', 'int64', 'string'].includes(ri.dtype) && ri.shape && ri.shape.length === 1) {
    return 'tokens';
  }
  const isImage = ex && ex.modality === 'image';
  if (isImage && (ri.dtype === 'float32' || (ri.dtype === 'string' && ri.shape && ri.shape.length === 0))) {
    return 'image';
  }
  const numeric = ['float32', 'float64', 'int32', 'int64'].includes(ri.dtype);
  const fixed = ri.shape && ri.shape.every(x => x >= 0) && ri.shape.length <= 1;
  if (numeric && fixed && (ri.shape.length === 0 || ri.shape[0] <= 256) && ri.sample !== undefined) return 'numbers';
  return 'json';
}

function buildForm() {
  const box = $('inputs');
  box.replaceChildren();
  widgets = [];
  let fileIds = 0;
  for (const ri of description.request_inputs) {
    const ex = explainedFor(ri);
    const kind = kindOf(ri, ex);
    const legend = `${ri.name} (${ri.dtype} ${shapeText(ri.shape)}${ex && ex.modality !== 'numeric'
      ? ', ' + ex.modality : ''})`;
    const fs = el('fieldset', {}, el('legend', {text: legend}));
    if (kind === 'image') {
      widgets.push(imageWidget(fs, ri, ex, fileIds++));
    } else if (kind === 'numbers') {
      widgets.push(numbersWidget(fs, ri, ex));
    } else if (kind === 'tokens') {
      widgets.push(tokensWidget(fs, ri, ex));
    } else {
      widgets.push(jsonWidget(fs, ri, ex));
    }
    box.append(fs);
  }
  const image = description.inputs.find(i => i.visualization);
  if (image) {
    const v = image.visualization;
    for (const key of ['type', 'polarity', 'color_map', 'overlay_type', 'clip_below_percentile',
      'clip_above_percentile']) {
      $(key).value = String(v[key]);
    }
    $('visualization').hidden = false;
  }
  const numbers = widgets.some(w => w.kind === 'numbers');
  $('reset').hidden = !numbers;
  $('random').hidden = !numbers;
  $('form').hidden = false;
}

function numbersWidget(fs, ri, ex) {
  const sample = ri.sample;
  const scalar = ri.shape.length === 0;
  const n = scalar ? 1 : ri.shape[0];
  const names = ex && ex.feature_names && ex.feature_names.length === n ? ex.feature_names
    : Array.from({length: n}, (_, i) => scalar ? ri.name : `${ri.name}[${i}]`);
  const hint = el('p', {class: 'hint', id: `hint-${ri.name}`, text: ex && ex.baselines
    ? 'Prefilled with the first baseline (input_baselines), where every attribution is 0: change some values, '
      + 'or pick Random values.'
    : 'Prefilled with zeros (the baseline when the metadata gives none): change some values, or pick Random values.'});
  const grid = el('div', {class: 'features'});
  const fields = names.map((name, i) => {
    const input = el('input', {type: 'number', step: ri.dtype.startsWith('int') ? '1' : 'any', required: true,
      name, 'aria-describedby': hint.id, 'data-feature': name});
    input.value = String(scalar ? sample : sample[i]);
    grid.append(el('label', {}, el('span', {text: name}), input));
    return input;
  });
  fs.append(hint, grid);
  const domain = ex && ex.domain;
  return {
    input: ri, kind: 'numbers',
    value: () => {
      const values = fields.map(f => Number(f.value));
      return scalar ? values[0] : values;
    },
    reset: () => fields.forEach((f, i) => { f.value = String(scalar ? sample : sample[i]); }),
    random: () => fields.forEach((f, i) => {
      const base = scalar ? sample : sample[i];
      let v;
      if (domain && domain.min !== undefined) v = domain.min + Math.random() * (domain.max - domain.min);
      else if (domain && domain.original_mean !== undefined) v = domain.original_mean + gauss() * domain.original_stddev;
      else v = base + gauss();
      f.value = ri.dtype.startsWith('int') ? String(Math.round(v)) : v.toFixed(2);
    }),
  };
}

function gauss() {
  const u = 1 - Math.random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * Math.random());
}

function jsonWidget(fs, ri, ex) {
  const id = `json-${ri.name}`;
  const area = el('textarea', {id, rows: 4, spellcheck: 'false', required: true});
  area.value = ri.sample !== undefined ? JSON.stringify(ri.sample) : '';
  const why = ex && ['text', 'categorical'].includes(ex.modality)
    ? 'The page has no widget for this input yet: give its value as JSON. '
    : '';
  fs.append(el('label', {for: id, text: `${why}The value as JSON (a number, nested lists, a string, or {"b64": "..."}).`}),
    area);
  return {
    input: ri, kind: 'json',
    value: () => {
      try {
        return JSON.parse(area.value);
      } catch (e) {
        throw new Error(`input '${ri.name}': not JSON (${e.message})`);
      }
    },
  };
}

function tokensWidget(fs, ri, ex) {
  const id = `tokens-${ri.name}`;
  const strings = ri.dtype === 'string';
  const n = ri.shape[0] >= 0 ? ri.shape[0] : null;
  const area = el('textarea', {id, rows: 2, spellcheck: 'false', required: true, 'aria-describedby': `${id}-hint`,
    'data-tokens': ri.name});
  area.value = Array.isArray(ri.sample) ? ri.sample.join(' ') : '';
  const count = n === null ? '' : `${n} `;
  const hint = el('p', {class: 'hint', id: `${id}-hint`, text: strings
    ? `${count}tokens, separated by spaces (the film was good) or as a JSON list (["the", "film", "was", "good"]).`
    : `${count}token ids, separated by spaces (1 2 3) or as a JSON list ([1, 2, 3]). The page knows no vocabulary: `
      + 'the answer shows each id as typed, coloured by its attribution.'
      + (!Array.isArray(ri.sample) ? '' : ri.sample.every(x => x === 0) ? ' Prefilled with zeros.'
        : ' Prefilled with the sample.')});
  fs.append(el('label', {for: id, text: strings ? 'Tokens' : 'Token ids'}), area, hint);
  return {input: ri, kind: 'tokens', explained: ex, value: () => parseTokens(area.value, ri, n)};
}

function parseTokens(text, ri, n) {
  const t = text.trim();
  let tokens;
  if (t.startsWith('[')) {
    try {
      tokens = JSON.parse(t);
    } catch (e) {
      throw new Error(`input '${ri.name}': not a JSON list (${e.message})`);
    }
    if (!Array.isArray(tokens)) throw new Error(`input '${ri.name}': not a JSON list`);
  } else {
    tokens = t === '' ? [] : t.split(/\s+/);
  }
  if (ri.dtype === 'string') {
    const bad = tokens.find(x => typeof x !== 'string');
    if (bad !== undefined) throw new Error(`input '${ri.name}': ${JSON.stringify(bad)} is not a string`);
  } else {
    tokens = tokens.map(x => {
      const v = typeof x === 'string' ? Number(x) : x;
      if (!Number.isInteger(v)) throw new Error(`input '${ri.name}': ${JSON.stringify(x)} is not a token id (a whole number)`);
      return v;
    });
  }
  if (n !== null && tokens.length !== n) {
    throw new Error(`input '${ri.name}' takes ${n} token${n === 1 ? '' : 's'}, not ${tokens.length}`);
  }
  if (tokens.length === 0) throw new Error(`input '${ri.name}': give at least one token`);
  return tokens;
}

function imageWidget(fs, ri, ex, n) {
  const fileId = n === 0 ? 'file' : `file-${n}`;
  const file = el('input', {type: 'file', id: fileId, accept: 'image/jpeg,image/png'});
  const sampleButton = el('button', {type: 'button', text: 'Use the sample image'});
  const preview = el('img', {alt: `the image sent as ${ri.name}`, class: 'preview'});
  const caption = el('figcaption');
  const size = ex && ex.shape && ex.shape[0] > 0 ? ` (the runtime resizes it to ${ex.shape[1]}\u00d7${ex.shape[0]})` : '';
  fs.append(el('label', {for: fileId, text: `A JPEG or PNG${size}`}), file, sampleButton,
    el('figure', {class: 'preview'}, preview, caption));
  const show = (blob, name) => {
    if (images[ri.name]) URL.revokeObjectURL(images[ri.name].url);
    images[ri.name] = {blob, name, url: URL.createObjectURL(blob)};
    preview.src = images[ri.name].url;
    caption.textContent = name;
  };
  let chosen = false; // a file picked before the sample arrived wins
  const useSample = async (initial) => {
    const r = await fetch('/sample.png');
    const blob = await r.blob();
    if (initial && chosen) return;
    show(blob, 'sample.png: the bundled sample (a generated test picture, 32\u00d732)');
  };
  file.addEventListener('change', () => {
    if (file.files[0]) {
      chosen = true;
      show(file.files[0], file.files[0].name);
    }
  });
  sampleButton.addEventListener('click', () => useSample(false));
  useSample(true);
  return {
    input: ri, kind: 'image', explained: ex,
    value: async () => {
      const image = images[ri.name];
      if (!image) throw new Error(`choose an image for input '${ri.name}'`);
      return {b64: await base64(image.blob)};
    },
  };
}

function base64(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result.substring(reader.result.indexOf(',') + 1));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Explaining

function visualizationParameters() {
  const v = {};
  for (const key of ['type', 'polarity', 'color_map', 'overlay_type']) v[key] = $(key).value;
  for (const key of ['clip_below_percentile', 'clip_above_percentile']) {
    if ($(key).value !== '') v[key] = Number($(key).value);
  }
  return v;
}

async function buildRequest() {
  const values = {};
  for (const w of widgets) values[w.input.name] = await w.value();
  const names = Object.keys(values);
  const instance = names.length === 1 ? values[names[0]] : values;
  const body = {instances: [instance]};
  if (!$('visualization').hidden) body.parameters = {visualization: visualizationParameters()};
  return body;
}

async function explain() {
  const error = $('error');
  error.textContent = '';
  let body;
  try {
    body = await buildRequest();
  } catch (e) {
    error.textContent = e.message;
    return;
  }
  if (inFlight) inFlight.abort();
  const controller = new AbortController();
  inFlight = controller;
  const text = JSON.stringify(body);
  const path = `/v1/projects/${PROJECT}/models/${encodeURIComponent(description.model)}/versions/`
    + `${encodeURIComponent(description.version)}:explain`;
  $('busy').textContent = 'Explaining…';
  const started = performance.now();
  let response, answer;
  try {
    response = await fetch(path, {method: 'POST', headers: {'Content-Type': 'application/json'}, body: text,
      signal: controller.signal});
    answer = await response.json().catch(() => ({error: `${response.status} ${response.statusText}`}));
  } catch (e) {
    if (controller.signal.aborted) return; // a newer request replaced this one
    error.textContent = `The request failed: ${e.message}`;
    $('busy').textContent = '';
    return;
  } finally {
    if (inFlight === controller) inFlight = null;
  }
  if (controller.signal.aborted) return;
  const latency = performance.now() - started;
  $('busy').textContent = '';
  last = {body, text, path, response: answer, hadImage: widgets.some(w => w.kind === 'image')};
  showRaw();
  if (!response.ok) {
    error.textContent = answer.error || `${response.status} ${response.statusText}`;
    $('result').hidden = true; // an earlier result would pass for this request's
    return;
  }
  showResult(answer, latency);
}

// ---------------------------------------------------------------------------------------------------------------
// The answer

function showResult(answer, latency) {
  const explanation = answer.explanations[0];
  const outputs = $('outputs');
  outputs.replaceChildren();
  explanation.attributions_by_label.forEach((label, n) => outputs.append(outputCard(label, n === 0)));
  $('summary').textContent = `${methodText(description.method)}; ${Math.round(latency)} ms round trip `
    + '(measured by this page).';
  $('result').hidden = false;
}

function outputCard(label, first) {
  const card = el('article', {class: 'output'});
  const output = description.outputs.find(o => o.name === label.output_name);
  const scalar = label.label_index < 0;
  const named = label.label_name !== undefined;
  const name = named ? label.label_name : scalar ? 'the output itself' : `label_index ${label.label_index}`;
  const classes = output && output.shape && output.shape.length === 1 ? output.shape[0] : null;
  let detail = ' (a scalar)';
  if (!scalar) {
    if (classes === 1) detail = ' (the output\'s only value)';
    else if (named) detail = ` (label_index ${label.label_index}${classes ? ` of ${classes}` : ''}: the top class, explained)`;
    else detail = ` (${classes ? `of ${classes} classes: ` : ''}the top class, explained)`;
  }
  card.append(el('h3', {}, `${label.output_name}: `, el('span', {id: first ? 'label' : null, class: 'label', text: name}),
    el('span', {class: 'muted', text: detail})));
  const numbers = el('dl', {class: 'numbers'});
  const num = (term, value, id, title) => numbers.append(el('div', {}, el('dt', {text: term, title}),
    el('dd', {id: first ? id : null, text: value})));
  num('example_score', fmt(label.example_score), 'score', 'the explained score at the instance');
  num('baseline_score', fmt(label.baseline_score), 'baseline-score', 'the same score at the baseline');
  num('difference', signed(label.example_score - label.baseline_score), 'difference',
    'example_score \u2212 baseline_score: what the attributions add up to');
  num('approx_error', label.approx_error === undefined ? 'not reported' : fmt(label.approx_error), 'approx',
    'how far the attributions are from adding up to the difference (relative)');
  card.append(numbers);
  if (label.approx_error !== undefined && label.approx_error > APPROX_ERROR_LIMIT) {
    card.append(approxWarning(label.approx_error, first));
  }
  for (const [input, value] of Object.entries(label.attributions)) {
    if (value && typeof value === 'object' && !Array.isArray(value) && (value.b64_jpeg || value.b64_png)) {
      card.append(imagePair(input, value, first));
    } else {
      const tokens = tokensOf(input, value);
      if (tokens) card.append(tokenChips(input, tokens, first));
      card.append(chart(input, value, first, tokens ? tokens.names : null));
    }
  }
  return card;
}

function approxWarning(error, first) {
  const p = description.method.parameters || {};
  const knob = p.paths !== undefined
    ? `the number of paths (now ${p.paths}: explain.paths, EXPLAIN_PATHS; numPaths of an ExplainableModel)`
    : `the number of integral steps (now ${p.integral_steps}: explain.integral-steps, EXPLAIN_INTEGRAL_STEPS; `
      + 'integralSteps of an ExplainableModel)';
  return el('p', {class: 'warning', id: first ? 'approx-warning' : null, role: 'note',
    text: `approx_error ${fmt(error, 3)} is above ${APPROX_ERROR_LIMIT}: the attributions do not add up to the `
      + `score difference closely enough to be trusted. Google's guidance: raise ${knob}, or change or add `
      + 'baselines.'});
}

function flatten(value, prefix, out) {
  if (Array.isArray(value)) value.forEach((v, i) => flatten(v, `${prefix}[${i}]`, out));
  else if (value && typeof value === 'object') Object.entries(value).forEach(([k, v]) => flatten(v, k, out));
  else out.push([prefix, Number(value)]);
  return out;
}

function chart(input, value, first, names) {
  let bars = flatten(value, input, []);
  if (names) bars = bars.map(([, v], i) => [names[i], v]);
  bars.sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]));
  const max = Math.max(...bars.map(b => Math.abs(b[1])), 1e-12);
  const shown = bars.slice(0, MAX_BARS);
  const figure = el('figure', {class: 'chart-figure'});
  const caption = el('figcaption', {text: `Attributions of ${input}, largest first`
    + (bars.length > shown.length ? ` (the ${shown.length} largest of ${bars.length})` : '')
    + '. Green raises the score, red lowers it.'});
  const list = el('div', {class: 'chart', role: 'list', id: first ? 'chart' : null, 'data-input': input});
  for (const [name, v] of shown) {
    const bar = el('span', {class: `bar ${v >= 0 ? 'pos' : 'neg'}`});
    bar.style.width = `${(100 * Math.abs(v) / max).toFixed(2)}%`; // CSSOM: allowed by the page's CSP
    const row = el('div', {class: 'row', role: 'listitem', tabindex: '0', title: `${name}: ${v}`,
      'aria-label': `${name}: ${signed(v)}`, 'data-name': name, 'data-value': String(v)},
    el('span', {class: 'name', text: name}),
    el('span', {class: 'track'}, el('span', {class: 'half neg'}, v < 0 ? bar : null),
      el('span', {class: 'half pos'}, v >= 0 ? bar : null)),
    el('span', {class: 'value', text: signed(v)}),
    el('span', {class: 'tip', text: `${name} = ${v}`}));
    list.append(row);
  }
  figure.append(caption, list);
  return figure;
}

// The value the last request sent for a request input (an instance is the bare value when there is one input).
function sentValue(requestInput) {
  const instance = last.body.instances[0];
  if (widgets.length === 1) return widgets[0].input.name === requestInput ? instance : undefined;
  return instance && typeof instance === 'object' ? instance[requestInput] : undefined;
}

// A token input's attributions, one per token in input order, with the tokens the request sent: for inputs encoded
// with concat_embedding (one attribution per id) and text inputs answered with a list of numbers.
function tokensOf(input, value) {
  const ex = description.inputs.find(i => i.name === input);
  if (!ex || !Array.isArray(value)) return null;
  const flat = value.every(v => typeof v === 'number');
  if (ex.encoding !== 'concat_embedding' && !(ex.modality === 'text' && flat)) return null;
  const values = flatten(value, input, []);
  if (values.length === 0) return null;
  const sent = ex.request_input ? sentValue(ex.request_input) : undefined;
  const typed = Array.isArray(sent) ? sent.flat(Infinity) : [];
  const known = typed.length === values.length; // else the graph made the tokens (from a string): numbered
  const tokens = known ? typed.map(String) : values.map((_, i) => `#${i}`);
  return {tokens, values: values.map(v => v[1]), positions: values.map(([name]) => name),
    names: values.map(([name], i) => known ? `${name}: ${tokens[i]}` : name)};
}

function tokenChips(input, t, first) {
  const max = Math.max(...t.values.map(Math.abs));
  const figure = el('figure', {class: 'tokens-figure'});
  const caption = el('figcaption', {text: `${input}: the tokens in input order, each coloured by its attribution. `
    + `Green raises the score, red lowers it; the stronger the colour, the larger the value (the largest is ${fmt(max)}).`});
  const list = el('div', {class: 'tokens', role: 'list', id: first ? 'tokens' : null, 'data-input': input});
  const idle = 'Hover over a token or focus it (Tab) for its exact value.';
  const readout = el('p', {class: 'readout', id: first ? 'token-value' : null, text: idle});
  t.tokens.forEach((token, i) => {
    const v = t.values[i];
    const weight = max > 0 ? Math.abs(v) / max : 0;
    const exact = `${token} (${t.positions[i]}): ${v}`;
    const chip = el('span', {class: `token ${v >= 0 ? 'pos' : 'neg'}${weight > 0.9 ? ' strong' : ''}`,
      role: 'listitem', tabindex: '0', title: exact, 'aria-label': `${token}: ${signed(v)}`,
      'data-token': token, 'data-name': t.positions[i], 'data-value': String(v)}, token);
    chip.style.setProperty('--w', weight.toFixed(3)); // CSSOM: allowed by the page's CSP
    const show = () => { readout.textContent = exact; };
    const hide = () => { if (readout.textContent === exact) readout.textContent = idle; };
    chip.addEventListener('focus', show);
    chip.addEventListener('mouseenter', show);
    chip.addEventListener('blur', hide);
    chip.addEventListener('mouseleave', () => { if (document.activeElement !== chip) hide(); });
    list.append(chip);
  });
  figure.append(caption, list, readout);
  return figure;
}

function imagePair(input, value, first) {
  const w = widgets.find(x => x.kind === 'image' && (x.input.name === input || (x.explained && x.explained.name === input)))
    || widgets.find(x => x.kind === 'image');
  const original = w && images[w.input.name];
  const v = last.body.parameters ? last.body.parameters.visualization : {};
  const overlay = el('img', {id: first ? 'overlay' : null, alt: `attributions of ${input} drawn over the image`,
    src: value.b64_png ? `data:image/png;base64,${value.b64_png}` : `data:image/jpeg;base64,${value.b64_jpeg}`});
  const pair = el('div', {class: 'images'},
    el('figure', {}, el('img', {id: first ? 'input' : null, alt: `${input}: the image explained`,
      src: original ? original.url : null}), el('figcaption', {text: 'original'})),
    el('figure', {}, overlay, el('figcaption', {text: `attributions: ${v.type || ''} ${v.polarity || ''} `
      + `${v.color_map || ''}, overlay ${v.overlay_type || ''}`})));
  return pair;
}

// ---------------------------------------------------------------------------------------------------------------
// Raw JSON, curl and gcloud

function abbreviated(key, value) {
  if (typeof value === 'string' && value.length > 120 && /^b64/.test(key)) {
    return `${value.slice(0, 48)}… (${value.length} characters: Copy and Download give them all)`;
  }
  return value;
}

function shellQuote(s) {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

const texts = {};

function showRaw() {
  const url = `${location.origin}${last.path}`;
  texts.request = JSON.stringify(last.body, null, 2);
  texts.response = JSON.stringify(last.response, null, 2);
  $('request-json').textContent = JSON.stringify(last.body, abbreviated, 2);
  $('response-json').textContent = JSON.stringify(last.response, abbreviated, 2);
  download('request-download', texts.request);
  download('response-download', texts.response);
  const small = last.text.length <= 2000;
  texts.curl = `curl -s -X POST ${shellQuote(url)} \\\n  -H 'Content-Type: application/json' \\\n  -d `
    + (small ? shellQuote(last.text) : '@request.json');
  $('curl').textContent = small ? texts.curl : `${texts.curl}\n# request.json: Download above`;
  const instances = last.body.instances.map(i => JSON.stringify(i)).join('\n') + '\n';
  download('instances-download', instances);
  const file = instances.length <= 2000 ? `echo ${shellQuote(instances.trim())} > instances.jsonl\n`
    : '# instances.jsonl: Download above (one instance per line)\n';
  texts.gcloud = 'export CLOUDSDK_CONFIG=$(mktemp -d)\n'
    + `gcloud config set api_endpoint_overrides/ml ${location.origin}/\n`
    + 'gcloud config set auth/disable_credentials true\n'
    + `gcloud config set core/project ${PROJECT}\n`
    + file
    + `gcloud beta ai-platform explain --model ${description.model} --version ${description.version} `
    + '--json-instances instances.jsonl --region global --format json';
  $('gcloud').textContent = texts.gcloud;
  $('gcloud-note').textContent = last.body.parameters
    ? 'gcloud sends the instances only: the model\'s own visualization settings apply, not the ones chosen here.'
    : '';
  $('raw').hidden = false;
}

const urls = {};
function download(id, text) {
  if (urls[id]) URL.revokeObjectURL(urls[id]);
  urls[id] = URL.createObjectURL(new Blob([text], {type: 'application/json'}));
  $(id).href = urls[id];
}

async function copy(name, button) {
  const text = texts[name];
  try {
    await navigator.clipboard.writeText(text);
  } catch (e) {
    // http:// pages other than localhost have no clipboard API: select and copy the old way
    const area = el('textarea', {class: 'offscreen', 'aria-hidden': 'true'});
    area.value = text;
    document.body.append(area);
    area.select();
    document.execCommand('copy');
    area.remove();
  }
  $('copied').textContent = `Copied the ${name === 'request' || name === 'response' ? name + ' JSON' : name + ' command'}.`;
  button.textContent = 'Copied';
  setTimeout(() => { button.textContent = 'Copy'; }, 1500);
}

// ---------------------------------------------------------------------------------------------------------------

$('form').addEventListener('submit', (event) => {
  event.preventDefault();
  explain();
});
$('reset').addEventListener('click', () => widgets.forEach(w => w.reset && w.reset()));
$('random').addEventListener('click', () => widgets.forEach(w => w.random && w.random()));
for (const key of ['type', 'polarity', 'color_map', 'overlay_type', 'clip_below_percentile', 'clip_above_percentile']) {
  $(key).addEventListener('change', () => {
    if (!last || !last.hadImage) return; // nothing shown yet: the options apply to the first explanation
    clearTimeout(liveTimer);
    liveTimer = setTimeout(explain, 250);
  });
}
document.querySelectorAll('button.copy').forEach(b => b.addEventListener('click', () => copy(b.dataset.copy, b)));
loadDescription();
