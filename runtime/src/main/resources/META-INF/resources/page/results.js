// The answer: per explained label a card with its scores, the approx_error warning, and the attributions of each
// input: a bar chart for tensors, the tokens coloured by attribution for token inputs, the original and the overlay
// for images.

import {showNeighbors} from './neighbors.js';
import {state} from './state.js';
import {$, el, fmt, methodText, signed} from './util.js';

const APPROX_ERROR_LIMIT = 0.05; // Google's tools warn above it
const MAX_BARS = 30;

export function showResult(answer, latency) {
  const explanation = answer.explanations[0];
  if (explanation.neighbors) {
    showNeighbors(explanation, state.description, latency);
    return;
  }
  const outputs = $('outputs');
  outputs.replaceChildren();
  explanation.attributions_by_label.forEach((label, n) => outputs.append(outputCard(label, n === 0)));
  $('summary').textContent = `${methodText(state.description.method)}; ${Math.round(latency)} ms round trip `
    + '(measured by this page).';
  $('result').hidden = false;
}

function outputCard(label, first) {
  const card = el('article', {class: 'output'});
  const output = state.description.outputs.find(o => o.name === label.output_name);
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
  const p = state.description.method.parameters || {};
  const knob = p.paths !== undefined
    ? `the number of paths (now ${p.paths}: explain.paths, EXPLAIN_PATHS; numPaths of an ExplainableModel)`
    : `the number of integral steps (now ${p.integral_steps}: explain.integral-steps, EXPLAIN_INTEGRAL_STEPS; `
      + 'integralSteps of an ExplainableModel)';
  return el('p', {class: 'warning', id: first ? 'approx-warning' : null, role: 'note',
    text: `approx_error ${fmt(error, 3)} is above ${APPROX_ERROR_LIMIT}: the attributions do not add up to the `
      + `score difference closely enough to be trusted. Google's guidance: raise ${knob}, or change or add `
      + 'baselines.'});
}

// The numbers of an attribution as [name, value] pairs, named by their position in the input.
export function flatten(value, prefix, out) {
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
  const instance = state.last.body.instances[0];
  if (state.widgets.length === 1) return state.widgets[0].input.name === requestInput ? instance : undefined;
  return instance && typeof instance === 'object' ? instance[requestInput] : undefined;
}

// A token input's attributions, one per token in input order, with the tokens the request sent: for inputs encoded
// with concat_embedding (one attribution per id) and text inputs answered with a list of numbers.
function tokensOf(input, value) {
  const ex = state.description.inputs.find(i => i.name === input);
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
  const widgets = state.widgets;
  const w = widgets.find(x => x.kind === 'image' && (x.input.name === input || (x.explained && x.explained.name === input)))
    || widgets.find(x => x.kind === 'image');
  const original = w && state.images[w.input.name];
  const v = state.last.body.parameters ? state.last.body.parameters.visualization : {};
  const overlay = el('img', {id: first ? 'overlay' : null, alt: `attributions of ${input} drawn over the image`,
    src: value.b64_png ? `data:image/png;base64,${value.b64_png}` : `data:image/jpeg;base64,${value.b64_jpeg}`});
  const pair = el('div', {class: 'images'},
    el('figure', {}, el('img', {id: first ? 'input' : null, alt: `${input}: the image explained`,
      src: original ? original.url : null}), el('figcaption', {text: 'original'})),
    el('figure', {}, overlay, el('figcaption', {text: `attributions: ${v.type || ''} ${v.polarity || ''} `
      + `${v.color_map || ''}, overlay ${v.overlay_type || ''}`})));
  return pair;
}
