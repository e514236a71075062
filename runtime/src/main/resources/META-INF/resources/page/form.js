// The form: one fieldset per input of the serving signature (numbers, token ids or strings, an image, or JSON), the
// visualization options of image inputs, and the request body they make.

import {fetchSample} from './api.js';
import {state} from './state.js';
import {$, el, shapeText} from './util.js';

const EMBEDDINGS = ['concat_embedding', 'combined_embedding'];

// The visualization options the form offers, by their metadata keys (and the ids of their fields).
export const VISUALIZATION_KEYS = ['type', 'polarity', 'color_map', 'overlay_type', 'clip_below_percentile',
  'clip_above_percentile'];

export function explainedFor(description, ri) {
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

export function kindOf(ri, ex) {
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

export function buildForm() {
  const description = state.description;
  const box = $('inputs');
  box.replaceChildren();
  const widgets = [];
  state.widgets = widgets;
  let fileIds = 0;
  for (const ri of description.request_inputs) {
    const ex = explainedFor(description, ri);
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
    for (const key of VISUALIZATION_KEYS) {
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

export function parseTokens(text, ri, n) {
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
  const images = state.images;
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
    const r = await fetchSample();
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

function visualizationParameters() {
  const v = {};
  for (const key of ['type', 'polarity', 'color_map', 'overlay_type']) v[key] = $(key).value;
  for (const key of ['clip_below_percentile', 'clip_above_percentile']) {
    if ($(key).value !== '') v[key] = Number($(key).value);
  }
  return v;
}

// The request body: one instance (the bare value when the signature has one input), and the visualization options
// where the form shows them.
export async function buildRequest() {
  const values = {};
  for (const w of state.widgets) values[w.input.name] = await w.value();
  const names = Object.keys(values);
  const instance = names.length === 1 ? values[names[0]] : values;
  const body = {instances: [instance]};
  if (!$('visualization').hidden) body.parameters = {visualization: visualizationParameters()};
  return body;
}
