// Installable and offline: the service worker keeps this build's app shell, so the app starts
// with the network fully off; a new build is offered, not forced; the manifest names what exists.
import { test, expect, type BrowserContext, type Page } from '@playwright/test';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { addCriterion, createVacancy, criterion, dutchPhone, joinVacancy, openScorecard, switchableNetwork, syncStatus } from './helpers';

/** The built app the relay serves, and its service worker as scripts/write-sw.mjs wrote it. */
const dist = resolve(__dirname, '../../app/dist');
const builtWorker = readFileSync(resolve(dist, 'sw.js'), 'utf8');
const builtVersion = /const VERSION = "([0-9a-f]{16})";/.exec(builtWorker)?.[1] ?? '';

const SCREENS = 'test-results/screens';

/** Opens the app and waits until its service worker controls the page. */
async function openControlled(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto('/');
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  return page;
}

function cacheNames(page: Page): Promise<string[]> {
  return page.evaluate(() => caches.keys());
}

test('with the network fully off, the app cold-starts, lists and edits a vacancy, and the edit reaches the partner later', async ({
  browser,
}) => {
  expect(builtVersion, 'app/dist/sw.js carries a build version').toMatch(/^[0-9a-f]{16}$/);
  const context = await browser.newContext();
  // Offline emulation stops HTTP but not WebSockets, so the socket to /sync is cut as well.
  const sockets = await switchableNetwork(context);
  const first = await openControlled(context);
  const link = await createVacancy(first, 'Verpleegkundige nachtdienst');
  await addCriterion(first, 'BIG-registratie');
  await expect(syncStatus(first)).toContainText('Up to date');
  const vacancyPath = new URL(first.url()).pathname;
  await first.close();

  await context.setOffline(true);
  await sockets.offline();
  // Fully off: the worker itself cannot reach the relay either, so whatever it serves comes
  // from its cache.
  const [worker] = context.serviceWorkers();
  expect(worker, 'the service worker is running').toBeTruthy();
  const reached = await worker.evaluate(() =>
    fetch('/healthz', { cache: 'no-store' }).then(
      () => 'reached',
      () => 'offline',
    ),
  );
  expect(reached).toBe('offline');

  // A new page, as after the browser was closed: the app starts and lists the vacancy.
  const cold = await context.newPage();
  const home = await cold.goto('/');
  expect(home?.fromServiceWorker()).toBe(true);
  await expect(cold.getByRole('link', { name: 'Verpleegkundige nachtdienst' })).toBeVisible();

  // The vacancy's own address works too, and it can be edited.
  const page = await context.newPage();
  await page.goto(vacancyPath);
  await expect(page.getByLabel('Vacancy title')).toHaveValue('Verpleegkundige nachtdienst');
  await openScorecard(page);
  await expect(criterion(page, 0).name).toHaveValue('BIG-registratie');
  await criterion(page, 0).description.fill('Geldige registratie, ook voor nachtdiensten');
  await expect(syncStatus(page)).toContainText('changes not yet sent');
  await cold.close();

  // Online again: the edit goes out and reaches someone joining from another browser.
  await context.setOffline(false);
  await sockets.online([page]);
  await expect(syncStatus(page)).toContainText('Up to date', { timeout: 30_000 });
  const partnerContext = await browser.newContext();
  const partner = await partnerContext.newPage();
  await joinVacancy(partner, link, 'Marloes', 'hiring manager');
  await openScorecard(partner);
  await expect(criterion(partner, 0).description).toHaveValue('Geldige registratie, ook voor nachtdiensten');
  await partnerContext.close();
  await context.close();
});

test('the shell is cached under this build’s version, and a new build is offered and taken on reload', async ({
  browser,
}) => {
  const context = await browser.newContext();
  const page = await openControlled(context);
  expect(await cacheNames(page)).toEqual([`tandem-shell-${builtVersion}`]);
  // Every file the page loaded for this build is in that cache.
  const shell = await page.evaluate(async (name) => {
    const cache = await caches.open(name);
    return (await cache.keys()).map((r) => new URL(r.url).pathname);
  }, `tandem-shell-${builtVersion}`);
  const html = readFileSync(resolve(dist, 'index.html'), 'utf8');
  // The wasm is named in the script that compiles it in a worker (scripts/compile-off-main.mjs).
  const assets = [...html.matchAll(/(?:href=|src=|url = )"(\/[^"]+\.(?:js|wasm|css))"/g)].map((m) => m[1]);
  expect(assets.length).toBeGreaterThanOrEqual(3);
  for (const path of [...assets, '/wasm-compile.js', '/index.html', '/manifest.webmanifest', '/icons/icon-192.png']) {
    expect(shell).toContain(path);
  }
  await expect(page.getByText('A new version of Tandem is ready')).toHaveCount(0);

  // A new build is deployed under the running relay: its sw.js differs in the version (the
  // relay serves the precompressed copies first, so those are written too). The browser fetches
  // a worker script itself, past Playwright's routing, hence the files; put back afterwards.
  const nextVersion = 'feedfacefeedface';
  const files = ['sw.js', 'sw.js.br', 'sw.js.gz'];
  const originals = files.map((f) => readFileSync(resolve(dist, f)));
  const next = Buffer.from(builtWorker.replace(`"${builtVersion}"`, `"${nextVersion}"`));
  try {
    writeFileSync(resolve(dist, 'sw.js'), next);
    writeFileSync(resolve(dist, 'sw.js.br'), brotliCompressSync(next));
    writeFileSync(resolve(dist, 'sw.js.gz'), gzipSync(next));
    await expectNewBuildOffered(page, nextVersion);
  } finally {
    files.forEach((f, i) => writeFileSync(resolve(dist, f), originals[i]));
  }
  await context.close();
});

