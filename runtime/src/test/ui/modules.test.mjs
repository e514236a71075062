// Usage: node --test modules.test.mjs
// Unit tests of the page's ES modules (runtime/src/main/resources/META-INF/resources/page/): the pure parts, in node,
// without a browser. The page tests (viewer.test.mjs, upload.test.mjs) click through the whole page in Chromium.
import assert from 'node:assert/strict';
import { test } from 'node:test';

const PAGE = '../../main/resources/META-INF/resources/page/';
const { fmt, signed, shapeText, methodText } = await import(`${PAGE}util.js`);
const { explainedFor, kindOf, parseTokens, VISUALIZATION_KEYS } = await import(`${PAGE}form.js`);
const { flatten } = await import(`${PAGE}results.js`);
const { abbreviated, shellQuote } = await import(`${PAGE}raw.js`);
const { explainPath } = await import(`${PAGE}api.js`);
const { topFeatures } = await import(`${PAGE}monitoring.js`);

test('numbers are shown with four digits, tiny ones in exponent form, signed ones with a real minus', () => {
  assert.equal(fmt(0.5), '0.5000');
  assert.equal(fmt(-1.23456), '-1.2346');
  assert.equal(fmt(0.000012345), '1.23e-5');
  assert.equal(fmt(0), '0.0000');
  assert.equal(fmt(0.1234, 2), '0.12');
  assert.equal(fmt(NaN), 'NaN');
  assert.equal(fmt(undefined), 'undefined');
  assert.equal(signed(2), '+2.0000');
  assert.equal(signed(-0.25), '\u22120.2500');
  assert.equal(signed(0), '0.0000');
});

test('shapes name free dimensions None, and the method its parameters but not XRAI\'s', () => {
  assert.equal(shapeText([-1, 3]), '[None, 3]');
  assert.equal(shapeText([]), '[]');
  assert.equal(shapeText(null), 'of any shape');
  assert.equal(methodText({ name: 'xrai', parameters: { integral_steps: 50, integration_rule: 'trapezoid',
    xrai: { segmentation_size: 224 } } }), 'xrai (integral steps 50, integration rule trapezoid)');
  assert.equal(methodText({ name: 'sampled-shapley' }), 'sampled-shapley');
});

test('each request input gets the widget its dtype, shape and explained input call for', () => {
  const text = { name: 'tokens', encoding: 'concat_embedding', modality: 'numeric' };
  const image = { name: 'image', modality: 'image' };
  assert.equal(kindOf({ dtype: 'int64', shape: [6] }, text), 'tokens');
  assert.equal(kindOf({ dtype: 'string', shape: [-1] }, { modality: 'text', encoding: 'identity' }), 'tokens');
  assert.equal(kindOf({ dtype: 'int64', shape: [2, 3] }, text), 'json', 'tokens are one list');
  assert.equal(kindOf({ dtype: 'float32', shape: [32, 32, 3] }, image), 'image');
  assert.equal(kindOf({ dtype: 'string', shape: [] }, image), 'image', 'bytes the graph decodes');
  assert.equal(kindOf({ dtype: 'float32', shape: [4], sample: [0, 0, 0, 0] }, undefined), 'numbers');
  assert.equal(kindOf({ dtype: 'int32', shape: [], sample: 0 }, undefined), 'numbers');
  assert.equal(kindOf({ dtype: 'float32', shape: [4] }, undefined), 'json', 'no sample');
  assert.equal(kindOf({ dtype: 'float32', shape: [300], sample: [] }, undefined), 'json', 'over 256 values');
  assert.equal(kindOf({ dtype: 'float32', shape: [-1], sample: [] }, undefined), 'json', 'free size');
  assert.equal(kindOf({ dtype: 'bool', shape: [2], sample: [true, false] }, undefined), 'json');
});

test('a request input is explained as the input it names, or as the image the graph decodes from its bytes', () => {
  const description = { inputs: [{ name: 'x', request_input: 'x' }, { name: 'image', modality: 'image' }] };
  assert.equal(explainedFor(description, { name: 'x', dtype: 'float32', explained_input: 'x' }).name, 'x');
  assert.equal(explainedFor(description, { name: 'bytes', dtype: 'string' }).name, 'image');
  assert.equal(explainedFor(description, { name: 'other', dtype: 'int64' }), undefined);
  assert.deepEqual(VISUALIZATION_KEYS, ['type', 'polarity', 'color_map', 'overlay_type', 'clip_below_percentile',
    'clip_above_percentile']);
});

