// Prints one closing line for the whole test run: the tests cargo ran plus the browser tests
// Playwright ran, and fails if either ran none or any failed.
//   node tests/bench/summary.mjs <cargo test log> <playwright json report>
import { readFileSync } from 'node:fs';

const [cargoLog, playwrightJson] = process.argv.slice(2);
let passed = 0;
let failed = 0;
for (const m of readFileSync(cargoLog, 'utf8').matchAll(/^test result: \w+\. (\d+) passed; (\d+) failed/gm)) {
  passed += Number(m[1]);
  failed += Number(m[2]);
}
const cargoPassed = passed;
const stats = JSON.parse(readFileSync(playwrightJson, 'utf8')).stats;
passed += stats.expected + stats.flaky;
failed += stats.unexpected;
console.log(`\nnative (cargo test): ${cargoPassed} passed; browser (Playwright): ${stats.expected + stats.flaky} passed, ${stats.unexpected} failed, ${stats.skipped} skipped`);
console.log(`all: ${passed} passed, ${failed} failed`);
if (failed > 0 || cargoPassed === 0 || stats.expected === 0) process.exit(1);
