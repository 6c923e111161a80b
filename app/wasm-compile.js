// Compiles the app's wasm in a worker and hands the compiled module back to the page, so the
// compiling (or, for a returning user, reading the compiled code from the browser's cache) does
// not hold up the page's main thread while the static shell is on screen. Started by the script
// that scripts/compile-off-main.mjs writes into index.html; on any failure it answers null and
// the page compiles the wasm itself, as it did before.
self.onmessage = (event) => {
  const { url, integrity } = event.data;
  WebAssembly.compileStreaming(fetch(url, { integrity }))
    .then((module) => self.postMessage(module))
    .catch(() => self.postMessage(null));
};