test('tokens are typed separated by spaces or as a JSON list, and checked before sending', () => {
  const ids = { name: 'ids', dtype: 'int64' };
  const words = { name: 'words', dtype: 'string' };
  assert.deepEqual(parseTokens(' 1 2  3 ', ids, 3), [1, 2, 3]);
  assert.deepEqual(parseTokens('[4, 5]', ids, null), [4, 5]);
  assert.deepEqual(parseTokens('the film', words, null), ['the', 'film']);
  assert.deepEqual(parseTokens('["the", "film"]', words, 2), ['the', 'film']);
  assert.throws(() => parseTokens('1 2', ids, 3), { message: "input 'ids' takes 3 tokens, not 2" });
  assert.throws(() => parseTokens('1 2', ids, 1), { message: "input 'ids' takes 1 token, not 2" });
  assert.throws(() => parseTokens('1 x', ids, null), { message: 'input \'ids\': "x" is not a token id (a whole number)' });
  assert.throws(() => parseTokens('[1.5]', ids, null), { message: "input 'ids': 1.5 is not a token id (a whole number)" });
  assert.throws(() => parseTokens('[1, 2', ids, null), /^Error: input 'ids': not a JSON list \(/);
  assert.throws(() => parseTokens('[1]', words, null), { message: "input 'words': 1 is not a string" });
  assert.throws(() => parseTokens('  ', ids, null), { message: "input 'ids': give at least one token" });
});

test('attributions flatten to named values in input order', () => {
  assert.deepEqual(flatten([[1, 2], [3, 4]], 'x', []), [['x[0][0]', 1], ['x[0][1]', 2], ['x[1][0]', 3], ['x[1][1]', 4]]);
  assert.deepEqual(flatten({ a: 1, b: [2] }, 'x', []), [['a', 1], ['b[0]', 2]]);
  assert.deepEqual(flatten(0.5, 'x', []), [['x', 0.5]]);
});

test('the raw views shorten long base64 on screen and quote for the shell', () => {
  const long = 'A'.repeat(200);
  assert.equal(abbreviated('b64_jpeg', long), `${'A'.repeat(48)}… (200 characters: Copy and Download give them all)`);
  assert.equal(abbreviated('b64_jpeg', 'short'), 'short');
  assert.equal(abbreviated('name', long), long, 'only b64 keys');
  assert.equal(shellQuote("it's"), "'it'\\''s'");
  assert.equal(shellQuote('{"a": 1}'), '\'{"a": 1}\'');
});

test(':explain is called on the served version, names escaped', () => {
  assert.equal(explainPath({ model: 'iris', version: 'v 1' }), '/v1/projects/local/models/iris/versions/v%201:explain');
});

const { authHeaders, refusalText, saveToken, savedToken } = await import(`${PAGE}auth.js`);

test('the token is kept trimmed in the given storage, forgotten when emptied, and sent as a bearer header', () => {
  const kept = new Map();
  const storage = { getItem: k => kept.get(k) ?? null, setItem: (k, v) => kept.set(k, v), removeItem: k => kept.delete(k) };
  assert.equal(savedToken(storage), '');
  assert.equal(saveToken('  abc.def  ', storage), 'abc.def');
  assert.equal(savedToken(storage), 'abc.def');
  assert.deepEqual(authHeaders(savedToken(storage)), { Authorization: 'Bearer abc.def' });
  assert.equal(saveToken('', storage), '');
  assert.equal(savedToken(storage), '');
  assert.deepEqual(authHeaders(''), {});
  // storage that refuses (disabled, private mode): nothing kept, nothing thrown
  const refusing = { getItem: () => { throw new Error('denied'); }, setItem: () => { throw new Error('denied'); },
    removeItem: () => { throw new Error('denied'); } };
  assert.equal(saveToken('x', refusing), 'x');
  assert.equal(savedToken(refusing), '');
});

test('401 and 403 are explained in words, with or without a token; other statuses are not refusals', () => {
  assert.match(refusalText(401, false), /checks its callers.*kubectl create token/);
  assert.match(refusalText(401, true), /not accepted/);
  assert.match(refusalText(403, true), /may not call this model/);
  assert.equal(refusalText(404, true), null);
  assert.equal(refusalText(503, false), null);
});

test('monitoring: a label\'s features by share, with their skew and drift where the window has them', () => {
  const report = {lastWindow: {index: 3,
    profile: {labels: {a: {count: 10, meanAbsAttribution: {x: 1, y: 3, z: 0}}, b: {count: 2, meanAbsAttribution: {x: 2}}}},
    skew: {a: {shareChange: {x: 0.05, y: 0.2, z: 0}}},
    drift: {a: {shareChange: {x: 0.01, y: 0.02, z: 0}}, b: {shareChange: {x: 0}}}}};
  assert.deepEqual(topFeatures(report, 'a'), [
    {feature: 'y', share: 0.75, skew: 0.2, drift: 0.02},
    {feature: 'x', share: 0.25, skew: 0.05, drift: 0.01},
    {feature: 'z', share: 0, skew: 0, drift: 0}]);
  assert.deepEqual(topFeatures(report, 'a', 1).map(f => f.feature), ['y']);
  // no baseline for b: no skew
  assert.deepEqual(topFeatures(report, 'b'), [{feature: 'x', share: 1, skew: undefined, drift: 0}]);
});

test('neighbours: an example is shown by its fields, an image example by its picture', async () => {
  const { exampleCells } = await import(`${PAGE}neighbors.js`);
  assert.deepEqual(exampleCells({id: 'a', features: [1, 2.5, -3]}), {text: 'features: 1, 2.5, -3'});
  assert.deepEqual(exampleCells({id: 'a', age: 31, city: 'Lyon'}), {text: 'age: 31; city: "Lyon"'});
  assert.deepEqual(exampleCells({id: 'cat-3', image: {b64: 'AAAA'}}), {image: 'data:image/jpeg;base64,AAAA'});
});

test('a model that explains by example is explained on Vertex\'s URL', () => {
  assert.equal(explainPath({model: 'customers', version: 'v1', examples: {examples: 60}}),
    '/v1/projects/local/locations/local/endpoints/customers:explain');
  assert.equal(explainPath({model: 'iris', version: 'v1'}), '/v1/projects/local/models/iris/versions/v1:explain');
});
