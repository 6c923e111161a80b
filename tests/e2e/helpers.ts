import { expect, type BrowserContext, type Page, type WebSocket } from '@playwright/test';
import { readdirSync, readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

/**
 * Creates a vacancy from the home page, says who its maker is in it (a recruiter named `name`,
 * unless told otherwise) and returns its share link.
 */
export async function createVacancy(
  page: Page,
  title: string,
  name = 'Rita Recruiter',
  role: VacancyRole = 'recruiter',
): Promise<string> {
  await page.goto('/');
  await page.getByLabel('Title of the new vacancy').fill(title);
  await page.getByRole('button', { name: 'Create vacancy' }).click();
  await sayWhoIAm(page, name, role);
  await expect(page.getByLabel('Vacancy title')).toHaveValue(title);
  await expect(syncStatus(page)).toContainText('Up to date');
  return page.getByLabel('Share link').inputValue();
}

export type VacancyRole = 'recruiter' | 'hiring manager' | 'interviewer';

const roleValue: Record<VacancyRole, string> = {
  recruiter: 'recruiter',
  'hiring manager': 'hiring_manager',
  interviewer: 'interviewer',
};

/**
 * Fills in the first-open welcome of a vacancy (name and role) and continues to its page. By
 * element, not by text, so it works in either language.
 */
export async function sayWhoIAm(page: Page, name: string, role: VacancyRole) {
  const form = page.locator('.welcome .person-form');
  await form.locator('#person-name').fill(name);
  await form.locator(`input[name="person-role"][value="${roleValue[role]}"]`).check();
  await form.locator('button[type="submit"]').click();
  await expect(page.locator('.welcome')).toHaveCount(0);
  await expect(page.locator('#vacancy-title')).toBeVisible();
}

/**
 * Opens a shared vacancy by its link as a person who has not opened it before, says who they
 * are in it (the first-open welcome), and waits for the vacancy's page.
 */
export async function joinVacancy(page: Page, link: string, name: string, role: VacancyRole) {
  await page.goto(link);
  await sayWhoIAm(page, name, role);
}

/** Opens one section of the open vacancy by its link in the section bar ('Intake', 'Planning' …). */
export async function openSection(page: Page, name: 'Intake' | 'Scorecard' | 'Candidates' | 'Planning' | 'Check-in') {
  const tab = page
    .getByRole('navigation', { name: 'Sections of this vacancy' })
    .getByRole('link', { name, exact: true });
  await tab.click();
  await expect(tab).toHaveAttribute('aria-current', 'page');
}

/**
 * Opens the vacancy's Scorecard section by its link in the section bar. A vacancy's own address
 * opens its Intake while it is a draft, as every vacancy these tests make is.
 */
export async function openScorecard(page: Page) {
  const tab = page
    .getByRole('navigation', { name: 'Sections of this vacancy' })
    .getByRole('link', { name: 'Scorecard', exact: true });
  await tab.click();
  await expect(tab).toHaveAttribute('aria-current', 'page');
}

export async function addCriterion(page: Page, name: string) {
  await openScorecard(page);
  const before = await page.locator('.criterion').count();
  await page.getByLabel('Name of the new criterion').fill(name);
  await page.getByRole('button', { name: 'Add criterion' }).click();
  await expect(page.locator('.criterion')).toHaveCount(before + 1);
  await expect(criterion(page, before).name).toHaveValue(name);
}

/** The fields of the criterion shown at `index` (0 = top). */
export function criterion(page: Page, index: number) {
  const row = page.locator('.criterion').nth(index);
  return {
    row,
    name: row.getByRole('textbox', { name: 'Name', exact: true }),
    description: row.getByRole('textbox', { name: 'Description' }),
  };
}

export function syncStatus(page: Page) {
  return page.getByRole('status', { name: 'Sync status' });
}

/**
 * Lets a test cut a page's connection to the relay and bring it back, as a phone losing its
 * network would. The page's WebSocket to /sync is proxied through Playwright to the real relay;
 * "offline" closes it and refuses new ones, and tells the page it is offline.
 */
export async function switchableNetwork(context: BrowserContext) {
  const state = { online: true, open: [] as { close: () => Promise<void> }[] };
  await context.routeWebSocket(/\/sync$/, (ws) => {
    if (!state.online) {
      ws.close({ code: 1001, reason: 'offline (test)' });
      return;
    }
    const server = ws.connectToServer();
    state.open.push({
      close: async () => {
        await ws.close({ code: 1001, reason: 'offline (test)' }).catch(() => {});
        await server.close().catch(() => {});
      },
    });
  });
  return {
    async offline() {
      state.online = false;
      const open = state.open.splice(0);
      await Promise.all(open.map((s) => s.close()));
    },
    async online(pages: Page[]) {
      state.online = true;
      // The app reconnects at once when the browser reports it is back online.
      for (const p of pages) await p.evaluate(() => window.dispatchEvent(new Event('online')));
    },
  };
}

/** The fake members tools/hostile-peer provides; scripts/test.sh builds it before the tests. */
const hostilePeerBinary = resolve(__dirname, '../../target/debug/tandem-hostile-peer');

export interface HostilePeerOptions {
  senders?: number;
  colour?: string;
  /** `{n}` becomes each member's number. */
  name?: string;
  field?: string;
  arriveEveryMs?: number;
}

/**
 * Starts fake members of the vacancy behind `link`, each a real WebSocket to the relay that
 * joins with the link and announces the given presence, sealed as the app seals it. Resolves
 * once all of them have announced; `stop()` closes their connections.
 */
export async function hostilePeers(link: string, options: HostilePeerOptions = {}) {
  const args = [link, '--senders', String(options.senders ?? 1)];
  if (options.colour !== undefined) args.push('--colour', options.colour);
  if (options.name !== undefined) args.push('--name', options.name);
  if (options.field !== undefined) args.push('--field', options.field);
  if (options.arriveEveryMs !== undefined) args.push('--arrive-every-ms', String(options.arriveEveryMs));
  // A safety net: the members leave on their own if a test forgets to stop them.
  args.push('--hold-seconds', '120');
  const child = spawn(hostilePeerBinary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  await new Promise<void>((ready, fail) => {
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (stdout.includes('ready')) ready();
    });
    child.on('error', fail);
    child.on('exit', (code) => fail(new Error(`tandem-hostile-peer exited (${code}): ${stderr}`)));
  });
  return {
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((done) => child.once('exit', done));
      child.kill();
      await exited;
    },
  };
}

