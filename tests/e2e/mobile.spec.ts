// The app on a small phone: the hiring manager at 360×640 with touch, in Dutch, the recruiter on a
// laptop in English. Every key page fits the width with nothing to scroll sideways, every control
// is big enough for a finger, the sync state stays in sight while scrolling, a removal offers its
// undo where the person is looking, and the partner is told who removed what. Full-page
// screenshots of every page (360×640 and 390×844 Dutch, 1366×768 English) are kept as artefacts.
import { test, expect, type Page, type TestInfo } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import {
  createVacancy,
  joinVacancy,
  addCriterion,
  laptop,
  addCandidateWithInterview,
  submitFeedback,
} from './helpers';

/** The smallest phone we design for: 360×640, touch, Dutch. */
const smallPhone = {
  viewport: { width: 360, height: 640 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  locale: 'nl-NL',
};

// Monday 30 November 2026, 14:00 in Amsterdam; the interview was this morning.
const START = new Date('2026-11-30T14:00:00+01:00');
const INTERVIEW = '2026-11-30T10:00';
const LONG_NAME = 'Rust en backend-ervaring in productie met betaalsystemen';

/**
 * What a finger or a narrow screen would trip over on the page as it is: controls under 44 px
 * either way (a checkbox or radio counts by its label) and a page wider than the screen.
 */
async function phoneProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const bad: string[] = [];
    const controls = 'a, button, input, select, textarea, summary';
    for (const el of Array.from(document.querySelectorAll(controls))) {
      if (el.closest('.visually-hidden')) continue;
      const target = el.matches('input[type="checkbox"], input[type="radio"]') ? (el.closest('label') ?? el) : el;
      const r = target.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (r.height < 44 || r.width < 44) bad.push(`${Math.round(r.width)}×${Math.round(r.height)} ${el.outerHTML.slice(0, 90)}`);
    }
    const scroller = document.scrollingElement ?? document.documentElement;
    if (scroller.scrollWidth > window.innerWidth) bad.push(`page is ${scroller.scrollWidth}px wide in ${window.innerWidth}px`);
    return bad;
  });
}

/** A full-page screenshot, attached to the test's report and kept under test-results/mobile. */
async function shot(page: Page, testInfo: TestInfo, name: string) {
  mkdirSync('test-results/mobile', { recursive: true });
  const path = `test-results/mobile/${name}.png`;
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: 'image/png' });
  // For looking at by eye: the page cut into screen-sized pieces.
  const pieces = process.env.MOBILE_SHOTS_DIR;
  if (pieces) {
    mkdirSync(pieces, { recursive: true });
    const { width, height } = page.viewportSize() ?? { width: 360, height: 640 };
    const total = await page.evaluate(() => document.documentElement.scrollHeight);
    for (let y = 0, i = 0; y < total && i < 12; y += height, i++) {
      await page.screenshot({ path: `${pieces}/${name}-${i}.png`, fullPage: true, clip: { x: 0, y, width, height: Math.min(height, total - y) } });
    }
  }
}

/**
 * Checks the page on the small phone (soft, so one run lists every page's problems), then takes
 * its screenshots at 360×640 and 390×844.
 */
async function checkPage(page: Page, testInfo: TestInfo, name: string) {
  await page.waitForTimeout(300);
  expect.soft(await phoneProblems(page), `${name} at 360×640`).toEqual([]);
  await shot(page, testInfo, `${name}-360x640-nl`);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(200);
  await shot(page, testInfo, `${name}-390x844-nl`);
  await page.setViewportSize(smallPhone.viewport);
}

