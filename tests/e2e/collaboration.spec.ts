// Two people, two browsers (separate contexts: separate IndexedDB, separate connections),
// one vacancy shared by its link.
import { test, expect } from '@playwright/test';
import { addCriterion, createVacancy, criterion, openScorecard, syncStatus, joinVacancy, sayWhoIAm } from './helpers';

test('two browsers type into the same description at once and keep both texts', async ({ browser }) => {
  const recruiter = await (await browser.newContext()).newPage();
  const manager = await (await browser.newContext()).newPage();

  const link = await createVacancy(recruiter, 'Senior data engineer');
  await addCriterion(recruiter, 'Stakeholder management');
  await criterion(recruiter, 0).description.fill('Explains trade-offs.');

  // The hiring manager joins by opening the link.
  await joinVacancy(manager, link, 'Marloes', 'hiring manager');
  await expect(manager.getByLabel('Vacancy title')).toHaveValue('Senior data engineer');
  await expect(manager).toHaveTitle('Senior data engineer · Tandem');
  await openScorecard(manager);
  const mine = criterion(manager, 0).description;
  await expect(mine).toHaveValue('Explains trade-offs.');

  // Presence: each sees the other.
  await expect(recruiter.locator('.presence')).not.toContainText('Only you');
  await expect(manager.locator('.presence')).not.toContainText('Only you');

  // Both type at the same time: the recruiter at the end, the manager at the start.
  const theirs = criterion(recruiter, 0).description;
  await theirs.click();
  await theirs.press('End');
  await mine.click();
  await mine.press('Control+Home');
  await Promise.all([
    theirs.pressSequentially(' To non-engineers too.', { delay: 25 }),
    mine.pressSequentially('Clearly. ', { delay: 25 }),
  ]);

  const expected = 'Clearly. Explains trade-offs. To non-engineers too.';
  await expect(theirs).toHaveValue(expected);
  await expect(mine).toHaveValue(expected);
  await expect(syncStatus(recruiter)).toContainText('Up to date');
  await expect(syncStatus(manager)).toContainText('Up to date');
});

test('scorecard edits travel: name, category, weight, must-have, order and removal', async ({ browser }) => {
  const a = await (await browser.newContext()).newPage();
  const b = await (await browser.newContext()).newPage();
  const link = await createVacancy(a, 'Product owner');
  await addCriterion(a, 'Backlog management');
  await addCriterion(a, 'Curiosity');

  // B joins by pasting the link on the home page.
  await b.goto('/');
  await b.getByLabel('Vacancy link').fill(link);
  await b.getByRole('button', { name: 'Open vacancy' }).click();
  await sayWhoIAm(b, 'Marloes', 'hiring manager');
  await openScorecard(b);
  await expect(criterion(b, 1).name).toHaveValue('Curiosity');

  const row = criterion(b, 1).row;
  await row.getByLabel('Category').selectOption('trait');
  // The weight is a choice on the scale that says what each step means.
  await expect(row.getByLabel('Weight').locator('option')).toHaveText(['1 · nice to know', '2 · useful', '3 · important', '4 · very important', '5 · decisive']);
  await row.getByLabel('Weight').selectOption('4');
  await row.getByLabel('Must-have (knock-out)').check();
  await b.getByRole('button', { name: 'Move up (Curiosity)' }).click();

  await expect(criterion(a, 0).name).toHaveValue('Curiosity');
  const moved = criterion(a, 0).row;
  await expect(moved.getByLabel('Category')).toHaveValue('trait');
  await expect(moved.getByLabel('Weight')).toHaveValue('4');
  await expect(moved.getByLabel('Must-have (knock-out)')).toBeChecked();

  await a.getByRole('button', { name: 'Remove (Curiosity)' }).click();
  await expect(b.locator('.criterion')).toHaveCount(1);
  // A slip of the finger: undo puts it back as it was, for both.
  await expect(a.getByRole('status').filter({ hasText: 'Removed “Curiosity”.' })).toBeVisible();
  await a.getByRole('button', { name: 'Undo' }).click();
  await expect(b.locator('.criterion')).toHaveCount(2);
  await expect(criterion(b, 0).name).toHaveValue('Curiosity');
  await expect(criterion(b, 0).row.getByLabel('Must-have (knock-out)')).toBeChecked();
  await expect(criterion(b, 0).row.getByLabel('Weight')).toHaveValue('4');

  await a.getByRole('button', { name: 'Remove (Backlog management)' }).click();
  await expect(b.locator('.criterion')).toHaveCount(1);

  // Both devices list the vacancy under its title.
  await b.goto('/');
  await expect(b.getByRole('link', { name: 'Product owner' })).toBeVisible();
});
