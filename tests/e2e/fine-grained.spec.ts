// Fine-grained updates: a keystroke in one criterion's description wakes that field alone, on
// the typist's screen and on the partner's, and a partner's change to one criterion touches
// that criterion's row alone. Proven two ways: a MutationObserver on the rest of the page sees
// no change, and each co-edited field's `data-reads` (how often it re-read the document) stays
// where it was, while the field that was typed in counts up.
import { test, expect, Page } from '@playwright/test';
import { addCriterion, createVacancy, criterion, joinVacancy, openScorecard } from './helpers';

/** Starts counting DOM mutations under each element `selector` matches, one counter each. */
async function watchMutations(page: Page, selector: string): Promise<void> {
  await page.evaluate((sel) => {
    const w = window as unknown as { __mutations: number[] };
    w.__mutations = [];
    document.querySelectorAll(sel).forEach((el, i) => {
      w.__mutations[i] = 0;
      new MutationObserver((records) => { w.__mutations[i] += records.length; })
        .observe(el, { subtree: true, childList: true, attributes: true, characterData: true });
    });
  }, selector);
}

async function mutations(page: Page): Promise<number[]> {
  return page.evaluate(() => (window as unknown as { __mutations: number[] }).__mutations);
}

/** Each co-edited field's read count, by element id. */
async function reads(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() => {
    const out: Record<string, number> = {};
    document.querySelectorAll('.live-text [data-reads]').forEach((el) => {
      out[el.id] = Number(el.getAttribute('data-reads'));
    });
    return out;
  });
}

test('a keystroke in one criterion wakes that field alone, here and at the partner', async ({ browser }) => {
  test.setTimeout(90_000);
  const recruiter = await (await browser.newContext()).newPage();
  const manager = await (await browser.newContext()).newPage();
  const link = await createVacancy(recruiter, 'Data engineer', 'Reza', 'recruiter');
  for (const name of ['SQL', 'Python', 'Curiosity']) {
    await addCriterion(recruiter, name);
  }
  await joinVacancy(manager, link, 'Marloes', 'hiring manager');
  await openScorecard(manager);
  await expect(criterion(manager, 2).name).toHaveValue('Curiosity');

  const typed = 'Writes window functions';
  const descriptionId = await criterion(recruiter, 0).description.getAttribute('id');
  const before = { recruiter: await reads(recruiter), manager: await reads(manager) };
  // Every criterion's name and description at least, each read once when shown.
  for (const counts of [before.recruiter, before.manager]) {
    expect(Object.keys(counts).length).toBeGreaterThanOrEqual(6);
    expect(counts[descriptionId!]).toBeGreaterThan(0);
  }
  // Everything of the scorecard but the description typed in: the other rows whole, and the
  // first row's head (name, buttons) and its category, weight and must-have.
  const others = '.criterion:nth-child(n+2), .criterion:first-child .criterion-head, .criterion:first-child .criterion-meta, .criterion:first-child .criterion-more';
  await watchMutations(recruiter, others);
  await watchMutations(manager, others);

  await criterion(recruiter, 0).description.pressSequentially(typed);
  await expect(criterion(manager, 0).description).toHaveValue(typed);

  for (const page of [recruiter, manager]) {
    const counts = await mutations(page);
    expect(counts.length).toBe(5);
    expect(counts, 'nothing else in the scorecard changed').toEqual([0, 0, 0, 0, 0]);
  }
  for (const [who, page] of [['recruiter', recruiter], ['manager', manager]] as const) {
    const after = await reads(page);
    for (const [id, n] of Object.entries(before[who])) {
      if (id === descriptionId) {
        expect(after[id], `${who}: the description followed the typing`).toBeGreaterThan(n);
      } else {
        expect(after[id], `${who}: ${id} was not woken`).toBe(n);
      }
    }
  }
  // The partner's screen was told about each keystroke that reached it, no more: one read per
  // merged change at most (changes that arrive together are merged at once).
  const managerReads = (await reads(manager))[descriptionId!] - before.manager[descriptionId!];
  expect(managerReads).toBeLessThanOrEqual(typed.length);

  // A partner's weight on the second criterion touches that row alone.
  await watchMutations(recruiter, '.criterion');
  const readsBefore = await reads(recruiter);
  await criterion(manager, 1).row.getByLabel('Weight').selectOption('5');
  await expect(criterion(recruiter, 1).row.getByLabel('Weight')).toHaveValue('5');
  const counts = await mutations(recruiter);
  expect(counts[0], 'first row untouched').toBe(0);
  expect(counts[1], 'second row updated').toBeGreaterThan(0);
  expect(counts[2], 'third row untouched').toBe(0);
  expect(await reads(recruiter), 'no text field re-read').toEqual(readsBefore);
});

test('typing in one intake field leaves the other fields and lists alone', async ({ browser }) => {
  test.setTimeout(60_000);
  const recruiter = await (await browser.newContext()).newPage();
  await createVacancy(recruiter, 'Data engineer', 'Reza', 'recruiter');
  // A vacancy opens on its intake while it is a draft.
  await recruiter.locator('#new-must_haves').fill('SQL');
  await recruiter.locator('#new-must_haves').press('Enter');
  await expect(recruiter.locator('.items .item')).toHaveCount(1);

  const profile = recruiter.locator('#intake-profile');
  const before = await reads(recruiter);
  // The role's six fields, the five free texts and the must-have, each read once when shown.
  expect(Object.keys(before).length).toBeGreaterThanOrEqual(12);
  expect(before['intake-profile']).toBeGreaterThan(0);
  // The role's fields, and the must-haves, nice-to-haves and stages.
  await watchMutations(recruiter, '.role-fields, .items');
  await profile.pressSequentially('Hands-on, curious');
  await expect(profile).toHaveValue('Hands-on, curious');
  expect(await mutations(recruiter)).toEqual([0, 0, 0, 0]);
  const after = await reads(recruiter);
  for (const [id, n] of Object.entries(before)) {
    if (id === 'intake-profile') {
      expect(after[id]).toBeGreaterThan(n);
    } else {
      expect(after[id], `${id} was not woken`).toBe(n);
    }
  }
});