async function expectNewBuildOffered(page: Page, nextVersion: string) {
  await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.getRegistration();
    await registration?.update();
  });
  const bar = page.getByRole('status').filter({ hasText: 'A new version of Tandem is ready' });
  await expect(bar).toBeVisible();
  await page.screenshot({ path: `${SCREENS}/pwa-update-bar.png` });
  // Offered, not forced: the old build keeps running until the person chooses.
  expect(await cacheNames(page)).toContain(`tandem-shell-${builtVersion}`);

  const reloaded = page.waitForEvent('load');
  await bar.getByRole('button', { name: 'Reload' }).click();
  await reloaded;
  await expect(page.getByRole('heading', { name: 'Your vacancies' })).toBeVisible();
  await expect(bar).toHaveCount(0);
  await expect.poll(() => cacheNames(page)).toEqual([`tandem-shell-${nextVersion}`]);
}

test('the manifest is served, valid, linked from the page, and every file it names is there', async ({ page, request }) => {
  await page.goto('/');
  await expect(page.locator('link[rel="manifest"]')).toHaveAttribute('href', '/manifest.webmanifest');
  const response = await request.get('/manifest.webmanifest');
  expect(response.status()).toBe(200);
  expect(response.headers()['content-type']).toBe('application/manifest+json');
  const manifest = await response.json();
  expect(manifest).toMatchObject({
    name: 'Tandem',
    short_name: 'Tandem',
    display: 'standalone',
    start_url: '/',
    scope: '/',
  });
  expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/);
  expect(manifest.background_color).toMatch(/^#[0-9a-f]{6}$/);
  const sizes = manifest.icons.map((i: { sizes: string; purpose: string }) => `${i.sizes} ${i.purpose}`);
  expect(sizes).toEqual(expect.arrayContaining(['192x192 any', '512x512 any', '512x512 maskable']));
  expect(manifest.screenshots.map((s: { form_factor: string }) => s.form_factor).sort()).toEqual(['narrow', 'wide']);
  for (const image of [...manifest.icons, ...manifest.screenshots]) {
    const file = await request.get(image.src);
    expect(file.status(), image.src).toBe(200);
    expect(file.headers()['content-type'], image.src).toBe(image.type);
    // The size the manifest claims is the size of the PNG (width and height from its IHDR).
    const png = await file.body();
    expect(`${png.readUInt32BE(16)}x${png.readUInt32BE(20)}`, image.src).toBe(image.sizes);
  }
});

const phoneInEnglish = { ...dutchPhone, locale: 'en-GB' };

/** What the browser does when the app meets its install criteria (a stand-in: it cannot prompt). */
async function offerInstall(page: Page) {
  await page.evaluate(() => window.dispatchEvent(new Event('beforeinstallprompt', { cancelable: true })));
}

test('the install offer waits for a vacancy, and "Not now" is remembered', async ({ browser }) => {
  const page = await (await browser.newContext(phoneInEnglish)).newPage();
  await page.goto('/');
  await expect(page.getByText('No vacancies on this device yet.')).toBeVisible();
  await offerInstall(page);
  const install = page.getByRole('button', { name: 'Install Tandem' });
  await expect(install).toHaveCount(0);

  await createVacancy(page, 'Installateur');
  await page.goto('/');
  await expect(page.getByRole('link', { name: 'Installateur' })).toBeVisible();
  await offerInstall(page);
  await expect(install).toBeVisible();
  await install.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SCREENS}/pwa-install-offer.png` });
  await page.getByRole('button', { name: 'Not now' }).click();
  await expect(install).toHaveCount(0);

  await page.reload();
  await expect(page.getByRole('link', { name: 'Installateur' })).toBeVisible();
  await offerInstall(page);
  await expect(page.getByRole('button', { name: 'Not now' })).toHaveCount(0);
  await expect(install).toHaveCount(0);
});

test('the settings show the storage used, and every page warns when it is nearly full', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto('/');
  await page.locator('.settings summary').click();
  await expect(page.getByRole('heading', { name: 'Storage on this device' })).toBeVisible();
  await expect(page.getByTestId('storage-used')).toHaveText(/^\d+(\.\d)? [kMGT]B used of \d+(\.\d)? [kMGT]B$/);
  await expect(page.getByRole('alert')).toHaveCount(0);

  // The browser reports 90% of the quota used.
  const full = await browser.newContext({ locale: 'nl-NL' });
  await full.addInitScript(() => {
    navigator.storage.estimate = async () => ({ usage: 90_000_000, quota: 100_000_000 });
  });
  const nearlyFull = await full.newPage();
  await nearlyFull.goto('/');
  await expect(nearlyFull.getByRole('alert')).toContainText('De opslag op dit apparaat is bijna vol: Tandem gebruikt 90%');
  await nearlyFull.locator('.settings summary').click();
  await expect(nearlyFull.getByTestId('storage-used')).toHaveText('90 MB van 100 MB in gebruik');
  await nearlyFull.screenshot({ path: `${SCREENS}/pwa-storage-nearly-full-nl.png` });
  await full.close();
  await context.close();
});
