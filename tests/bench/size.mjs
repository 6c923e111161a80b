// Reports the size of what a browser downloads to run Tandem: the shipped wasm, js and css in
// app/dist, raw, gzip (level 9) and brotli (quality 11), as the relay or a CDN would serve them,
// against the budget the test suite holds it to (size-budget.cjs).
//   node tests/bench/size.mjs [dist folder]
import { defaultDist, kib, measureApp } from './app-size.cjs';
import { sizeBudget } from './size-budget.cjs';

let measured;
try {
  measured = measureApp(process.argv[2] ?? defaultDist);
} catch (e) {
  console.error(e.message);
  process.exit(1);
}
const { files, total } = measured;
console.log('file'.padEnd(44), 'raw'.padStart(12), 'gzip'.padStart(12), 'brotli'.padStart(12));
for (const f of files) {
  console.log(f.name.padEnd(44), kib(f.raw).padStart(12), kib(f.gzip).padStart(12), kib(f.brotli).padStart(12));
}
console.log('total (wasm + js + css)'.padEnd(44), kib(total.raw).padStart(12), kib(total.gzip).padStart(12), kib(total.brotli).padStart(12));
console.log('budget (size-budget.cjs)'.padEnd(44), ''.padStart(12), kib(sizeBudget.gzip).padStart(12), kib(sizeBudget.brotli).padStart(12));
