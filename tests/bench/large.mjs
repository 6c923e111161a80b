// Issue 11's large vacancy: 200 candidates, 8,000 ratings and 20,000 text edits in its history,
// made by `tandem-large-vacancy` (tools/large-vacancy) as a device backup and restored through
// the app's own "Restore a backup" form into a fresh Chromium profile. On it:
// - Open to first render: a new tab navigating to the vacancy's candidates (200 cards) or
//   scorecard (10 criteria), from navigation start to the frame after the last card or criterion
//   is in the page, at 1× and 4× CPU (CDP `Emulation.setCPUThrottlingRate`), median of RUNS (5).
//   The app's own marks (app/src/timing.rs) say how much of it was reading the stored chunks
//   from IndexedDB and loading them into automerge.
// - One keystroke: N single characters typed into the first criterion's description at 1×; for
//   each, the time in our code before the frame: from the `input` event's start (a capturing
//   listener on the window, the first to run) to the end of its last listener (a bubbling one on
//   the window, the last to run), by when the app's handler and its microtasks (where Leptos
//   re-renders, and the store task starts) are done: the browser runs microtasks after each
//   listener. Also, as before 2026-12-01 (issue 11), the moment a message posted at the event's
//   start is handled: a Chrome trace shows that this message waits behind the frame's paint,
//   the keyup and a task of the browser's own, about 6 ms that are not our code.
//   The same for a small vacancy (one criterion) as a reference.
//
//   node tests/bench/large.mjs [keystrokes]   (needs scripts/build.sh, and the generator built:
//                                              CANDIDATES_ONLY=1 for the candidates board alone;
//                                              cargo build --profile relay -p tandem-large-vacancy)
import { chromium } from 'playwright-core';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;
const keystrokes = Number(process.argv[2] ?? 100);
const runs = Number(process.env.RUNS ?? 5);
const port = 8690 + Math.floor(Math.random() * 100);
const work = mkdtempSync(join(tmpdir(), 'tandem-bench-large-'));

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const ms = (x) => `${x.toFixed(1)} ms`;

// LARGE_REPORT=<the JSON line of an earlier run>: reuse its file (generating takes a minute).
const generated = process.env.LARGE_REPORT
  ? JSON.parse(readFileSync(process.env.LARGE_REPORT, 'utf8'))
  : JSON.parse(
      execFileSync(join(root, 'target/relay/tandem-large-vacancy'), ['--out', join(work, 'large.tandem')], { encoding: 'utf8' }),
    );
const file = generated.file;
console.log(
  `generated: ${JSON.stringify(generated.counts)}; snapshot ${(generated.snapshot_bytes / 1024).toFixed(0)} KiB, ` +
    `backup file ${(generated.file_bytes / 1024).toFixed(0)} KiB, generated in ${generated.generated_ms} ms, ` +
    `loaded natively (the generator's build) in ${ms(generated.native_load_ms)}`,
);

const relay = spawn(join(root, 'target/relay/tandem-relay'), [], {
  env: {
    ...process.env,
    TANDEM_LISTEN: `127.0.0.1:${port}`,
    TANDEM_DATA_DIR: mkdtempSync(join(work, 'relay-')),
    // TANDEM_BENCH_DIST: another build of the app (an A/B against an older one).
    TANDEM_STATIC_DIR: process.env.TANDEM_BENCH_DIST ?? join(root, 'app/dist'),
    RUST_LOG: 'warn',
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});
await new Promise((resolve) => relay.stdout.once('data', resolve));
const base = `http://127.0.0.1:${port}`;

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});

/** Before the page's own scripts: the app's marks on. */
function instrument() {
  globalThis.__tandemTiming = true;
}

/**
 * Before a page's own scripts: `__shownAt` becomes the time (ms since navigation start) of the
 * frame after `n` elements match `selector`.
 */
function watch([selector, n]) {
  new MutationObserver((_, observer) => {
    if (document.querySelectorAll(selector).length >= n) {
      observer.disconnect();
      requestAnimationFrame(() => (globalThis.__shownAt = performance.now()));
    }
  }).observe(document, { childList: true, subtree: true });
}

/** How long a view may take before the bench calls it stalled. */
const STALLED_MS = Number(process.env.STALLED_MS ?? 30_000);

