// Attribution monitoring on the page (GET /runtime/model/attributions): the last full window's top features per label,
// each with its share of the label's attribution and its change against the baseline (skew) and the previous window
// (drift), the ones over a threshold marked. Shown only when the runtime samples explanations
// (explain.monitoring.sample-rate > 0); read again after each explanation.

import {authHeaders} from './auth.js';
import {state} from './state.js';
import {$, el, fmt} from './util.js';

export const TOP_FEATURES = 10;

export function fetchAttributions() {
  return fetch('/runtime/model/attributions', {headers: {Accept: 'application/json', ...authHeaders(state.token)}});
}

// The label's features, largest share first: [{feature, share, skew, drift}], skew and drift undefined where the
// window has no such comparison. Pure, for the module tests.
export function topFeatures(report, label, n = TOP_FEATURES) {
  const w = report.lastWindow;
  const means = w.profile.labels[label].meanAbsAttribution;
  const total = Object.values(means).reduce((a, b) => a + b, 0);
  const change = (kind, f) => (w[kind] && w[kind][label] ? w[kind][label].shareChange[f] : undefined);
  return Object.entries(means)
    .map(([feature, mean]) => ({feature, share: total > 0 ? mean / total : 0,
      skew: change('skew', feature), drift: change('drift', feature)}))
    .sort((a, b) => b.share - a.share)
    .slice(0, n);
}

function summary(r) {
  const parts = [`sampling ${fmt(r.sampleRate * 100, 0)}% of explanations in windows of ${r.windowSize}`,
    `${r.filling} in the window being filled`];
  if (!r.baselineUri) parts.push('no baseline: drift only');
  else if (r.baselineRead) parts.push(`baseline ${r.baselineUri}`);
  else parts.push(`baseline not read${r.baselineProblem ? `: ${r.baselineProblem}` : ' yet'} (no skew until it is)`);
  return parts.join('; ') + '.';
}

function cell(value, threshold) {
  if (value === undefined) return el('td', {text: '–'});
  return el('td', {class: value > threshold ? 'over' : null, text: fmt(value, 3)});
}

export function showMonitoring(r) {
  const section = $('monitoring');
  if (!r || !(r.sampleRate > 0)) {
    section.hidden = true;
    return;
  }
  $('monitoring-summary').textContent = summary(r);
  const body = $('monitoring-labels');
  body.replaceChildren();
  if (!r.lastWindow) {
    body.append(el('p', {class: 'hint', text: 'No window is full yet.'}));
  } else {
    body.append(el('p', {text: `Window ${r.lastWindow.index}. Changes are shares of the reference's total attribution;`
      + ` thresholds: skew ${r.skewThreshold}, drift ${r.driftThreshold}.`}));
    for (const label of Object.keys(r.lastWindow.profile.labels)) {
      const rows = topFeatures(r, label).map(f => el('tr', {'data-feature': f.feature},
        el('th', {scope: 'row', text: f.feature}), el('td', {text: fmt(f.share, 3)}),
        cell(f.skew, r.skewThreshold), cell(f.drift, r.driftThreshold)));
      body.append(el('table', {class: 'monitoring', 'data-label': label},
        el('caption', {text: `${label} (${r.lastWindow.profile.labels[label].count} explanations)`}),
        el('thead', {}, el('tr', {}, el('th', {text: 'feature'}), el('th', {text: 'share'}),
          el('th', {text: 'skew'}), el('th', {text: 'drift'}))),
        el('tbody', {}, ...rows)));
    }
  }
  section.hidden = false;
}

export async function loadMonitoring() {
  try {
    const r = await fetchAttributions();
    showMonitoring(r.ok ? await r.json() : null);
  } catch (e) {
    showMonitoring(null);
  }
}
