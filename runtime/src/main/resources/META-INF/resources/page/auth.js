// Who the page calls as: a bearer token the user pastes (a model that checks its callers needs one), kept in this
// tab's sessionStorage only (gone when the tab closes, never sent anywhere but this runtime), and what a 401 or 403
// means in words.

const KEY = 'explainable-serving.token';

export function savedToken(storage = globalThis.sessionStorage) {
  try {
    return (storage && storage.getItem(KEY)) || '';
  } catch (e) {
    return ''; // storage disabled: the field still works for this page's life
  }
}

// Keeps the token (trimmed; an empty one forgets it) and returns it.
export function saveToken(token, storage = globalThis.sessionStorage) {
  const t = (token || '').trim();
  try {
    if (t) storage.setItem(KEY, t);
    else storage.removeItem(KEY);
  } catch (e) {
    // storage disabled: nothing kept
  }
  return t;
}

// The header a call carries: none without a token.
export function authHeaders(token) {
  return token ? {Authorization: `Bearer ${token}`} : {};
}

// What a refusal of the caller means, or null when the status is not one.
export function refusalText(status, hasToken) {
  if (status === 401) {
    return hasToken
      ? 'The token was not accepted (unknown, expired, or for another audience): paste a new one under "Access token".'
      : 'This model checks its callers: paste a token under "Access token" (kubectl create token <service account>).';
  }
  if (status === 403) {
    return 'The token is valid, but its identity may not call this model: ask for a Role allowing create on'
      + ' explainablemodels/explain and get on explainablemodels for it.';
  }
  return null;
}