/** The hiring manager's phone in the end-to-end tests: 390×844 with touch, in Dutch. */
export const dutchPhone = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  locale: 'nl-NL',
};

/** The recruiter's laptop in the end-to-end tests. */
export const laptop = { viewport: { width: 1366, height: 768 } };

/**
 * Every visible control on the page is at least 44×44 px (a checkbox or radio counts by the
 * label it sits in, which is what a finger taps), and nothing sticks out sideways.
 */
export async function expectTouchFriendly(page: Page) {
  const problems = await page.evaluate(() => {
    const bad: string[] = [];
    const controls = 'main a, main button, main input, main select, main textarea, main summary';
    for (const el of Array.from(document.querySelectorAll(controls))) {
      if (el.classList.contains('visually-hidden')) continue;
      const target = el.matches('input[type="checkbox"], input[type="radio"]') ? (el.closest('label') ?? el) : el;
      const r = target.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue; // not shown
      if (r.height < 44 || r.width < 44) bad.push(`${Math.round(r.width)}×${Math.round(r.height)} ${el.outerHTML.slice(0, 80)}`);
    }
    const doc = document.documentElement;
    if (doc.scrollWidth > doc.clientWidth) bad.push(`page is ${doc.scrollWidth}px wide in ${doc.clientWidth}px`);
    return bad;
  });
  expect(problems).toEqual([]);
}

/** Adds a stage of the process in the open vacancy's Intake (English interface). */
export async function addStage(page: Page, name: string) {
  await openSection(page, 'Intake');
  const before = await page.locator('.stage').count();
  await page.getByLabel('New stage').fill(name);
  await page.locator('.add-row').filter({ hasText: 'New stage' }).getByRole('button', { name: 'Add' }).click();
  await expect(page.locator('.stage')).toHaveCount(before + 1);
}

