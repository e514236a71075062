// What the views share: the model's description, the form's widgets, the chosen images and the last request.

export const state = {
  description: null,
  widgets: [], // one per request input: {input, kind, value()}
  images: {}, // request input name -> {blob, name, url}
  last: null, // the last request: {body, text, path, response, hadImage}
};
