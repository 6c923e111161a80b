// What the device keeps: every keystroke is stored, and the stored chunks are compacted.
import { test, expect, type Page } from '@playwright/test';
import { addCriterion, createVacancy, criterion, openScorecard, syncStatus, joinVacancy } from './helpers';

/** How many chunks IndexedDB holds for the vacancy open in `page`. */
async function storedChunks(page: Page, doc: string): Promise<number> {
  return page.evaluate(
    (doc) =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('tandem');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const range = IDBKeyRange.bound(`${doc}:`, `${doc};`, false, true);
          const req = open.result.transaction('chunks').objectStore('chunks').count(range);
          req.onsuccess = () => resolve(req.result);
          req.onerror = () => reject(req.error);
        };
      }),
    doc,
  );
}

test('a hundred keystrokes are compacted and all survive a reload', async ({ page }) => {
  const link = await createVacancy(page, 'Compaction');
  const doc = link.split('/v/')[1].split('#')[0];
  await addCriterion(page, 'Typing');
  const text = 'The quick brown fox jumps over the lazy dog. '.repeat(3).slice(0, 100);
  const field = criterion(page, 0).description;
  await field.click();
  await field.pressSequentially(text);
  await expect(syncStatus(page)).toContainText('Up to date');

  // 100+ changes were written one by one; compaction keeps far fewer chunks than that.
  await expect.poll(() => storedChunks(page, doc)).toBeLessThan(64);
  await page.reload();
  await expect(criterion(page, 0).description).toHaveValue(text);
});

test('a partner who joins late gets the relay snapshot plus what came after', async ({ browser }) => {
  const a = await (await browser.newContext()).newPage();
  const link = await createVacancy(a, 'Snapshot');
  await addCriterion(a, 'Endurance');
  // Past 256 appends the typing device hands the relay a snapshot and the relay drops the
  // entries it covers, so the late joiner's text can only be right if the snapshot is.
  const text = 'Ik typ en typ en typ. '.repeat(13).slice(0, 280);
  const field = criterion(a, 0).description;
  await field.click();
  await field.pressSequentially(text);
  await expect(syncStatus(a)).toContainText('Up to date');

  const b = await (await browser.newContext()).newPage();
  await joinVacancy(b, link, 'Marloes', 'hiring manager');
  await openScorecard(b);
  await expect(criterion(b, 0).description).toHaveValue(text);
  await expect(b.getByRole('alert')).toHaveCount(0);
});
