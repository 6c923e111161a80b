// Moves the compiling of the app's wasm off the page's main thread (issue 11: total blocking
// time). Trunk's index.html preloads the wasm and starts it from an inline module script that
// compiles it on the main thread: for a returning user, Chromium reads the compiled code from its
// cache there, in one long task while the shell is on screen. This rewrites the built index.html:
// the preload becomes a small inline script that starts app/wasm-compile.js as a worker at once
// (as early as the preload started the download), and Trunk's start script waits for the module
// the worker sends back. If the worker cannot start or compile, the start script gets the wasm's
// address instead and compiles it as before. The relay allows both inline scripts by the hashes it
// reads from the index.html it serves.
//   node scripts/compile-off-main.mjs app/dist
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dist = process.argv[2] ?? 'app/dist';
const indexPath = join(dist, 'index.html');
let html = readFileSync(indexPath, 'utf8');
if (!existsSync(join(dist, 'wasm-compile.js'))) throw new Error(`${dist}/wasm-compile.js is missing`);

const preload = /<link rel="preload" href="(\/tandem-app-[0-9a-f]+_bg\.wasm)"[^>]*?integrity="([^"]+)"[^>]*>/;
const found = html.match(preload);
if (!found) throw new Error(`${indexPath}: no preload of the wasm as Trunk writes it`);
const [link, wasm, integrity] = found;
const start = `const wasm = await init({ module_or_path: '${wasm}' });`;
if (html.split(start).length !== 2) throw new Error(`${indexPath}: Trunk's start script is not as expected`);

const compile = `<script>
      window.tandemWasm = new Promise(function (resolve) {
        var url = ${JSON.stringify(wasm)};
        try {
          var worker = new Worker("/wasm-compile.js");
          worker.onmessage = function (event) {
            worker.terminate();
            resolve(event.data instanceof WebAssembly.Module ? event.data : url);
          };
          worker.onerror = function () {
            worker.terminate();
            resolve(url);
          };
          worker.postMessage({ url: url, integrity: ${JSON.stringify(integrity)} });
        } catch (e) {
          resolve(url);
        }
      });
    </script>`;
html = html
  .replace(link, compile)
  .replace(start, 'const wasm = await init({ module_or_path: await window.tandemWasm });');
writeFileSync(indexPath, html);
console.log(`index.html: ${wasm} compiles in a worker`);
