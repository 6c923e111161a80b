// The first paint before the wasm (issue 11): index.html's static shell shows the frame and the
// home page's tagline and heading, in the user's language, while the wasm is still on its way;
// the app then takes over in the same boxes, with no layout shift. The wasm is held back here
// (a route that answers only when released), so "before the wasm" is a state the test can see.
import { test, expect, type Browser, type BrowserContextOptions, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { dutchPhone, laptop } from './helpers';

type Texts = Record<string, string>;
const locales: Record<'en' | 'nl', Texts> = {
  en: JSON.parse(readFileSync(resolve(__dirname, '../../app/locales/en.json'), 'utf8')),
  nl: JSON.parse(readFileSync(resolve(__dirname, '../../app/locales/nl.json'), 'utf8')),
};

/**
 * Before anything on the page runs: layout shifts, largest-contentful-paint candidates and
 * Content-Security-Policy refusals are recorded (an inline script the policy refuses would
 * leave the shell empty).
 */
function observeStart() {
  const w = window as any;
  w.__shifts = [];
  w.__lcp = [];
  w.__csp = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries() as any[]) {
      w.__shifts.push({
        value: e.value,
        recent: e.hadRecentInput,
        sources: (e.sources ?? []).map((s: any) => `${s.node?.nodeName ?? '?'}.${s.node?.className ?? ''}`),
      });
    }
  }).observe({ type: 'layout-shift', buffered: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries() as any[]) {
      w.__lcp.push({ time: e.startTime, size: e.size, element: `${e.element?.nodeName}.${e.element?.className}` });
    }
  }).observe({ type: 'largest-contentful-paint', buffered: true });
  document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} ${e.sourceFile}:${e.lineNumber}`));
}

/**
 * A new context whose pages record their start. No service worker: a page it controls would get
 * the wasm from the worker's cache, past the route that holds it back (pwa.spec.ts covers the
 * worker, and starting offline with this same index.html).
 */
async function newContext(browser: Browser, options: BrowserContextOptions, savedLocale?: string) {
  const context = await browser.newContext({ ...options, serviceWorkers: 'block' });
  await context.addInitScript(observeStart);
  if (savedLocale) {
    await context.addInitScript((l) => localStorage.setItem('tandem.locale', l), savedLocale);
  }
  return context;
}

/** Holds every request for the wasm until `release` is called. */
async function holdWasm(page: Page) {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  await page.route(/\.wasm$/, async (route) => {
    await released;
    await route.continue();
  });
  return async () => {
    const at = await page.evaluate(() => performance.now());
    release();
    return at;
  };
}

/** Each of the shell's texts, in either language, is the app's own; the user's is the one shown. */
async function expectShellTexts(page: Page, lang: 'en' | 'nl') {
  const slots = await page.locator('#shell [data-text]').evaluateAll((els) =>
    els.map((e) => ({
      key: e.getAttribute('data-text') ?? '',
      lang: e.getAttribute('lang') ?? '',
      text: e.textContent ?? '',
      shown: getComputedStyle(e).display !== 'none',
    })),
  );
  expect(slots.length).toBeGreaterThan(0);
  for (const { key, lang: l, text } of slots) {
    expect(['en', 'nl']).toContain(l);
    expect(text, `the shell's "${key}" is app/locales/${l}.json's`).toBe(locales[l as 'en' | 'nl'][key]);
  }
  for (const { key, lang: l, shown } of slots.filter((s) => s.key === 'tagline')) {
    expect(shown, `the ${l} tagline shows to a user of ${lang}`).toBe(l === lang);
  }
}

type Box = { x: number; y: number; width: number; height: number };
/**
 * Where the frame's and the home page's first elements are, shell or app; for a new user also
 * the cards the shell draws for them (the largest text of a new user's first screen is a hint
 * in the data card).
 */
async function homeBoxes(page: Page, newUser: boolean): Promise<Record<string, Box | null>> {
  const boxes: Record<string, Box | null> = {
    brand: await page.locator('.topbar .brand').boundingBox(),
    tagline: await page.locator('main .tagline').boundingBox(),
    heading: await page.locator('main h1').boundingBox(),
  };
  if (newUser) {
    const cards = page.locator('main .card:visible');
    boxes.create = await cards.nth(0).boundingBox();
    boxes.join = await cards.nth(1).boundingBox();
    boxes.importHint = await page.locator('.data-home .data-block .hint:visible').first().boundingBox();
    boxes.backupHint = await page.locator('.data-home .data-block h3 + .hint').first().boundingBox();
  }
  return boxes;
}

/** The sum of the layout shifts so far that no input caused, with what moved. */
async function layoutShift(page: Page) {
  // Two frames, so a shift of the last change is reported.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const shifts: { value: number; recent: boolean; sources: string[] }[] = await page.evaluate(() => (window as any).__shifts);
  const counted = shifts.filter((s) => !s.recent);
  return { total: counted.reduce((sum, s) => sum + s.value, 0), shifts: counted };
}

/**
 * The shell alone, in `lang`, then the app over it: same boxes, no layout shift, and the largest
 * paint came before the wasm.
 */
async function shellThenApp(page: Page, lang: 'en' | 'nl', shots: string, { newUser = true } = {}) {
  const release = await holdWasm(page);
  await page.goto('/', { waitUntil: 'commit' });
  const shellTagline = page.locator('#shell .tagline');
  await expect(shellTagline).toBeVisible();
  await expect(shellTagline).toHaveText(locales[lang].tagline, { useInnerText: true });
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(locales[lang].vacancies_heading, { useInnerText: true });
  await expect(page.locator('html')).toHaveAttribute('lang', lang);
  await expectShellTexts(page, lang);
  // A new user's cards, where the app will draw them at once; a returning user's list comes first.
  await expect(page.locator('#shell .card:visible')).toHaveCount(newUser ? 3 : 0);
  // The wasm is still held: this is the page before any of it ran.
  await page.waitForTimeout(300);
  await expect(page.locator('#shell')).toHaveCount(1);
  await page.screenshot({ path: `${shots}-shell.png` });
  const before = await homeBoxes(page, newUser);

  const releasedAt = await release();
  await expect(page.locator('#shell')).toHaveCount(0);
  await expect(page.locator('main .tagline')).toHaveText(locales[lang].tagline);
  // The list is known: the page is whole.
  await expect(page.locator('.card').first()).toBeVisible();
  await page.screenshot({ path: `${shots}-app.png` });
  expect(await homeBoxes(page, newUser), 'the app fills the boxes the shell painted').toEqual(before);

  const { total, shifts } = await layoutShift(page);
  expect(total, `layout shifts: ${JSON.stringify(shifts)}`).toBe(0);
  const lcp: { time: number; size: number; element: string }[] = await page.evaluate(() => (window as any).__lcp);
  expect(lcp.length, 'the shell is a contentful paint').toBeGreaterThan(0);
  expect(lcp[0].time, 'the first contentful paint did not wait for the wasm').toBeLessThan(releasedAt);
  expect(
    lcp.filter((e) => e.time >= releasedAt),
    `the largest paint waited for the wasm (released at ${releasedAt} ms): ${JSON.stringify(lcp)}`,
  ).toEqual([]);
  expect(await page.evaluate(() => (window as any).__csp)).toEqual([]);
}

test('a Dutch phone sees the Dutch shell before the wasm, and the app takes over without a shift', async ({ browser }, testInfo) => {
  const context = await newContext(browser, dutchPhone);
  const page = await context.newPage();
  await shellThenApp(page, 'nl', testInfo.outputPath('nl-phone'));
  await expect(page.getByText(locales.nl.no_vacancies)).toBeVisible();
  await context.close();
});

test('an English laptop sees the English shell; a saved language choice wins over the browser’s', async ({ browser }, testInfo) => {
  const english = await newContext(browser, laptop);
  const page = await english.newPage();
  await shellThenApp(page, 'en', testInfo.outputPath('en-laptop'));
  await english.close();

  // The choice made in the app's settings (kept on the device) decides, both ways.
  const choseDutch = await newContext(browser, laptop, 'nl');
  await shellThenApp(await choseDutch.newPage(), 'nl', testInfo.outputPath('en-laptop-chose-nl'));
  await choseDutch.close();
  const choseEnglish = await newContext(browser, dutchPhone, 'en');
  await shellThenApp(await choseEnglish.newPage(), 'en', testInfo.outputPath('nl-phone-chose-en'));
  await choseEnglish.close();
});

test('with vacancies on the device, the list arrives below the shell’s heading without moving anything', async ({ browser }, testInfo) => {
  const context = await newContext(browser, dutchPhone);
  const page = await context.newPage();
  const titles = Array.from({ length: 8 }, (_, i) => `Vacature ${i + 1}`);
  for (const title of titles) {
    await page.goto('/');
    await page.getByLabel(locales.nl.new_vacancy_label).fill(title);
    await page.getByRole('button', { name: locales.nl.create_vacancy }).click();
    await expect(page).toHaveURL(/\/v\//);
  }
  const vacancyPath = new URL(page.url()).pathname;
  await page.close();

  const home = await context.newPage();
  await shellThenApp(home, 'nl', testInfo.outputPath('nl-phone-vacancies'), { newUser: false });
  for (const title of titles) await expect(home.getByRole('link', { name: title })).toBeVisible();
  const { total, shifts } = await layoutShift(home);
  expect(total, `layout shifts after the list: ${JSON.stringify(shifts)}`).toBe(0);
  await home.close();

  // A vacancy's own address gets the frame and the way back home, not the home page's tagline.
  const vacancy = await context.newPage();
  const release = await holdWasm(vacancy);
  await vacancy.goto(vacancyPath, { waitUntil: 'commit' });
  await expect(vacancy.locator('#shell nav a')).toHaveText(`← ${locales.nl.back_home}`, { useInnerText: true });
  await expect(vacancy.locator('#shell nav a')).toBeVisible();
  await expect(vacancy.locator('#shell .tagline')).toBeHidden();
  await release();
  await expect(vacancy.locator('#shell')).toHaveCount(0);
  await expect(vacancy.getByRole('link', { name: `← ${locales.nl.back_home}` })).toBeVisible();
  await context.close();
});