test('every key page fits a 360×640 phone, with touch targets a finger can hit', async ({ browser }, testInfo) => {
  test.setTimeout(240_000);
  const recruiter = await (await browser.newContext({ ...laptop, timezoneId: 'Europe/Amsterdam' })).newPage();
  const manager = await (await browser.newContext({ ...smallPhone, timezoneId: 'Europe/Amsterdam' })).newPage();
  await recruiter.clock.install({ time: START });
  await manager.clock.install({ time: START });

  const link = await createVacancy(recruiter, 'Backend developer', 'Rita', 'recruiter');
  const doc = new URL(link).pathname.split('/')[2];
  await recruiter.getByLabel('New stage').fill('First interview');
  await recruiter.locator('.add-row').filter({ hasText: 'New stage' }).getByRole('button', { name: 'Add' }).click();
  await recruiter.getByLabel('New must-have').fill('Rust in production');
  await recruiter.locator('.add-row').filter({ hasText: 'New must-have' }).getByRole('button', { name: 'Add' }).click();
  await joinVacancy(manager, link, 'Sanne', 'hiring manager');

  await addCriterion(recruiter, LONG_NAME);
  await addCriterion(recruiter, 'Communication');
  const stage = recruiter.locator('.stage').first();
  await recruiter.goto(`/v/${doc}/intake`);
  for (const name of [LONG_NAME, 'Communication']) await stage.getByRole('checkbox', { name }).check();
  const interview = await addCandidateWithInterview(recruiter, 'Anna de Vries', INTERVIEW, ['Rita', 'Sanne']);
  const candidate = recruiter.url();
  await recruiter.goto(`/v/${doc}/planning`);

  // Home, with the vacancy in the list.
  await manager.goto('/');
  await checkPage(manager, testInfo, 'home');
  await manager.goto(`/v/${doc}/intake`);
  await expect(manager.locator('#vacancy-title')).toHaveValue('Backend developer');
  await checkPage(manager, testInfo, 'intake');
  // The partner's sign-off is announced on the other side, in its live region.
  await manager.getByRole('button', { name: 'Akkoord geven als hiring manager' }).click();
  await expect(recruiter.locator('.toasts[aria-live="polite"]')).toContainText('Sanne signed off the intake');
  await manager.goto(`/v/${doc}/scorecard`);
  const longRow = manager.locator('.criterion').first();
  const longName = longRow.getByRole('textbox', { name: 'Naam', exact: true });
  await expect(longName).toHaveValue(LONG_NAME);
  await checkPage(manager, testInfo, 'scorecard');
  // The long name is not cut: its field is as wide as the criterion.
  const nameBox = await longName.boundingBox();
  const rowBox = await longRow.boundingBox();
  expect.soft(nameBox && rowBox && nameBox.width >= rowBox.width - 2).toBeTruthy();
  await manager.goto(`/v/${doc}/candidates`);
  await expect(manager.locator('.candidate-card')).toHaveCount(1);
  await checkPage(manager, testInfo, 'candidates');
  await manager.goto(new URL(candidate).pathname);
  await expect(manager.locator('#candidate-name')).toHaveValue('Anna de Vries');
  await checkPage(manager, testInfo, 'candidate');
  await manager.goto(new URL(interview, recruiter.url()).pathname);
  await expect(manager.locator('form.feedback-form')).toBeVisible();
  await checkPage(manager, testInfo, 'interview');
  await manager.goto(`/v/${doc}/planning`);
  await checkPage(manager, testInfo, 'planning');
  await manager.goto(`/v/${doc}/checkin`);
  await manager.getByRole('button', { name: 'Check-in van vandaag starten' }).click();
  await checkPage(manager, testInfo, 'checkin');
  await manager.goto(`/v/${doc}/compare`);
  await checkPage(manager, testInfo, 'compare');

  // The sync state stays in sight once the page is scrolled to its end.
  await manager.goto(`/v/${doc}/scorecard`);
  const syncNl = manager.getByRole('status', { name: 'Synchronisatiestatus' });
  await expect(syncNl).toBeInViewport();
  await manager.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  await expect(syncNl).toBeInViewport();
  await expect(syncNl).toContainText('Bijgewerkt');

  // Feedback from the partner is announced in the live region.
  await recruiter.goto(`/v/${doc}/scorecard`);
  await expect(recruiter.locator('.criterion')).toHaveCount(2);
  const ids = await recruiter.locator('.criterion').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-criterion') ?? ''));
  await recruiter.goto(new URL(interview, recruiter.url()).pathname);
  await submitFeedback(recruiter, { [ids[0]]: 3, [ids[1]]: 4 }, 'yes');
  const liveNl = manager.locator('.toasts[aria-live="polite"]');
  await expect(liveNl).toContainText('Rita heeft feedback gegeven op Anna de Vries');

  // A removal: the undo is offered in sight, at the bottom of the screen, and works; the
  // partner is told who removed what.
  await recruiter.goto(`/v/${doc}/scorecard`);
  const second = manager.locator('.criterion').nth(1);
  await second.getByRole('button', { name: 'Verwijderen (Communication)' }).click();
  await expect(manager.locator('.criterion')).toHaveCount(1);
  const toast = manager.locator('.toast').filter({ hasText: 'Communication' });
  await expect(toast).toBeInViewport({ ratio: 1 });
  await expect(toast).toHaveAttribute('role', 'status');
  await expect(recruiter.locator('.toasts[aria-live="polite"]')).toContainText('Sanne removed the criterion ‘Communication’');
  await expect(recruiter.locator('.criterion')).toHaveCount(1);
  await shot(manager, testInfo, 'undo-toast-360x640-nl');
  const undo = toast.getByRole('button', { name: 'Ongedaan maken' });
  const box = await undo.boundingBox();
  expect(box && box.height >= 44 && box.width >= 44).toBeTruthy();
  await undo.click();
  await expect(manager.locator('.criterion')).toHaveCount(2);
  await expect(recruiter.locator('.criterion')).toHaveCount(2);
  await expect(toast).toHaveCount(0);
  // Nothing of it sticks out sideways, and every control is still finger-sized.
  expect(await phoneProblems(manager)).toEqual([]);

  // The laptop, in English, for the same pages.
  for (const [name, path] of [
    ['scorecard', `/v/${doc}/scorecard`],
    ['candidate', new URL(candidate).pathname],
    ['interview', new URL(interview, recruiter.url()).pathname],
    ['checkin', `/v/${doc}/checkin`],
  ]) {
    await recruiter.goto(path);
    await recruiter.waitForTimeout(400);
    await shot(recruiter, testInfo, `${name}-1366x768-en`);
  }
});