/** Durations between two of the app's marks (the first of each name), or null. */
function between(marks, from, to) {
  const a = marks.find((m) => m.name === from);
  const b = marks.find((m) => m.name === to && (!a || m.startTime >= a.startTime));
  return a && b ? b.startTime - a.startTime : null;
}

/** Opens `path` in new tabs at `rate`× CPU until `n` of `selector` are painted, `runs` times. */
async function opens(context, path, selector, n, rate) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const page = await context.newPage();
    await page.addInitScript(watch, [selector, n]);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate });
    await page.goto(`${base}${path}`, { waitUntil: 'commit' });
    const shown = await page
      .waitForFunction(() => globalThis.__shownAt, null, { timeout: STALLED_MS * rate, polling: 100 })
      .then((h) => h.jsonValue())
      .catch(() => Infinity);
    if (shown === Infinity) {
      // A stalled tab: one sample says enough.
      console.log(`  ${path}: not rendered within ${STALLED_MS * rate} ms at ${rate}× CPU (the tab is busy)`);
      await page.close();
      return { shown, read: NaN, load: NaN };
    }
    const marks = await page.evaluate(() => performance.getEntriesByType('mark').map((m) => ({ name: m.name, startTime: m.startTime })));
    const at = (name) => marks.find((m) => m.name === name)?.startTime ?? NaN;
    samples.push({
      shown,
      read: between(marks, 'tandem:read', 'tandem:load'),
      load: between(marks, 'tandem:load', 'tandem:loaded'),
      // The candidates board's own steps (app/src/components/candidates.rs, feedback_owed.rs).
      counts: between(marks, 'tandem:board', 'tandem:counted'),
      columns: between(marks, 'tandem:columns', 'tandem:columned'),
      cards: at('tandem:owed') - at('tandem:columned'),
      owed: between(marks, 'tandem:owed', 'tandem:owed-read'),
      after: shown - at('tandem:owed-read'),
    });
    await page.close();
  }
  const of = (key) => median(samples.map((s) => s[key] ?? NaN));
  return Object.fromEntries(['shown', 'read', 'load', 'counts', 'columns', 'cards', 'owed', 'after'].map((k) => [k, of(k)]));
}

/**
 * Types `count` characters into the first criterion's description of the open scorecard, and
 * times each keystroke's work before the frame, with the app's marks splitting it.
 */
async function typeInto(page, count) {
  const field = page.locator('.criterion').first().getByRole('textbox', { name: 'Description' });
  await field.click();
  await page.evaluate(() => {
    globalThis.__keys = [];
    window.addEventListener(
      'input',
      () => {
        const start = performance.now();
        performance.clearMarks();
        const channel = new MessageChannel();
        channel.port1.onmessage = () => {
          const end = performance.now();
          const marks = performance.getEntriesByType('mark').map((m) => ({ name: m.name, startTime: m.startTime }));
          globalThis.__keys.push({ start, end, ours: globalThis.__inputEnd - start, marks });
        };
        channel.port2.postMessage(null);
      },
      true,
    );
    // Added after the app's own listeners, and on the window: the last to run.
    window.addEventListener('input', () => {
      globalThis.__inputEnd = performance.now();
    });
  });
  for (let i = 0; i < count; i++) {
    await field.press(String.fromCharCode(97 + (i % 26)));
    await page.waitForFunction((n) => globalThis.__keys.length >= n, i + 1);
  }
  const keys = await page.evaluate(() => globalThis.__keys);
  const work = keys.map((k) => k.ours);
  const toMessage = keys.map((k) => k.end - k.start);
  const step = (from, to) => median(keys.map((k) => between(k.marks, from, to) ?? NaN));
  return {
    median: median(work),
    p90: quantile(work, 0.9),
    max: Math.max(...work),
    toMessage: median(toMessage),
    splice: step('tandem:edit', 'tandem:spliced'),
    // Telling the views (the version signal, the watched areas, the lock).
    announce: step('tandem:spliced', 'tandem:notified'),
    // The change handed to the engine, sealed and sent (the list entry first when it changed).
    send: step('tandem:notified', 'tandem:sent'),
    listing: step('tandem:listing', 'tandem:handed'),
    // After the send, to the end: the views re-reading what they follow, the store task begun.
    after: median(keys.map((k) => {
      const sent = k.marks.find((m) => m.name === 'tandem:sent');
      return sent ? k.start + k.ours - sent.startTime : NaN;
    })),
  };
}

