// A model that explains by example: the instance's nearest examples, nearest first, with their distance and, where
// the runtime keeps the example set's lines, the example itself (its feature values, or its picture).

import {fetchExample} from './api.js';
import {$, el} from './util.js';

// The example's fields other than its id, as a short text; an image's bytes as a thumbnail instead.
export function exampleCells(example) {
  const fields = Object.entries(example).filter(([key]) => key !== 'id');
  const image = fields.find(([, v]) => v && typeof v === 'object' && typeof v.b64 === 'string');
  if (image) return {image: `data:image/jpeg;base64,${image[1].b64}`};
  return {text: fields.map(([key, v]) => `${key}: ${Array.isArray(v) ? v.join(', ') : JSON.stringify(v)}`).join('; ')};
}

export function showNeighbors(explanation, description, latency) {
  const examples = description.examples;
  const outputs = $('outputs');
  const table = el('table', {id: 'neighbors', class: 'neighbors'});
  table.append(el('thead', {}, el('tr', {}, el('th', {text: '#'}), el('th', {text: 'example id'}),
    el('th', {text: 'distance'}), el('th', {text: 'example'}))));
  const body = el('tbody');
  explanation.neighbors.forEach((n, i) => {
    const cell = el('td', {class: 'example'});
    const row = el('tr', {'data-id': n.neighborId, 'data-distance': String(n.neighborDistance)},
      el('td', {text: String(i + 1)}), el('td', {text: n.neighborId}),
      el('td', {text: n.neighborDistance.toPrecision(4)}), cell);
    body.append(row);
    if (examples.lines_kept) fillExample(cell, n.neighborId);
    else cell.textContent = 'not kept (explain.examples.max-kept-bytes)';
  });
  table.append(body);
  outputs.replaceChildren(el('article', {class: 'output'},
    el('h3', {text: `The ${explanation.neighbors.length} nearest of ${examples.examples.toLocaleString('en')} examples`}),
    table));
  const distance = examples.distance === 'cosine' ? 'cosine distance' : 'squared Euclidean distance';
  $('summary').textContent = `Example-based explanation (${examples.search} search, ${distance} in the latent space); `
    + `${Math.round(latency)} ms round trip (measured by this page).`;
  $('result').hidden = false;
}

async function fillExample(cell, id) {
  const r = await fetchExample(id).catch(() => null);
  const body = r && r.ok ? await r.json().catch(() => null) : null;
  if (!body) {
    cell.textContent = 'not available';
    return;
  }
  const shown = exampleCells(body.example);
  if (shown.image) cell.replaceChildren(el('img', {class: 'thumbnail', src: shown.image, alt: `example ${id}`}));
  else cell.textContent = shown.text;
  cell.dataset.loaded = 'true';
}
