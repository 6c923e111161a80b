// The shipped app may not grow past its budget unnoticed: the bytes of a build are deterministic,
// so this is a plain check, not a timing. It measures app/dist as built for this run (the web
// server's scripts/run.sh builds it first) with the same code as the size bench.
import { test, expect } from '@playwright/test';
import { kib, measureApp } from '../bench/app-size.cjs';
import { sizeBudget } from '../bench/size-budget.cjs';

test('the shipped app (wasm + js + css) stays within its size budget, gzip and brotli', () => {
  // Brotli at quality 11 over 3 MiB of wasm takes seconds, more on a busy machine.
  test.setTimeout(180_000);
  const { files, total } = measureApp();
  const table = files
    .map((f) => `${f.name}: ${kib(f.raw)} raw, ${kib(f.gzip)} gzip, ${kib(f.brotli)} brotli`)
    .join('\n');
  const advice = 'see tests/bench/size-budget.cjs on raising the budget on purpose';
  // The wasm, its js glue and the stylesheet are all counted: a build missing one would pass for
  // the wrong reason.
  for (const ext of ['.wasm', '.js', '.css']) {
    expect(files.some((f) => f.name.endsWith(ext)), `a ${ext} file among ${files.map((f) => f.name)}`).toBe(true);
  }
  expect(total.gzip, `gzip total ${kib(total.gzip)} over the budget ${kib(sizeBudget.gzip)}; ${advice}\n${table}`).toBeLessThanOrEqual(
    sizeBudget.gzip,
  );
  expect(
    total.brotli,
    `brotli total ${kib(total.brotli)} over the budget ${kib(sizeBudget.brotli)}; ${advice}\n${table}`,
  ).toBeLessThanOrEqual(sizeBudget.brotli);
});
