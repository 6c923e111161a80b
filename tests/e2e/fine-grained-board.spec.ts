// Fine-grained updates on the candidates board: a partner's change to one candidate (their name,
// their stage, an interview with them) re-renders that candidate's card and the column counts,
// and a keystroke in the intake re-renders none of the board. Proven as in fine-grained.spec.ts:
// a MutationObserver on the other cards sees no change, and each card's `data-reads` (how often
// it re-read the document) stays where it was.
import { test, expect, Locator, Page } from '@playwright/test';
import { addCandidate, addStage, createVacancy, joinVacancy, openSection } from './helpers';

/** Starts counting DOM mutations under each named candidate's card, by name. */
async function watchCards(page: Page, names: string[]): Promise<void> {
  await page.evaluate((names) => {
    const w = window as unknown as { __cardMutations: Record<string, number>; __cardObservers?: MutationObserver[] };
    // A new count each time: the cards watched before are watched no more.
    w.__cardObservers?.forEach((o) => o.disconnect());
    w.__cardObservers = [];
    w.__cardMutations = {};
    for (const name of names) {
      const card = [...document.querySelectorAll('.candidate-card')].find(
        (el) => el.querySelector('.name')?.textContent === name,
      );
      if (!card) throw new Error(`no card for ${name}`);
      w.__cardMutations[name] = 0;
      const observer = new MutationObserver((records) => { w.__cardMutations[name] += records.length; });
      observer.observe(card, { subtree: true, childList: true, attributes: true, characterData: true });
      w.__cardObservers.push(observer);
    }
  }, names);
}

async function cardMutations(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() => (window as unknown as { __cardMutations: Record<string, number> }).__cardMutations);
}

/** Each card's read count, by the candidate's address. */
async function cardReads(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() => {
    const out: Record<string, number> = {};
    document.querySelectorAll('.candidate-card').forEach((el) => {
      out[el.getAttribute('href')!] = Number(el.getAttribute('data-reads'));
    });
    return out;
  });
}

/** Types `typed` at the end of a field once it shows `value`. */
async function appendTo(field: Locator, value: string, typed: string) {
  await expect(field).toHaveValue(value);
  await field.click();
  await field.press('End');
  await field.pressSequentially(typed);
  await expect(field).toHaveValue(value + typed);
}

function card(page: Page, name: string) {
  return page.locator('.candidate-card').filter({ has: page.locator('.name', { hasText: name }) });
}

function column(page: Page, index: number) {
  return page.locator('.pipeline-column').nth(index);
}

