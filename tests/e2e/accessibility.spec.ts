// Accessibility: every page, in English and Dutch, on a laptop and a phone, has exactly one
// first-rank heading and no serious or critical axe-core violation; focus is visible.
import { test, expect, type BrowserContext, type BrowserContextOptions, type Page } from '@playwright/test';
import {
  addCandidateWithInterview,
  addCriterion,
  addStage,
  createVacancy,
  dutchPhone,
  expectNoSeriousA11yViolations,
  laptop,
} from './helpers';

const LOCALE_KEY = 'tandem.locale';

const setups: { name: string; options: BrowserContextOptions; locale: 'en' | 'nl' }[] = [
  { name: 'English on a laptop', options: laptop, locale: 'en' },
  { name: 'English on a phone', options: { ...dutchPhone, locale: 'en-GB' }, locale: 'en' },
  { name: 'Dutch on a laptop', options: { ...laptop, locale: 'nl-NL' }, locale: 'nl' },
  { name: 'Dutch on a phone', options: dutchPhone, locale: 'nl' },
];

/** The saved language choice, which the app applies at its next start. */
async function chooseLanguage(page: Page, locale: 'en' | 'nl') {
  await page.evaluate(([key, value]) => localStorage.setItem(key, value), [LOCALE_KEY, locale]);
}

/** Opens `path`, waits for `ready`, then checks the heading and runs axe. */
async function check(page: Page, what: string, path: string, ready: (page: Page) => Promise<void>) {
  await page.goto(path);
  await ready(page);
  await expect.soft(page.locator('h1'), `${what}: one <h1>`).toHaveCount(1);
  await expectNoSeriousA11yViolations(page, what);
}

const vacancyShown = async (page: Page) => {
  await expect(page.locator('#vacancy-title')).toBeVisible();
};

/** A local "YYYY-MM-DDTHH:MM" two hours before the page's now. */
function twoHoursAgo(page: Page) {
  return page.evaluate(() => {
    const d = new Date(Date.now() - 2 * 3_600_000);
    const p = (n: number) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:00`;
  });
}

for (const setup of setups) {
  test(`every page passes axe: ${setup.name}`, async ({ browser }) => {
    test.setTimeout(180_000);
    const context: BrowserContext = await browser.newContext(setup.options);
    const page = await context.newPage();
    await page.goto('/');
    await chooseLanguage(page, setup.locale);
    await check(page, 'home, no vacancies', '/', async (p) => {
      await expect(p.locator('.empty')).toBeVisible();
    });

    // The content, made in English (the helpers speak it): a criterion, a stage, a candidate
    // with an interview this recruiter takes part in, so the interview page has the form.
    await chooseLanguage(page, 'en');
    const link = await createVacancy(page, 'Accountmanager', 'Rita Recruiter');
    await addCriterion(page, 'Communication');
    await addStage(page, 'First interview');
    const interview = await addCandidateWithInterview(page, 'Anna de Vries', await twoHoursAgo(page), ['Rita Recruiter']);
    const candidate = new URL(page.url()).pathname;
    const vacancy = new URL(link).pathname;
    await chooseLanguage(page, setup.locale);

    await check(page, 'home with a vacancy', '/', async (p) => {
      await expect(p.locator('.vacancy-list li')).toHaveCount(1);
    });
    for (const section of ['intake', 'scorecard', 'candidates', 'planning', 'checkin']) {
      await check(page, `vacancy: ${section}`, `${vacancy}/${section}`, vacancyShown);
    }
    await check(page, 'candidate page', candidate, async (p) => {
      await expect(p.locator('#candidate-name')).toBeVisible();
    });
    await check(page, 'interview page with the feedback form', interview, async (p) => {
      await expect(p.locator('form.feedback-form')).toBeVisible();
    });
    await check(page, 'comparison', `${vacancy}/compare`, vacancyShown);
    await check(page, 'the vacancy\'s data', `${vacancy}/data`, vacancyShown);

    // Someone opening the share link for the first time gets the welcome (the join page); an
    // address without its secret on a device that lacks the vacancy says what to do instead.
    const other = await browser.newContext(setup.options);
    const newcomer = await other.newPage();
    await newcomer.goto('/');
    await chooseLanguage(newcomer, setup.locale);
    await check(newcomer, 'join (welcome)', link, async (p) => {
      await expect(p.locator('.welcome')).toBeVisible();
    });
    const stranger = await (await browser.newContext(setup.options)).newPage();
    await stranger.goto('/');
    await chooseLanguage(stranger, setup.locale);
    await check(stranger, 'link without its secret', vacancy, async (p) => {
      await expect(p.getByRole('alert')).toBeVisible();
    });
    await check(stranger, 'malformed link', '/v/not-a-vacancy!', async (p) => {
      await expect(p.getByRole('alert')).toBeVisible();
    });
  });
}

test('keyboard focus is visible on links, buttons and fields', async ({ browser }) => {
  const page = await (await browser.newContext(laptop)).newPage();
  await createVacancy(page, 'Focus check');
  // Tab through the first controls of the vacancy page; each one focused shows an outline.
  const seen: string[] = [];
  for (let i = 0; i < 12; i += 1) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return null;
      const style = getComputedStyle(el);
      const outlined = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
      return { what: `${el.tagName.toLowerCase()} ${el.textContent?.trim().slice(0, 30) ?? ''}`, outlined };
    });
    if (!focused) continue;
    expect(focused.outlined, `focus outline on ${focused.what}`).toBe(true);
    seen.push(focused.what);
  }
  expect(seen.length).toBeGreaterThan(5);
});
