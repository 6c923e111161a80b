// Measures how long a keystroke in one browser takes to appear in another, through the relay on
// loopback: two Chromium contexts on one vacancy, N single keystrokes into the same criterion
// description. The time runs from the keydown event in the typing page to the moment the other
// page's field shows the character (polled every millisecond), both on the shared wall clock.
//
//   node tests/bench/latency.mjs [keystrokes]      (needs scripts/build.sh to have run)
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;
const samples = Number(process.argv[2] ?? 100);
const port = 8790 + Math.floor(Math.random() * 100);

const relay = spawn(join(root, 'target/relay/tandem-relay'), [], {
  env: {
    ...process.env,
    TANDEM_LISTEN: `127.0.0.1:${port}`,
    TANDEM_DATA_DIR: mkdtempSync(join(tmpdir(), 'tandem-bench-')),
    TANDEM_STATIC_DIR: join(root, 'app/dist'),
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

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const base = `http://127.0.0.1:${port}`;
  const a = await (await browser.newContext()).newPage();
  const b = await (await browser.newContext()).newPage();
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

  const latencies = [];
  for (let i = 0; i < samples; i++) {
    const expectedLength = i + 1;
    const waiting = b.evaluate(([el, len]) => new Promise((resolve) => {
      const timer = setInterval(() => {
        if (el.value.length >= len) { clearInterval(timer); resolve(performance.timeOrigin + performance.now()); }
      }, 1);
    }), [elementB, expectedLength]);
    await fieldA.press(String.fromCharCode(97 + (i % 26)));
    const seenAt = await waiting;
    const typedAt = await a.evaluate(() => window.__keydownAt);
    latencies.push(seenAt - typedAt);
  }
  latencies.sort((x, y) => x - y);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  console.log(`keystroke → visible in the other browser, ${samples} keystrokes through the relay on loopback:`);
  console.log(`median ${at(0.5).toFixed(1)} ms, p90 ${at(0.9).toFixed(1)} ms, p99 ${at(0.99).toFixed(1)} ms, min ${latencies[0].toFixed(1)} ms, max ${latencies.at(-1).toFixed(1)} ms`);
} finally {
  await browser.close();
  relay.kill();
}
