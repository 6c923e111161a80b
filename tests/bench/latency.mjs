// Measures how long a keystroke in one browser takes to appear in another, through the relay on
// loopback: two Chromium contexts on one vacancy, N single keystrokes into the same criterion
// description. The time runs from the keydown event in the typing page to the moment the other
// page's field shows the character (polled every millisecond), both on the shared wall clock.
//
// With it, where the time goes: the app's User Timing marks (app/src/timing.rs, switched on by
// `__tandemTiming` here) in both pages, the moment the typing page's keydown fired and the other
// page's field was written (its `value` setter, watched), and the relay's own commit time from
// its Prometheus metrics (`tandem_commit_batch_seconds`, read before and after), give each
// keystroke's path step by step; the medians of each step are printed as a table.
//
// The keystroke is sent before the typing page's IndexedDB write lands (issue 11): the write is
// shown beside the path, not on it. 400 keystrokes by default, enough for a p99 (the fourth
// slowest). `TANDEM_BENCH_DIST` serves another build of the app (an A/B against an older one).
//
//   node tests/bench/latency.mjs [keystrokes]      (needs scripts/build.sh to have run)
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;
const samples = Number(process.argv[2] ?? 400);
const port = 8790 + Math.floor(Math.random() * 100);

const relay = spawn(join(root, 'target/relay/tandem-relay'), [], {
  env: {
    ...process.env,
    TANDEM_LISTEN: `127.0.0.1:${port}`,
    TANDEM_DATA_DIR: mkdtempSync(join(tmpdir(), 'tandem-bench-')),
    TANDEM_STATIC_DIR: process.env.TANDEM_BENCH_DIST ?? join(root, 'app/dist'),
    RUST_LOG: 'warn',
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});
await new Promise((resolve) => relay.stdout.once('data', resolve));

/** The first-open welcome of a vacancy: a name and a role, then the vacancy's page. */
async function sayWhoIAm(page, name, role) {
  const form = page.locator('.welcome .person-form');
  await form.locator('#person-name').fill(name);
  await form.locator(`input[name="person-role"][value="${role}"]`).check();
  await form.locator('button[type="submit"]').click();
  await page.locator('#vacancy-title').waitFor();
}

async function openScorecard(page) {
  await page
    .getByRole('navigation', { name: 'Sections of this vacancy' })
    .getByRole('link', { name: 'Scorecard', exact: true })
    .click();
}

/**
 * Each keystroke's path as moments on the shared clock, from the marks of both pages; a step
 * whose marks are missing (an edit merged into another's frame, say) is left out of its median.
 */
function breakdown(paths, commitMs) {
  const first = (marks, name, after) => marks.find((m) => m.name === name && m.at >= (after ?? -Infinity))?.at;
  const last = (marks, name, before) => marks.filter((m) => m.name === name && m.at <= before).at(-1)?.at;
  const rows = paths.map(({ typedAt, seenAt, a, b }) => {
    const t = {};
    t.keydown = typedAt;
    t.edit = first(a.marks, 'tandem:edit');
    t.spliced = first(a.marks, 'tandem:spliced', t.edit);
    t.notified = first(a.marks, 'tandem:notified', t.spliced);
    t.listing = first(a.marks, 'tandem:listing', t.notified);
    t.handed = first(a.marks, 'tandem:handed', t.notified);
    t.write = first(a.marks, 'tandem:write', t.notified);
    t.written = first(a.marks, 'tandem:written', t.write);
    // The re-render ends at whatever comes next: the list entry when it is worked out, else the
    // hand-over (or, in a build that wrote before sending, the write).
    t.rendered = t.listing ?? Math.min(t.handed ?? Infinity, t.write ?? Infinity);
    t.afterListing = t.listing === undefined ? undefined : Math.min(t.handed ?? Infinity, t.write ?? Infinity);
    // Before the hand-over in a build that writes first; beside the path once it sends first.
    t.writeFirst = t.written <= t.handed ? t.written : undefined;
    t.sent = first(a.marks, 'tandem:sent', t.handed);
    t.deliver = first(b.marks, 'tandem:deliver');
    t.frame = last(b.marks, 'tandem:frame', t.deliver);
    t.merge = first(b.marks, 'tandem:merge', t.deliver);
    t.applied = first(b.marks, 'tandem:applied', t.merge);
    t.told = first(b.marks, 'tandem:told', t.applied);
    t.merged = first(b.marks, 'tandem:merged', t.told);
    t.delivered = first(b.marks, 'tandem:delivered', t.merged);
    t.valueSet = b.valueSetAt;
    t.seen = seenAt;
    return t;
  });
  const steps = [
    ['keydown → input handler (browser: key events, input event)', 'keydown', 'edit'],
    ['splice: text diff, automerge splice and commit', 'edit', 'spliced'],
    ['change announced (version signal)', 'spliced', 'notified'],
    ['views re-read the document and re-render (typing page)', 'notified', 'rendered'],
    ['list entry for the device list (title, status, deadlines)', 'listing', 'afterListing'],
    ['IndexedDB write before the hand-over (a build that writes first)', 'write', 'writeFirst'],
    ['hand-over after the write (a build that writes first)', 'writeFirst', 'handed'],
    ['seal (XChaCha20-Poly1305) and WebSocket send', 'handed', 'sent'],
    ['relay: receive, SQLite commit, broadcast; loopback both ways', 'sent', 'frame'],
    ['decode and open the frame (other page)', 'frame', 'deliver'],
    ['(session bookkeeping before the merge)', 'deliver', 'merge'],
    ['merge into automerge', 'merge', 'applied'],
    ['partner notices (inventory before and after, authors)', 'applied', 'told'],
    ['change announced and sync status refreshed', 'told', 'merged'],
    ['(after the merge, in the listener)', 'merged', 'delivered'],
    ['views re-read the document and re-render (other page)', 'delivered', 'valueSet'],
    ['field written → seen by the 1 ms poll (measurement)', 'valueSet', 'seen'],
  ];
  const med = (xs) => {
    const s = xs.filter((x) => Number.isFinite(x)).sort((x, y) => x - y);
    return s.length ? s[Math.floor(s.length / 2)] : NaN;
  };
  console.log('| step | median | p90 |');
  console.log('|---|---|---|');
  let total = 0;
  for (const [label, from, to] of steps) {
    const d = rows.map((r) => r[to] - r[from]);
    const m = med(d);
    total += Number.isFinite(m) ? m : 0;
    const s = d.filter((x) => Number.isFinite(x)).sort((x, y) => x - y);
    const p90 = s[Math.min(s.length - 1, Math.floor(0.9 * s.length))];
    console.log(`| ${label} | ${m.toFixed(2)} ms | ${p90?.toFixed(2)} ms |`);
  }
  console.log(`| sum of the medians | ${total.toFixed(1)} ms | |`);
  const beside = rows.filter((r) => r.writeFirst === undefined).map((r) => r.written - r.write);
  if (beside.length) {
    console.log(`IndexedDB write beside the path (chunk, outbox, list entry, committed; after the send): median ${med(beside).toFixed(2)} ms`);
  }
  console.log(`relay commit (tandem_commit_batch_seconds, mean over the run): ${commitMs.toFixed(2)} ms of the relay step`);
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const base = `http://127.0.0.1:${port}`;
  const contexts = [await browser.newContext(), await browser.newContext()];
  for (const c of contexts) {
    await c.addInitScript(() => {
      globalThis.__tandemTiming = true;
      // When the app writes a textarea's value: the moment the other page's field changes.
      const setter = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value').set;
      Object.defineProperty(HTMLTextAreaElement.prototype, 'value', {
        ...Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value'),
        set(v) {
          setter.call(this, v);
          globalThis.__valueSetAt = performance.timeOrigin + performance.now();
        },
      });
    });
  }
  const a = await contexts[0].newPage();
  const b = await contexts[1].newPage();
  await a.goto(base);
  await a.getByLabel('Title of the new vacancy').fill('Latency benchmark');
  await a.getByRole('button', { name: 'Create vacancy' }).click();
  await sayWhoIAm(a, 'Rita', 'recruiter');
  const link = await a.getByLabel('Share link').inputValue();
  await openScorecard(a);
  await a.getByLabel('Name of the new criterion').fill('Speed');
  await a.getByRole('button', { name: 'Add criterion' }).click();
  await b.goto(link);
  await sayWhoIAm(b, 'Henk', 'hiring_manager');
  await openScorecard(b);
  const fieldA = a.locator('.criterion').first().getByRole('textbox', { name: 'Description' });
  const fieldB = b.locator('.criterion').first().getByRole('textbox', { name: 'Description' });
  await fieldB.waitFor();
  const elementB = await fieldB.elementHandle();
  await fieldA.click();
  await a.evaluate(() => {
    document.addEventListener('keydown', (e) => { window.__keydownAt = performance.timeOrigin + e.timeStamp; }, true);
  });

  const commits = async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    const read = (name) => Number(text.match(new RegExp(`^${name} ([0-9.e+-]+)$`, 'm'))?.[1] ?? NaN);
    return { sum: read('tandem_commit_batch_seconds_sum'), count: read('tandem_commit_batch_seconds_count') };
  };
  const marksOf = (page) =>
    page.evaluate(() => ({
      marks: performance.getEntriesByType('mark').map((m) => ({ name: m.name, at: performance.timeOrigin + m.startTime })),
      valueSetAt: globalThis.__valueSetAt,
    }));
  const commitsBefore = await commits();
  const latencies = [];
  const paths = [];
  for (let i = 0; i < samples; i++) {
    const expectedLength = i + 1;
    await a.evaluate(() => performance.clearMarks());
    await b.evaluate(() => performance.clearMarks());
    const waiting = b.evaluate(([el, len]) => new Promise((resolve) => {
      const timer = setInterval(() => {
        if (el.value.length >= len) { clearInterval(timer); resolve(performance.timeOrigin + performance.now()); }
      }, 1);
    }), [elementB, expectedLength]);
    await fieldA.press(String.fromCharCode(97 + (i % 26)));
    const seenAt = await waiting;
    const typedAt = await a.evaluate(() => window.__keydownAt);
    latencies.push(seenAt - typedAt);
    paths.push({ typedAt, seenAt, a: await marksOf(a), b: await marksOf(b) });
  }
  const commitsAfter = await commits();
  latencies.sort((x, y) => x - y);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  console.log(`keystroke → visible in the other browser, ${samples} keystrokes through the relay on loopback:`);
  console.log(`median ${at(0.5).toFixed(1)} ms, p90 ${at(0.9).toFixed(1)} ms, p99 ${at(0.99).toFixed(1)} ms, min ${latencies[0].toFixed(1)} ms, max ${latencies.at(-1).toFixed(1)} ms`);
  breakdown(paths, (commitsAfter.sum - commitsBefore.sum) / (commitsAfter.count - commitsBefore.count) * 1000);
} finally {
  await browser.close();
  relay.kill();
}
