// What a browser downloads to run Tandem, measured one way for everyone: the shipped wasm, js
// and css of app/dist, raw, gzip (level 9) and brotli (quality 11), as the relay serves them
// (scripts/precompress.mjs writes the same). Used by the size bench (size.mjs) and the size
// budget test (e2e/size-budget.spec.ts), so the two can never count differently.
// CommonJS, so the Playwright spec (compiled to CommonJS) and the ES-module bench both load it.
const { readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const { gzipSync, brotliCompressSync, constants } = require('node:zlib');

/** The built app's folder. */
const defaultDist = join(__dirname, '..', '..', 'app', 'dist');

/**
 * Each counted file of `dist` (its name without Trunk's content hash) with its raw, gzip and
 * brotli bytes, and their total. The service worker is fetched beside the app, not before its
 * first paint: not counted. Throws when there is no built app to measure.
 */
function measureApp(dist = defaultDist) {
  const names = readdirSync(dist).filter((f) => /\.(wasm|js|css)$/.test(f) && f !== 'sw.js');
  if (!names.some((f) => f.endsWith('.wasm'))) {
    throw new Error(`no built app in ${dist}: run scripts/build.sh first`);
  }
  const total = { raw: 0, gzip: 0, brotli: 0 };
  const files = names.sort().map((f) => {
    const bytes = readFileSync(join(dist, f));
    const sizes = {
      raw: bytes.length,
      gzip: gzipSync(bytes, { level: 9 }).length,
      brotli: brotliCompressSync(bytes, {
        params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
      }).length,
    };
    for (const k of Object.keys(total)) total[k] += sizes[k];
    return { name: f.replace(/-[0-9a-f]{16}/, ''), ...sizes };
  });
  return { files, total };
}

/** Bytes as KiB with one decimal, the unit BENCHMARKS.md uses. */
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;

module.exports = { defaultDist, kib, measureApp };
