// The user owns the data: a vacancy exported as JSON and imported elsewhere, a printable report,
// an encrypted whole-device backup restored in a fresh browser, and removal from this device.
import { test, expect, type Page } from '@playwright/test';
import { mkdirSync, readFileSync } from 'node:fs';
import {
  addCandidate, addCriterion, addStage, createVacancy, criterion, dutchPhone, joinVacancy, laptop, openSection, sayWhoIAm,
} from './helpers';

const shots = process.env.DATA_SHOTS_DIR ?? 'test-results/data-shots';
mkdirSync(shots, { recursive: true });

/** Opens the open vacancy's data page by the link at the bottom of the vacancy page. */
async function openDataPage(page: Page) {
  await page.getByRole('link', { name: 'Export, back up or remove this vacancy' }).click();
  await expect(page.getByRole('heading', { name: 'Your data', level: 2 })).toBeVisible();
}

test('a vacancy exported as JSON is imported in another browser as the same vacancy', async ({ browser }) => {
  const a = await (await browser.newContext()).newPage();
  await createVacancy(a, 'Data engineer');
  await addCriterion(a, 'SQL');
  await addStage(a, 'First talk');
  await addCandidate(a, 'Grace Hopper');
  await openDataPage(a);
  await expect(a.getByText('It contains personal data of candidates and colleagues', { exact: false })).toBeVisible();
  const [download] = await Promise.all([
    a.waitForEvent('download'),
    a.getByRole('button', { name: 'Download JSON' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('Data engineer.json');
  const file = await download.path();
  // The printable report: intake, scorecard, candidates with stage; "Print report" prints.
  await a.getByRole('link', { name: 'Open the report' }).click();
  const report = a.locator('.vacancy-report');
  await expect(report.getByRole('heading', { name: 'Data engineer', level: 2 })).toBeVisible();
  await expect(report).toContainText('SQL');
  await expect(report.locator('.report-candidate')).toContainText('Grace Hopper');
  await expect(report.locator('.report-candidate')).toContainText('Stage: First talk');
  await a.evaluate(() => {
    (window as unknown as { printed: number }).printed = 0;
    window.print = () => { (window as unknown as { printed: number }).printed += 1; };
  });
  await a.getByRole('button', { name: 'Print report' }).click();
  expect(await a.evaluate(() => (window as unknown as { printed: number }).printed)).toBe(1);
  // On paper only the report is left: no top bar, no buttons, no share box.
  await a.emulateMedia({ media: 'print' });
  await expect(a.locator('.topbar')).toBeHidden();
  await expect(a.getByRole('button', { name: 'Print report' })).toBeHidden();
  await expect(report.locator('.report-candidate')).toBeVisible();
  await a.screenshot({ path: `${shots}/report-print-en.png`, fullPage: true });
  await a.emulateMedia({ media: 'screen' });
  const exported = JSON.parse(readFileSync(file, 'utf8'));
  expect(exported.format).toBe('tandem-vacancy');
  expect(exported.version).toBe(1);
  expect(exported.vacancy.vacancy.title).toBe('Data engineer');

  // A fresh browser: nothing of the vacancy on it, and no link to it either.
  const b = await (await browser.newContext()).newPage();
  await b.goto('/');
  await expect(b.getByText('No vacancies on this device yet.')).toBeVisible();
  // Something that is no export is refused, and nothing is added.
  await b.getByLabel('Import a vacancy').setInputFiles({
    name: 'contacts.json',
    mimeType: 'application/json',
    buffer: Buffer.from('{"contacts": []}'),
  });
  await expect(b.getByRole('alert')).toContainText('not a vacancy exported from Tandem');
  await expect(b.getByText('No vacancies on this device yet.')).toBeVisible();

  await b.getByLabel('Import a vacancy').setInputFiles(file);
  // The importer made this copy: nobody invited them to it.
  await expect(b.locator('#welcome-heading')).toHaveText('New vacancy: “Data engineer”');
  await sayWhoIAm(b, 'Ingrid Importer', 'recruiter');
  await expect(b.getByLabel('Vacancy title')).toHaveValue('Data engineer');
  // A new vacancy: its own address, not the original's.
  const original = a.url().split('/v/')[1].split('/')[0];
  expect(b.url()).not.toContain(original);
  await openSection(b, 'Scorecard');
  await expect(criterion(b, 0).name).toHaveValue('SQL');
  await openSection(b, 'Candidates');
  await expect(b.locator('.candidate-card')).toContainText('Grace Hopper');
  // It is on the list of the importing device.
  await b.goto('/');
  await expect(b.locator('.vacancy-list')).toContainText('Data engineer');
});

/** The document id in a share link or vacancy address. */
function docOf(url: string): string {
  return url.split('/v/')[1].split(/[/#]/)[0];
}

/** How many entries this browser's IndexedDB holds for a vacancy: its list entry, chunks, outbox. */
async function storedFor(page: Page, doc: string): Promise<number[]> {
  return page.evaluate(
    (doc) =>
      new Promise<number[]>((resolve, reject) => {
        const open = indexedDB.open('tandem');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction(['vacancies', 'chunks', 'outbox']);
          const range = IDBKeyRange.bound(`${doc}:`, `${doc};`, false, true);
          const counts = [
            tx.objectStore('vacancies').count(doc),
            tx.objectStore('chunks').count(range),
            tx.objectStore('outbox').count(range),
          ];
          tx.oncomplete = () => resolve(counts.map((r) => r.result));
          tx.onerror = () => reject(tx.error);
        };
      }),
    doc,
  );
}

test('a device backup restored in a fresh browser gives every vacancy, which still syncs', async ({ browser }) => {
  test.setTimeout(120_000);
  const a = await (await browser.newContext()).newPage();
  const alpha = await createVacancy(a, 'Alpha role');
  await createVacancy(a, 'Beta role');
  await a.goto('/');
  await expect(a.locator('.vacancy-list li')).toHaveCount(2);

  // The passphrase is asked twice, with a minimum length.
  await a.getByLabel('Passphrase', { exact: true }).fill('short');
  await a.getByLabel('Passphrase again').fill('short');
  await a.getByRole('button', { name: 'Download backup' }).click();
  await expect(a.getByRole('alert')).toContainText('too short');
  await a.getByLabel('Passphrase', { exact: true }).fill('four random words here');
  await a.getByLabel('Passphrase again').fill('four random words there');
  await a.getByRole('button', { name: 'Download backup' }).click();
  await expect(a.getByRole('alert')).toContainText('not the same');
  await a.getByLabel('Passphrase again').fill('four random words here');
  const started = Date.now();
  const [download] = await Promise.all([
    a.waitForEvent('download'),
    a.getByRole('button', { name: 'Download backup' }).click(),
  ]);
  console.log(`backup made (key derivation included) in ${Date.now() - started} ms`);
  expect(download.suggestedFilename()).toMatch(/^tandem-backup-\d{4}-\d{2}-\d{2}\.tandem$/);
  const file = await download.path();
  // Sealed: neither a title nor a link's secret is readable in the file.
  const bytes = readFileSync(file);
  expect(bytes.includes('Alpha role')).toBe(false);
  expect(bytes.includes(alpha.split('#')[1])).toBe(false);

  const b = await (await browser.newContext()).newPage();
  await b.goto('/');
  await b.getByLabel('Backup file').setInputFiles(file);
  await b.getByLabel('Passphrase of the backup').fill('four random words HERE');
  await b.getByRole('button', { name: 'Restore' }).click();
  await expect(b.getByRole('alert')).toContainText('The passphrase is wrong');
  await expect(b.getByText('No vacancies on this device yet.')).toBeVisible();

  await b.getByLabel('Passphrase of the backup').fill('four random words here');
  await b.getByRole('button', { name: 'Restore' }).click();
  await expect(b.getByRole('status').filter({ hasText: 'Backup restored' })).toContainText('2 vacancies added');
  await expect(b.locator('.vacancy-list li')).toHaveCount(2);
  await b.reload();
  await expect(b.locator('.vacancy-list li')).toHaveCount(2);
  await b.locator('.vacancy-list').getByRole('link', { name: /Beta role/ }).click();
  // The same person as on the old device: no welcome, straight to the vacancy.
  await expect(b.getByLabel('Vacancy title')).toHaveValue('Beta role');
  await b.goto('/');
  await b.locator('.vacancy-list').getByRole('link', { name: /Alpha role/ }).click();
  await expect(b.getByLabel('Vacancy title')).toHaveValue('Alpha role');

  // The restored copy is the same vacancy: an edit on the old device reaches it, and back.
  await a.goto(alpha);
  await a.getByLabel('Vacancy title').fill('Alpha role, senior');
  await expect(b.getByLabel('Vacancy title')).toHaveValue('Alpha role, senior');
  await b.getByLabel('Vacancy title').fill('Alpha role, senior (NL)');
  await expect(a.getByLabel('Vacancy title')).toHaveValue('Alpha role, senior (NL)');

  // Restoring the same backup again adds nothing twice: both are combined with what is here.
  await b.goto('/');
  await b.getByLabel('Backup file').setInputFiles(file);
  await b.getByLabel('Passphrase of the backup').fill('four random words here');
  await b.getByRole('button', { name: 'Restore' }).click();
  await expect(b.getByRole('status').filter({ hasText: 'Backup restored' })).toContainText('0 vacancies added, 2 combined');
  await expect(b.locator('.vacancy-list li')).toHaveCount(2);
  await expect(b.locator('.vacancy-list')).toContainText('Alpha role, senior (NL)');
});

test('a vacancy removed from this device is gone from it, and the partner keeps theirs', async ({ browser }) => {
  const a = await (await browser.newContext()).newPage();
  const link = await createVacancy(a, 'Gamma role');
  const doc = docOf(link);
  const b = await (await browser.newContext()).newPage();
  await joinVacancy(b, link, 'Hans Manager', 'hiring manager');
  await b.goto('/');
  await expect(b.locator('.vacancy-list')).toContainText('Gamma role');
  expect((await storedFor(b, doc))[0]).toBe(1);

  await b.locator('.vacancy-list').getByRole('link', { name: /Gamma role/ }).click();
  await openDataPage(b);
  await expect(b.getByText('Others with the link keep their copies')).toBeVisible();
  await b.getByRole('button', { name: 'Remove from this device' }).click();
  // Asked first; keeping it changes nothing.
  await b.getByRole('button', { name: 'Keep it' }).click();
  expect((await storedFor(b, doc))[0]).toBe(1);
  await b.getByRole('button', { name: 'Remove from this device' }).click();
  await b.getByRole('button', { name: 'Yes, remove it here' }).click();
  await expect(b).toHaveURL(/\/$/);
  await expect(b.getByText('No vacancies on this device yet.')).toBeVisible();
  expect(await storedFor(b, doc)).toEqual([0, 0, 0]);
  await b.reload();
  await expect(b.getByText('No vacancies on this device yet.')).toBeVisible();

  // The creator still has it, on the device and on the relay.
  await a.reload();
  await expect(a.getByLabel('Vacancy title')).toHaveValue('Gamma role');
  expect((await storedFor(a, doc))[0]).toBe(1);
});

/** Every control of this part's blocks is at least 44×44 px, and nothing sticks out sideways. */
async function expectDataBlocksTouchFriendly(page: Page) {
  const problems = await page.evaluate(() => {
    const bad: string[] = [];
    const scope = '.data-home, .vacancy-data, .vacancy-report, .data-link';
    for (const el of Array.from(document.querySelectorAll(`:is(${scope}) :is(a, button, input, select, textarea)`))) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (r.height < 44 || r.width < 44) bad.push(`${Math.round(r.width)}×${Math.round(r.height)} ${el.outerHTML.slice(0, 80)}`);
    }
    const doc = document.documentElement;
    if (doc.scrollWidth > doc.clientWidth) bad.push(`page is ${doc.scrollWidth}px wide in ${doc.clientWidth}px`);
    return bad;
  });
  expect(problems).toEqual([]);
}

for (const [name, options] of [['phone-nl', dutchPhone], ['laptop-en', laptop]] as const) {
  test(`the data screens fit a ${name}`, async ({ browser }) => {
    const page = await (await browser.newContext(options)).newPage();
    await page.goto('/');
    await page.locator('#new-title').fill('Screens');
    await page.locator('#new-title').press('Enter');
    await sayWhoIAm(page, 'Rita', 'recruiter');
    await page.goto('/');
    // index.html's static shell has a `.data-home` of its own until the app takes over.
    await expect(page.locator('#shell')).toHaveCount(0);
    await page.locator('.data-home').scrollIntoViewIfNeeded();
    await expectDataBlocksTouchFriendly(page);
    await page.screenshot({ path: `${shots}/home-${name}.png`, fullPage: true });
    await page.locator('.vacancy-list a').first().click();
    await page.locator('.data-link a').click();
    await expect(page.locator('.vacancy-data')).toBeVisible();
    await page.locator('.data-block button.secondary').click();
    await expect(page.locator('.confirm-remove')).toBeVisible();
    await expectDataBlocksTouchFriendly(page);
    await page.screenshot({ path: `${shots}/data-${name}.png`, fullPage: true });
    await page.locator('.vacancy-data a.button').click();
    await expect(page.locator('.vacancy-report')).toBeVisible();
    await expectDataBlocksTouchFriendly(page);
    await page.screenshot({ path: `${shots}/report-${name}.png`, fullPage: true });
  });
}
