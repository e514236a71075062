// The last request and its response as JSON (long base64 strings shortened on screen; Copy and Download give them
// whole), and the same call as a curl command and as gcloud beta ai-platform explain.

import {LOCATION, PROJECT} from './api.js';
import {state} from './state.js';
import {$, el} from './util.js';

const texts = {}; // what Copy copies: request, response, curl, gcloud
const urls = {}; // download link id -> its object URL

export function abbreviated(key, value) {
  if (typeof value === 'string' && value.length > 120 && /^b64/.test(key)) {
    return `${value.slice(0, 48)}… (${value.length} characters: Copy and Download give them all)`;
  }
  return value;
}

export function shellQuote(s) {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function showRaw() {
  const last = state.last;
  const description = state.description;
  const url = `${location.origin}${last.path}`;
  texts.request = JSON.stringify(last.body, null, 2);
  texts.response = JSON.stringify(last.response, null, 2);
  $('request-json').textContent = JSON.stringify(last.body, abbreviated, 2);
  $('response-json').textContent = JSON.stringify(last.response, abbreviated, 2);
  download('request-download', texts.request);
  download('response-download', texts.response);
  const small = last.text.length <= 2000;
  // the token itself never goes into what is shown or copied: $TOKEN stands for it
  texts.curl = `curl -s -X POST ${shellQuote(url)} \\\n  -H 'Content-Type: application/json' \\\n  `
    + (state.token ? '-H "Authorization: Bearer $TOKEN" \\\n  ' : '')
    + '-d ' + (small ? shellQuote(last.text) : '@request.json');
  $('curl').textContent = small ? texts.curl : `${texts.curl}\n# request.json: Download above`;
  const instances = last.body.instances.map(i => JSON.stringify(i)).join('\n') + '\n';
  download('instances-download', instances);
  const file = instances.length <= 2000 ? `echo ${shellQuote(instances.trim())} > instances.jsonl\n`
    : '# instances.jsonl: Download above (one instance per line)\n';
  const vertex = Boolean(description.examples); // neighbours are Vertex's: gcloud ai endpoints explain
  texts.gcloud = 'export CLOUDSDK_CONFIG=$(mktemp -d)\n'
    + `gcloud config set api_endpoint_overrides/${vertex ? 'aiplatform' : 'ml'} ${location.origin}/\n`
    + (state.token
      ? 'printf %s "$TOKEN" > token.txt  # the token the page uses\ngcloud config set auth/access_token_file token.txt\n'
      : 'gcloud config set auth/disable_credentials true\n')
    + `gcloud config set core/project ${PROJECT}\n`
    + (vertex ? `echo ${shellQuote(last.text)} > request.json\n` : file)
    + (vertex
      ? `gcloud ai endpoints explain ${description.model} --region ${LOCATION} --json-request request.json --format json`
      : `gcloud beta ai-platform explain --model ${description.model} --version ${description.version} `
        + '--json-instances instances.jsonl --region global --format json');
  $('gcloud').textContent = texts.gcloud;
  $('gcloud-note').textContent = last.body.parameters
    ? 'gcloud sends the instances only: the model\'s own visualization settings apply, not the ones chosen here.'
    : '';
  $('raw').hidden = false;
}

function download(id, text) {
  if (urls[id]) URL.revokeObjectURL(urls[id]);
  urls[id] = URL.createObjectURL(new Blob([text], {type: 'application/json'}));
  $(id).href = urls[id];
}

export async function copy(name, button) {
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
