// The runtime's page: reads the model's description (GET /runtime/model), builds a form for its inputs, calls this
// runtime's own :explain and shows the answer: a bar chart of attributions for numeric inputs, the original and
// the overlay for images, the tokens coloured by attribution for token inputs, the scores with approx_error, the raw
// JSON and the same call as curl and gcloud.
// No external assets and no inline script or style (the page's Content-Security-Policy forbids both); native ES
// modules, no bundler. This module shows the model's facts and wires the views together: page/api.js (the HTTP
// calls), page/form.js (the inputs and the request), page/results.js (the answer), page/raw.js (JSON, curl, gcloud), page/monitoring.js (attribution monitoring),
// page/neighbors.js (the nearest examples of a model that explains by example);
// page/state.js holds what they share, page/util.js the helpers.

import {explainPath, fetchDescription, postExplain} from './page/api.js';
import {refusalText, saveToken, savedToken} from './page/auth.js';
import {VISUALIZATION_KEYS, buildForm, buildRequest} from './page/form.js';
import {loadMonitoring} from './page/monitoring.js';
import {copy, showRaw} from './page/raw.js';
import {showResult} from './page/results.js';
import {state} from './page/state.js';
import {$, el, methodText, shapeText} from './page/util.js';

let inFlight = null;
let liveTimer = null;

// ---------------------------------------------------------------------------------------------------------------
// The model's description

async function loadDescription() {
  let r;
  try {
    r = await fetchDescription();
  } catch (e) {
    $('model').textContent = `The runtime does not answer (${e.message}); retrying…`;
    setTimeout(loadDescription, 2000);
    return;
  }
  const body = await r.json().catch(() => ({}));
  const refused = refusalText(r.status, Boolean(state.token));
  if (refused) {
    $('model').textContent = refused;
    $('auth').open = true;
    return; // loaded again when a token is entered
  }
  if (!r.ok) {
    $('model').textContent = `The model is not ready: ${body.error || r.statusText}`;
    if (r.status === 503 && !/failed to load/.test(body.error || '')) setTimeout(loadDescription, 2000);
    return;
  }
  state.description = body;
  showModel();
  buildForm();
  loadMonitoring();
}

function showModel() {
  const d = state.description;
  $('model').textContent = `Model ${d.model}, version ${d.version}: ready.`;
  const about = $('about');
  about.replaceChildren();
  const fact = (term, ...value) => about.append(el('dt', {text: term}), el('dd', {}, ...value));
  if (d.examples) {
    const e = d.examples;
    fact('explains', `by example: the nearest of ${e.examples.toLocaleString('en')} examples (${e.search} search, `
      + `${e.distance}${e.bad_lines ? `; ${e.bad_lines} bad lines left out` : ''})`);
  } else {
    fact('method', methodText(d.method));
  }
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

// ---------------------------------------------------------------------------------------------------------------
// Explaining: the form's request to :explain, a newer request replacing one in flight

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
  const path = explainPath(state.description);
  $('busy').textContent = 'Explaining…';
  const started = performance.now();
  let response, answer;
  try {
    ({response, answer} = await postExplain(path, text, controller.signal));
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
  state.last = {body, text, path, response: answer, hadImage: state.widgets.some(w => w.kind === 'image')};
  showRaw();
  if (!response.ok) {
    error.textContent = refusalText(response.status, Boolean(state.token))
      || answer.error || `${response.status} ${response.statusText}`;
    $('result').hidden = true; // an earlier result would pass for this request's
    return;
  }
  showResult(answer, latency);
  loadMonitoring();
}

// ---------------------------------------------------------------------------------------------------------------

$('form').addEventListener('submit', (event) => {
  event.preventDefault();
  explain();
});
$('reset').addEventListener('click', () => state.widgets.forEach(w => w.reset && w.reset()));
$('random').addEventListener('click', () => state.widgets.forEach(w => w.random && w.random()));
for (const key of VISUALIZATION_KEYS) {
  $(key).addEventListener('change', () => {
    if (!state.last || !state.last.hadImage) return; // nothing shown yet: the options apply to the first explanation
    clearTimeout(liveTimer);
    liveTimer = setTimeout(explain, 250);
  });
}
state.token = savedToken();
$('token').value = state.token;
$('token').addEventListener('change', () => {
  state.token = saveToken($('token').value);
  if (!state.description) loadDescription();
});
document.querySelectorAll('button.copy').forEach(b => b.addEventListener('click', () => copy(b.dataset.copy, b)));
loadDescription();
