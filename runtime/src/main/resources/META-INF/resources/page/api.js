// The runtime's HTTP API as the page calls it: the model's description, the bundled sample, and :explain, each
// with the caller's token when there is one.

import {authHeaders} from './auth.js';
import {state} from './state.js';

export const PROJECT = 'local'; // any project is accepted
export const LOCATION = 'local'; // and any location

export function fetchDescription() {
  return fetch('/runtime/model', {headers: {Accept: 'application/json', ...authHeaders(state.token)}});
}

export function fetchSample() {
  return fetch('/sample.png');
}

// The AI Platform path of the served version's :explain; Vertex's for a model that explains by example (AI Platform's
// explain has no field for neighbours).
export function explainPath(description) {
  if (description.examples) {
    return `/v1/projects/${PROJECT}/locations/${LOCATION}/endpoints/${encodeURIComponent(description.model)}:explain`;
  }
  return `/v1/projects/${PROJECT}/models/${encodeURIComponent(description.model)}/versions/`
    + `${encodeURIComponent(description.version)}:explain`;
}

// One example of the model's example set, as its line gave it (404 where the set's lines are not kept).
export function fetchExample(id) {
  return fetch(`/runtime/model/examples/${encodeURIComponent(id)}`,
    {headers: {Accept: 'application/json', ...authHeaders(state.token)}});
}

// Posts the request's JSON text; the answer is the response's JSON, or an error made of its status where it has none.
export async function postExplain(path, text, signal) {
  const response = await fetch(path, {method: 'POST',
    headers: {'Content-Type': 'application/json', ...authHeaders(state.token)}, body: text, signal});
  const answer = await response.json().catch(() => ({error: `${response.status} ${response.statusText}`}));
  return {response, answer};
}
