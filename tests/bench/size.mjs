// Reports the size of what a browser downloads to run Tandem: the shipped wasm, js and css in
// app/dist, raw, gzip (level 9) and brotli (quality 11), as the relay or a CDN would serve them.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';

const dist = process.argv[2] ?? new URL('../../app/dist', import.meta.url).pathname;
// The service worker is fetched beside the app, not before its first paint: not counted.
const files = readdirSync(dist).filter((f) => /\.(wasm|js|css)$/.test(f) && f !== 'sw.js');
if (files.length === 0) {
  console.error(`no built app in ${dist}: run scripts/build.sh first`);
  process.exit(1);
}
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
const total = { raw: 0, gzip: 0, brotli: 0 };
console.log('file'.padEnd(44), 'raw'.padStart(12), 'gzip'.padStart(12), 'brotli'.padStart(12));
for (const f of files.sort()) {
  const bytes = readFileSync(join(dist, f));
  const sizes = {
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
    }).length,
  };
  for (const k of Object.keys(total)) total[k] += sizes[k];
  console.log(f.replace(/-[0-9a-f]{16}/, '').padEnd(44), kb(sizes.raw).padStart(12), kb(sizes.gzip).padStart(12), kb(sizes.brotli).padStart(12));
}
console.log('total (wasm + js + css)'.padEnd(44), kb(total.raw).padStart(12), kb(total.gzip).padStart(12), kb(total.brotli).padStart(12));