/** Adds a candidate in the Candidates section (English interface); their page opens. */
export async function addCandidate(page: Page, name: string) {
  await openSection(page, 'Candidates');
  await page.getByLabel('Name of the new candidate').fill(name);
  await page.getByRole('button', { name: 'Add candidate' }).click();
  await expect(page.locator('#candidate-name')).toHaveValue(name);
}

/**
 * Adds a candidate in the Candidates section and plans an interview with them in the first
 * stage at `at` (a datetime-local value) with the people named; returns the interview's address.
 * English, on the recruiter's side.
 */
export async function addCandidateWithInterview(page: Page, name: string, at: string, interviewers: string[]) {
  await addCandidate(page, name);
  const plan = page.locator('form').filter({ has: page.getByRole('button', { name: 'Plan interview' }) });
  await plan.getByLabel('Date and time').fill(at);
  await plan.getByRole('button', { name: 'Plan interview' }).click();
  const entry = page.locator('.interview-entry');
  await expect(entry).toHaveCount(1);
  for (const person of interviewers) {
    const box = entry.getByRole('group', { name: 'Interviewers' }).getByRole('checkbox', { name: person });
    await box.check();
    await expect(box).toBeChecked();
  }
  const kit = entry.getByRole('link', { name: 'Kit and feedback' });
  return (await kit.getAttribute('href')) ?? '';
}

/**
 * Fills in and submits the feedback form on an interview's page, in either language: a score per
 * criterion (by the criterion's id) and the recommendation (strong_no, no, yes, strong_yes).
 */
export async function submitFeedback(page: Page, scores: Record<string, number>, recommendation: string) {
  const form = page.locator('form.feedback-form');
  for (const [criterion, score] of Object.entries(scores)) {
    await form.locator(`input[name="score-${criterion}"][value="${score}"]`).check();
  }
  await form.locator(`input[name="recommendation"][value="${recommendation}"]`).check();
  await form.locator('button[type="submit"]').click();
  await expect(page.locator('form.feedback-form')).toHaveCount(0);
}

// Accessibility checks (axe-core). An import may stand anywhere at a module's top level; it is
// here so that helpers are only ever appended to this file.
import AxeBuilder from '@axe-core/playwright';

/**
 * Runs axe-core on the page as it is now and fails on any serious or critical violation, with a
 * list that says which rule, what it means and where (up to five elements per rule). `what`
 * names the page in the message. A soft assertion: a test that checks many pages reports every
 * page's violations in one run, and still fails.
 */
export async function expectNoSeriousA11yViolations(page: Page, what: string = page.url()) {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'])
    .analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const list = serious
    .map((v) => {
      const nodes = v.nodes
        .slice(0, 5)
        .map((n) => `    ${n.target.join(' ')}: ${(n.failureSummary ?? '').replace(/\s*\n\s*/g, ' ')}`)
        .join('\n');
      const more = v.nodes.length > 5 ? `\n    … and ${v.nodes.length - 5} more` : '';
      return `  [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n${nodes}${more}`;
    })
    .join('\n');
  expect.soft(serious.map((v) => v.id), `axe on ${what}:\n${list}`).toEqual([]);
}

/** Every byte of the relay's database and write-ahead log (the relay the tests started). */
export function relayFiles() {
  const dir = process.env.TANDEM_E2E_DATA_DIR!;
  const files = readdirSync(dir).filter((f) => f === 'relay.sqlite3' || f === 'relay.sqlite3-wal');
  return Buffer.concat(files.map((f) => readFileSync(join(dir, f))));
}

/**
 * The sealed changes a page sends: the last 32 bytes of each `Append` frame ([version 3][variant
 * 1][doc 16][id 16][length][ciphertext]), which is ciphertext the relay stores as it is.
 */
export function sealedChanges(page: Page) {
  const tails: Buffer[] = [];
  page.on('websocket', (ws: WebSocket) => {
    ws.on('framesent', (frame) => {
      if (typeof frame.payload === 'string') return;
      const bytes = Buffer.from(frame.payload);
      if (bytes[0] === 3 && bytes[1] === 1 && bytes.length > 34 + 2 + 32) tails.push(bytes.subarray(bytes.length - 32));
    });
  });
  return tails;
}
