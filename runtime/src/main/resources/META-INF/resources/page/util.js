// Helpers every view uses: elements by id and built from a spec, number formats, shapes and the method's text.
// Nothing here touches the document until called (the module unit tests import it in node).

export const $ = (id) => document.getElementById(id);

export function el(tag, attrs, ...children) {
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

export function fmt(x, digits = 4) {
  if (typeof x !== 'number' || !isFinite(x)) return String(x);
  if (x !== 0 && Math.abs(x) < 10 ** -digits) return x.toExponential(2);
  return x.toFixed(digits);
}

export function signed(x) {
  return (x > 0 ? '+' : x < 0 ? '\u2212' : '') + fmt(Math.abs(x));
}

export function shapeText(shape) {
  return shape ? `[${shape.map(x => x < 0 ? 'None' : x).join(', ')}]` : 'of any shape';
}

export function methodText(method) {
  const p = method.parameters || {};
  const parts = Object.entries(p).filter(([k]) => k !== 'xrai').map(([k, v]) => `${k.replace(/_/g, ' ')} ${v}`);
  return `${method.name}${parts.length ? ` (${parts.join(', ')})` : ''}`;
}
