// Calls this runtime's own :explain with the chosen visualization as "parameters.visualization".
let model = null, version = null;
async function status() {
  const r = await fetch('/q/health/ready');
  const body = await r.json();
  // the readiness response also lists Quarkus' own checks (such as "Graceful Shutdown", without data)
  const data = ((body.checks || []).find(c => c.name === 'model') || {}).data || {};
  model = data.model; version = data.version;
  document.getElementById('model').textContent = r.ok
    ? `Model ${model}, version ${version}, method ${data.method}: ready.`
    : `Model ${model} is not ready: ${data.reason || 'loading'}`;
  return r.ok;
}
function readAsBase64(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result.substring(reader.result.indexOf(',') + 1));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}
document.getElementById('form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const error = document.getElementById('error');
  error.textContent = '';
  if (!await status()) { error.textContent = 'The model is not ready yet.'; return; }
  const file = document.getElementById('file').files[0];
  const b64 = await readAsBase64(file);
  const visualization = {};
  for (const key of ['type', 'polarity', 'color_map', 'overlay_type']) {
    const v = document.getElementById(key).value;
    if (v) visualization[key] = v;
  }
  for (const key of ['clip_below_percentile', 'clip_above_percentile']) {
    const v = document.getElementById(key).value;
    if (v !== '') visualization[key] = Number(v);
  }
  const response = await fetch(`/v1/projects/local/models/${model}/versions/${version}:explain`, {
    method: 'POST', headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({instances: [{b64}], parameters: {visualization}})
  });
  const body = await response.json();
  if (!response.ok) { error.textContent = body.error || response.statusText; return; }
  const a = body.explanations[0].attributions_by_label[0];
  const rendered = Object.values(a.attributions).find(v => v && (v.b64_jpeg || v.b64_png));
  if (!rendered) { error.textContent = 'This model has no image input to visualize.'; return; }
  document.getElementById('label').textContent = a.label_name || a.label_index;
  document.getElementById('score').textContent = a.example_score.toFixed(4);
  document.getElementById('approx').textContent = a.approx_error === undefined ? 'n/a' : a.approx_error.toFixed(4);
  document.getElementById('input').src = URL.createObjectURL(file);
  document.getElementById('overlay').src = rendered.b64_png
    ? 'data:image/png;base64,' + rendered.b64_png : 'data:image/jpeg;base64,' + rendered.b64_jpeg;
  document.getElementById('result').hidden = false;
});
status();
