// What the views share: the model's description, the form's widgets, the chosen images and the last request.

export const state = {
  token: '', // the caller's bearer token (page/auth.js), '' for none
  description: null,
  widgets: [], // one per request input: {input, kind, value()}
  images: {}, // request input name -> {blob, name, url}
  last: null, // the last request: {body, text, path, response, hadImage}
};
