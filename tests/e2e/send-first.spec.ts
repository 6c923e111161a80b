// A keystroke is sent before the device's write of it lands (issue 11): what that means when the
// tab dies in between, and when the write fails.
import { test, expect, type Page } from '@playwright/test';
import { addCriterion, createVacancy, criterion, joinVacancy, openScorecard } from './helpers';

/**
 * Holds the device's storage: a read-write transaction on the chunks and the outbox that never
 * ends (it keeps reading), so every write of the app waits behind it until the page closes.
 */
async function holdStorage(page: Page) {
  await page.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('tandem');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction(['chunks', 'outbox'], 'readwrite');
          const chunks = tx.objectStore('chunks');
          const keepBusy = () => {
            chunks.get('').onsuccess = keepBusy;
          };
          keepBusy();
          resolve();
        };
      }),
  );
}

test('what reached the partner before the tab closed, unwritten, is there when it opens again', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const link = await createVacancy(page, 'Teamleider');
  await addCriterion(page, 'Stressbestendig');
  const partner = await (await browser.newContext()).newPage();
  await joinVacancy(partner, link, 'Marloes', 'hiring manager');
  await openScorecard(partner);
  await expect(criterion(partner, 0).name).toHaveValue('Stressbestendig');

  await holdStorage(page);
  const field = criterion(page, 0).description;
  await field.click();
  await field.pressSequentially('Blijft kalm');
  // Sent although nothing of it could be written here.
  await expect(criterion(partner, 0).description).toHaveValue('Blijft kalm');
  const at = page.url();
  await page.close();

  // The device stored none of it, and still knows it only up to before the typing: the relay
  // gives the change back like a partner's.
  const again = await context.newPage();
  await again.goto(at);
  await expect(criterion(again, 0).description).toHaveValue('Blijft kalm');
  // Nothing waits to be sent again, and the relay holds it once: the partner sees it once.
  await expect(again.getByRole('status', { name: 'Sync status' })).toContainText('Up to date');
  await expect(criterion(partner, 0).description).toHaveValue('Blijft kalm');
});

test('a change that cannot be written here still goes out, and the user is told', async ({ browser }) => {
  const page = await (await browser.newContext()).newPage();
  const link = await createVacancy(page, 'Monteur');
  await addCriterion(page, 'Rijbewijs');
  const partner = await (await browser.newContext()).newPage();
  await joinVacancy(partner, link, 'Marloes', 'hiring manager');
  await openScorecard(partner);
  await expect(criterion(partner, 0).name).toHaveValue('Rijbewijs');

  // The disk is full from now on: every write of a chunk fails as Chromium's does.
  await page.evaluate(() => {
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<typeof put>) {
      if (this.name === 'chunks') {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      }
      return put.apply(this, args);
    };
  });
  const field = criterion(page, 0).description;
  await field.click();
  await field.pressSequentially('BE');
  await expect(criterion(partner, 0).description).toHaveValue('BE');
  await expect(page.getByRole('alert')).toContainText("This device's storage is full");
});