try {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  await context.addInitScript(instrument);
  const home = await context.newPage();
  await home.goto(base);
  const restoreStarted = Date.now();
  await home.getByLabel('Backup file').setInputFiles(file);
  await home.getByLabel('Passphrase of the backup').fill(generated.passphrase);
  await home.getByRole('button', { name: 'Restore' }).click();
  await home.getByRole('status').filter({ hasText: 'Backup restored' }).waitFor({ timeout: 120_000 });
  console.log(`restored through the app in ${Date.now() - restoreStarted} ms`);
  // A small vacancy beside it, for reference: one criterion.
  await home.getByLabel('Title of the new vacancy').fill('Small reference');
  await home.getByRole('button', { name: 'Create vacancy' }).click();
  await home.waitForURL(/\/v\//);
  // The first open of a vacancy asks who you are.
  const form = home.locator('.welcome .person-form');
  await form.waitFor();
  await form.locator('#person-name').fill('Rita Recruiter');
  await form.locator('input[name="person-role"][value="recruiter"]').check();
  await form.locator('button[type="submit"]').click();
  await home.locator('#vacancy-title').waitFor();
  const small = new URL(home.url()).pathname.split('/')[2];
  await home.goto(`${base}/v/${small}/scorecard`);
  await home.getByLabel('Name of the new criterion').fill('Speed');
  await home.getByRole('button', { name: 'Add criterion' }).click();
  await home.locator('.criterion').first().waitFor();
  await home.close();

  // CANDIDATES_ONLY=1: only the candidates board (the last measurement below).
  const all = !process.env.CANDIDATES_ONLY;
  // One visit of each first, so the code caches are as a returning user's are.
  await opens(context, `/v/${generated.doc}/scorecard`, '.criterion', 10, 1);
  const results = [];
  for (const rate of all ? [1, 4] : []) {
    for (const [what, path, selector, n] of [
      ['large: scorecard (10 criteria)', `/v/${generated.doc}/scorecard`, '.criterion', 10],
      ['small: scorecard (1 criterion)', `/v/${small}/scorecard`, '.criterion', 1],
    ]) {
      const r = await opens(context, path, selector, n, rate);
      results.push(r);
      console.log(
        `open ${what} at ${rate}× CPU: first render ${ms(r.shown)} (of which reading the chunks ${ms(r.read)}, ` +
          `loading them into automerge ${ms(r.load)}); median of ${runs} tabs`,
      );
    }
  }

  for (const [what, doc] of all ? [['large', generated.doc], ['small', small]] : []) {
    const page = await context.newPage();
    await page.goto(`${base}/v/${doc}/scorecard`);
    await page.locator('.criterion').first().waitFor();
    const k = await typeInto(page, keystrokes);
    console.log(
      `keystroke in the ${what} vacancy at 1× CPU, ${keystrokes} keystrokes: our code before the frame median ${ms(k.median)}, ` +
        `p90 ${ms(k.p90)}, max ${ms(k.max)}; of which splice ${ms(k.splice)}, telling the views ${ms(k.announce)}, ` +
        `hand-over and send ${ms(k.send)} (list entry ${ms(k.listing)}), after the send ${ms(k.after)}; ` +
        `to a message posted at the input (behind the frame and the keyup) ${ms(k.toMessage)}`,
    );
    await page.close();
  }

  // Last: a stalled tab keeps its renderer busy, and the app's other tabs share that process.
  for (const rate of [1, 4]) {
    const r = await opens(context, `/v/${generated.doc}/candidates`, '.candidate-card', generated.counts.candidates, rate);
    console.log(
      `open large: candidates (200 cards) at ${rate}× CPU: first render ${ms(r.shown)}; of which reading the chunks ` +
        `${ms(r.read)}, loading them into automerge ${ms(r.load)}, the feedback counts ${ms(r.counts)}, the pipeline ` +
        `${ms(r.columns)}, the cards ${ms(r.cards)}, the feedback owed ${ms(r.owed)}, from there to the frame ` +
        `${ms(r.after)}; median of ${runs} tabs`,
    );
  }
} finally {
  await browser.close();
  relay.kill();
}
