// Start-up figures (issue 11), for a returning user: a Chromium profile with 20 vacancies in its
// IndexedDB and the app's service worker installed, made by Playwright through the app itself.
// On that profile:
// - Lighthouse 12's mobile run (its default: simulated slow 4G and 4× CPU) of the home page,
//   storage kept (`disableStorageReset`), so it loads what a returning user loads: performance
//   score, LCP, TBT, CLS, and which element was the largest paint. Median of LH_RUNS (3) runs;
//   and the same for a first visit (an empty profile each run), the figure issue 11 started from.
// - Warm start: a new tab opening the home page (wasm, js and css from the worker's cache), at 1×
//   and 4× CPU (CDP `Emulation.setCPUThrottlingRate`), timed from navigation start to the first
//   contentful paint and to the frame after the 20th vacancy is in the list. Median of RUNS (7).
//
//   node tests/bench/startup.mjs      (needs scripts/build.sh to have run, and LIGHTHOUSE_DIR: a
//                                      folder where `npm i -E lighthouse@12.2.3` was run;
//                                      scripts/bench.sh does both)
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;
const lighthouseDir = process.env.LIGHTHOUSE_DIR;
if (!lighthouseDir) throw new Error('LIGHTHOUSE_DIR: a folder with lighthouse@12.2.3 in its node_modules');
const lhRuns = Number(process.env.LH_RUNS ?? 3);
const runs = Number(process.env.RUNS ?? 7);
const VACANCIES = 20;
const chromePath = '/usr/bin/chromium';
const chromeArgs = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

const port = 8890 + Math.floor(Math.random() * 100);
const relayData = mkdtempSync(join(tmpdir(), 'tandem-bench-'));
const relay = spawn(join(root, 'target/relay/tandem-relay'), [], {
  env: {
    ...process.env,
    TANDEM_LISTEN: `127.0.0.1:${port}`,
    TANDEM_DATA_DIR: relayData,
    TANDEM_STATIC_DIR: process.env.TANDEM_STATIC_DIR ?? join(root, 'app/dist'),
    RUST_LOG: 'warn',
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});
await new Promise((resolve) => relay.stdout.once('data', resolve));
const base = `http://127.0.0.1:${port}/`;
const profile = mkdtempSync(join(tmpdir(), 'tandem-bench-profile-'));

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** The profile: 20 vacancies made through the app, and its service worker in control. */
async function seed() {
  const context = await chromium.launchPersistentContext(profile, { executablePath: chromePath, args: chromeArgs });
  const page = context.pages()[0] ?? (await context.newPage());
  for (let i = 1; i <= VACANCIES; i++) {
    await page.goto(base);
    await page.getByLabel('Title of the new vacancy').fill(`Benchmark vacancy ${i}`);
    await page.getByRole('button', { name: 'Create vacancy' }).click();
    await page.waitForURL(/\/v\//);
  }
  await page.goto(base);
  await page.waitForFunction((n) => document.querySelectorAll('.vacancy-list li').length === n, VACANCIES);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await context.close();
}

/**
 * Lighthouse's mobile run, `lhRuns` times: on the seeded profile with its storage kept (a
 * returning user), or on a fresh profile each time (a first visit).
 */
async function lighthouseRuns({ returning }) {
  const { default: lighthouse } = await import(join(lighthouseDir, 'node_modules/lighthouse/core/index.js'));
  const chromeLauncher = await import(join(lighthouseDir, 'node_modules/chrome-launcher/dist/index.js'));
  const results = [];
  for (let i = 0; i < lhRuns; i++) {
    const fresh = returning ? null : mkdtempSync(join(tmpdir(), 'tandem-bench-fresh-'));
    const chrome = await chromeLauncher.launch({
      chromePath,
      userDataDir: fresh ?? profile,
      chromeFlags: ['--headless=new', ...chromeArgs],
    });
    try {
      const { lhr } = await lighthouse(base, {
        port: chrome.port,
        onlyCategories: ['performance'],
        disableStorageReset: returning,
        logLevel: 'error',
      });
      // LH_JSON=<folder>: each run's whole report, to look into.
      if (process.env.LH_JSON) writeFileSync(join(process.env.LH_JSON, `lh-${returning ? 'returning' : 'first'}-${i}.json`), JSON.stringify(lhr));
      const lcpElement = lhr.audits['largest-contentful-paint-element']?.details?.items?.[0]?.items?.[0]?.node?.snippet ?? 'not reported';
      const failed = ['largest-contentful-paint', 'total-blocking-time', 'cumulative-layout-shift'].find(
        (id) => typeof lhr.audits[id]?.numericValue !== 'number',
      );
      if (failed) {
        // A run Lighthouse could not finish (under heavy load it sometimes cannot): said, not counted.
        console.log(`  (a run without ${failed}: ${lhr.runtimeError?.message ?? lhr.audits[failed]?.errorMessage ?? 'no reason given'})`);
        continue;
      }
      results.push({
        performance: Math.round(lhr.categories.performance.score * 100),
        lcp: lhr.audits['largest-contentful-paint'].numericValue,
        tbt: lhr.audits['total-blocking-time'].numericValue,
        cls: lhr.audits['cumulative-layout-shift'].numericValue,
        lcpElement,
      });
    } finally {
      await chrome.kill();
      if (fresh) rmSync(fresh, { recursive: true, force: true });
    }
  }
  return results;
}

/** Opens the home page in new tabs of the seeded profile at `rate`× CPU, `runs` times. */
async function warmStarts(context, rate) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate });
    await page.goto(base, { waitUntil: 'commit' });
    const { fcp, list } = await page.evaluate(() => window.__startup);
    samples.push({ fcp, list });
    await page.close();
  }
  return samples;
}

