// Loader hooks for loaded-code.mjs: reports the URL of every ES module the process loads to the main thread
// (CommonJS files required from CommonJS never pass here; loaded-code-preload.mjs reads those from require.cache).
let port;
export function initialize(data) {
  port = data.port;
}
export async function load(url, context, next) {
  port.postMessage(url);
  return next(url, context);
}