test('a change to one candidate re-renders that card and the counts, nothing else of the board', async ({ browser }) => {
  test.setTimeout(120_000);
  const recruiter = await (await browser.newContext()).newPage();
  const manager = await (await browser.newContext()).newPage();
  const link = await createVacancy(recruiter, 'Data engineer', 'Reza', 'recruiter');
  await addStage(recruiter, 'Phone screen');
  await addStage(recruiter, 'Case');
  for (const name of ['Ada', 'Bob', 'Cas']) {
    await addCandidate(recruiter, name);
  }
  await joinVacancy(manager, link, 'Marloes', 'hiring manager');
  await openSection(manager, 'Candidates');
  await expect(column(manager, 0).locator('.candidate-card')).toHaveCount(3);
  await expect(column(manager, 0).locator('.count')).toHaveText('3');
  const href = async (name: string) => (await card(manager, name).getAttribute('href'))!;
  const [ada, bob, cas] = [await href('Ada'), await href('Bob'), await href('Cas')];
  const before = await cardReads(manager);
  expect(Object.keys(before).sort()).toEqual([ada, bob, cas].sort());
  for (const n of Object.values(before)) expect(n).toBeGreaterThan(0);

  // The recruiter renames Bob on his page: his card follows, Ada's and Cas's stay as they were.
  await watchCards(manager, ['Ada', 'Cas']);
  await recruiter.goto(new URL(bob, recruiter.url()).href);
  await appendTo(recruiter.locator('#candidate-name'), 'Bob', ' Jr');
  await expect(card(manager, 'Bob Jr')).toHaveCount(1);
  expect(await cardMutations(manager), 'the other cards untouched').toEqual({ Ada: 0, Cas: 0 });
  let after = await cardReads(manager);
  expect(after[bob], 'Bob\'s card followed the typing').toBeGreaterThan(before[bob]);
  expect(after[ada], 'Ada\'s card was not woken').toBe(before[ada]);
  expect(after[cas], 'Cas\'s card was not woken').toBe(before[cas]);

  // The recruiter moves Cas to the next stage: the counts follow, Ada's and Bob's cards stay.
  await watchCards(manager, ['Ada', 'Bob Jr']);
  const readsBeforeMove = await cardReads(manager);
  await recruiter.goto(new URL(cas, recruiter.url()).href);
  await recruiter.getByLabel('Current stage').selectOption({ label: 'Case' });
  await expect(column(manager, 1).locator('.candidate-card')).toHaveCount(1);
  await expect(column(manager, 0).locator('.count')).toHaveText('2');
  await expect(column(manager, 1).locator('.count')).toHaveText('1');
  expect(await cardMutations(manager), 'the cards that stayed untouched').toEqual({ Ada: 0, 'Bob Jr': 0 });
  after = await cardReads(manager);
  expect(after[ada]).toBe(readsBeforeMove[ada]);
  expect(after[bob]).toBe(readsBeforeMove[bob]);

  // An interview with Ada, and its interviewer: her card shows the feedback owed, alone.
  await watchCards(manager, ['Bob Jr', 'Cas']);
  const readsBeforeInterview = await cardReads(manager);
  await recruiter.goto(new URL(ada, recruiter.url()).href);
  const plan = recruiter.locator('form').filter({ has: recruiter.getByRole('button', { name: 'Plan interview' }) });
  await plan.getByLabel('Date and time').fill('2030-01-07T10:00');
  await plan.getByRole('button', { name: 'Plan interview' }).click();
  await recruiter.locator('.interview-entry').getByRole('group', { name: 'Interviewers' })
    .getByRole('checkbox', { name: 'Marloes' }).check();
  await expect(card(manager, 'Ada')).toContainText('0 of 1');
  expect(await cardMutations(manager)).toEqual({ 'Bob Jr': 0, Cas: 0 });
  after = await cardReads(manager);
  expect(after[ada]).toBeGreaterThan(readsBeforeInterview[ada]);
  expect(after[bob]).toBe(readsBeforeInterview[bob]);
  expect(after[cas]).toBe(readsBeforeInterview[cas]);

  // Keystrokes in the intake wake nothing of the board. They reach the manager before the
  // rename of Ada typed after them (the relay keeps one order per vacancy), so once her card
  // shows the new name, the intake's keystrokes have been merged too.
  await manager.evaluate(() => {
    const w = window as unknown as { __heads: number };
    w.__heads = 0;
    document.querySelectorAll('.pipeline-column h3').forEach((h) =>
      new MutationObserver((records) => { w.__heads += records.length; })
        .observe(h, { subtree: true, childList: true, attributes: true, characterData: true }));
  });
  await watchCards(manager, ['Bob Jr', 'Cas']);
  const readsBeforeIntake = await cardReads(manager);
  await openSection(recruiter, 'Intake');
  const typed = 'Hands-on, curious';
  await recruiter.locator('#intake-profile').pressSequentially(typed);
  await recruiter.goto(new URL(ada, recruiter.url()).href);
  await appendTo(recruiter.locator('#candidate-name'), 'Ada', '!');
  await expect(card(manager, 'Ada!')).toHaveCount(1);
  expect(await cardMutations(manager)).toEqual({ 'Bob Jr': 0, Cas: 0 });
  expect(await manager.evaluate(() => (window as unknown as { __heads: number }).__heads), 'column heads untouched').toBe(0);
  after = await cardReads(manager);
  expect(after[bob]).toBe(readsBeforeIntake[bob]);
  expect(after[cas]).toBe(readsBeforeIntake[cas]);
  // One read for the rename; none for the intake's keystrokes.
  expect(after[ada]).toBe(readsBeforeIntake[ada] + 1);
});