try {
  await seed();
  const lh = await lighthouseRuns({ returning: true });
  const lhFirst = await lighthouseRuns({ returning: false });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromePath,
    args: chromeArgs,
    viewport: { width: 390, height: 844 },
  });
  // In every tab, before the page's own scripts: when the first contentful paint happened, and
  // the frame after the list holds every vacancy.
  await context.addInitScript((n) => {
    let resolveList;
    const list = new Promise((r) => (resolveList = r));
    const fcp = new Promise((resolve) =>
      new PerformanceObserver((l) => {
        for (const e of l.getEntries()) if (e.name === 'first-contentful-paint') resolve(e.startTime);
      }).observe({ type: 'paint', buffered: true }),
    );
    new MutationObserver((_, observer) => {
      if (document.querySelectorAll('.vacancy-list li').length >= n) {
        observer.disconnect();
        requestAnimationFrame(() => resolveList(performance.now()));
      }
    }).observe(document, { childList: true, subtree: true });
    window.__startup = Promise.all([fcp, list]).then(([fcp, list]) => ({ fcp, list }));
  }, VACANCIES);
  // One tab first, so the code caches are as a returning user's are.
  await warmStarts(context, 1);
  const warm = {};
  for (const rate of [1, 4]) warm[rate] = await warmStarts(context, rate);
  await context.close();

  const ms = (x) => `${Math.round(x)} ms`;
  const report = (title, results) => {
    console.log(title);
    for (const r of results) {
      console.log(`  performance ${r.performance}, LCP ${ms(r.lcp)}, TBT ${ms(r.tbt)}, CLS ${r.cls.toFixed(3)}; largest paint: ${r.lcpElement}`);
    }
    console.log(
      `  median: performance ${median(results.map((r) => r.performance))}, LCP ${ms(median(results.map((r) => r.lcp)))}, ` +
        `TBT ${ms(median(results.map((r) => r.tbt)))}, CLS ${median(results.map((r) => r.cls)).toFixed(3)}`,
    );
  };
  report(`Lighthouse 12.2.3, mobile (simulated), home page with ${VACANCIES} stored vacancies, ${lhRuns} runs:`, lh);
  report(`Lighthouse 12.2.3, mobile (simulated), first visit (empty profile), ${lhRuns} runs:`, lhFirst);
  console.log(`Warm start, home page with ${VACANCIES} vacancies at 390×844, median of ${runs}:`);
  for (const rate of [1, 4]) {
    const s = warm[rate];
    console.log(
      `  ${rate}× CPU: first contentful paint ${ms(median(s.map((x) => x.fcp)))}, ` +
        `vacancy list ${ms(median(s.map((x) => x.list)))} (each: ${s.map((x) => Math.round(x.list)).join(', ')})`,
    );
  }
} finally {
  relay.kill();
  rmSync(profile, { recursive: true, force: true });
  rmSync(relayData, { recursive: true, force: true });
}
