// The comparison that decides: two candidates, each interviewed by the recruiter (laptop, English)
// and the hiring manager (phone, Dutch), rated differently; the comparison ranks them as their
// ratings say, flags the must-have one of them fails and where the two disagree, hides a
// candidate's ratings from an interviewer who has not submitted yet, and shows how the
// partnership is doing, under the comparison and in the check-in.
import { test, expect } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import {
  createVacancy,
  joinVacancy,
  openSection,
  addCriterion,
  criterion,
  dutchPhone,
  laptop,
  expectTouchFriendly,
  addCandidateWithInterview,
  submitFeedback,
  addCandidate,
  addStage,
} from './helpers';

// Monday 30 November 2026, 14:00 in Amsterdam; both interviews were this morning, 10:00–11:00.
const START = new Date('2026-11-30T14:00:00+01:00');
const INTERVIEW = '2026-11-30T10:00';

test('the comparison ranks two candidates as their ratings say', async ({ browser }) => {
  test.setTimeout(180_000);
  mkdirSync('test-results/screens', { recursive: true });
  const recruiter = await (await browser.newContext({ ...laptop, timezoneId: 'Europe/Amsterdam' })).newPage();
  const manager = await (await browser.newContext({ ...dutchPhone, timezoneId: 'Europe/Amsterdam' })).newPage();
  await recruiter.clock.install({ time: START });
  await manager.clock.install({ time: START });

  const link = await createVacancy(recruiter, 'Data engineer', 'Reza', 'recruiter');
  const doc = new URL(link).pathname.split('/')[2];
  await joinVacancy(manager, link, 'Marloes', 'hiring manager');

  // The scorecard: stakeholder management (weight 3), SQL (weight 4, a must-have) and
  // communication (weight 1).
  const ids: string[] = [];
  for (const [i, [name, weight]] of ([['Stakeholder management', '3'], ['SQL', '4'], ['Communication', '1']] as const).entries()) {
    await addCriterion(recruiter, name);
    const row = criterion(recruiter, i).row;
    await row.getByLabel('Weight').selectOption(weight);
    ids.push((await row.getAttribute('data-criterion')) ?? '');
  }
  await criterion(recruiter, 1).row.getByLabel('Must-have (knock-out)').check();
  const [sm, sql, comms] = ids;

  // One stage, assessing all three.
  await openSection(recruiter, 'Intake');
  await recruiter.getByLabel('New stage').fill('First interview');
  await recruiter.locator('.add-row').filter({ hasText: 'New stage' }).getByRole('button', { name: 'Add' }).click();
  const stage = recruiter.locator('.stage').first();
  for (const name of ['Stakeholder management', 'SQL', 'Communication']) {
    await stage.getByRole('checkbox', { name }).check();
  }

  // Before there is anyone to compare, the comparison says so.
  await recruiter.goto(`/v/${doc}/compare`);
  await expect(recruiter.locator('.comparison .empty')).toContainText('No candidates to compare yet.');
  await expect(recruiter.locator('.partnership .empty')).toBeVisible();

  const anna = await addCandidateWithInterview(recruiter, 'Anna de Vries', INTERVIEW, ['Reza', 'Marloes']);
  const bram = await addCandidateWithInterview(recruiter, 'Bram Jansen', INTERVIEW, ['Reza', 'Marloes']);

  // Reza's feedback on both.
  await recruiter.goto(anna);
  await submitFeedback(recruiter, { [sm]: 1, [sql]: 3, [comms]: 3 }, 'yes');
  await recruiter.goto(bram);
  await submitFeedback(recruiter, { [sm]: 3, [sql]: 2, [comms]: 4 }, 'yes');

  // Marloes gives hers on Anna; Bram's ratings stay hidden from her until she gives hers on him.
  await manager.goto(anna);
  await submitFeedback(manager, { [sm]: 4, [sql]: 4, [comms]: 3 }, 'strong_yes');
  await manager.goto(`/v/${doc}/compare`);
  const bramNl = manager.locator('tr.cand-row').filter({ hasText: 'Bram Jansen' });
  await expect(bramNl.locator('.hidden-note')).toHaveText(
    '1 van 2 hebben feedback gegeven — je ziet hun scores nadat je je eigen feedback hebt verstuurd.',
  );
  await expect(bramNl.locator('td.cell')).toHaveCount(0);
  await manager.goto(bram);
  await submitFeedback(manager, { [sm]: 3, [sql]: 2, [comms]: 3 }, 'no');

  // The laptop: Anna first, (3 × 2.5 + 4 × 3.5 + 1 × 3) / 8 = 3.06 on 1–4 = 69 %; Bram second,
  // (3 × 3 + 4 × 2 + 1 × 3.5) / 8 = 2.56 = 52 %, and out on SQL (2.0, below 2.5).
  await recruiter.goto(`/v/${doc}/compare`);
  const rows = recruiter.locator('tr.cand-row');
  await expect(rows).toHaveCount(2);
  const [annaRow, bramRow] = [rows.nth(0), rows.nth(1)];
  await expect(annaRow.locator('th.cand a')).toHaveText('Anna de Vries');
  await expect(bramRow.locator('th.cand a')).toHaveText('Bram Jansen');
  await expect(annaRow.locator('th.cand a')).toHaveAttribute('href', /\/candidates\/[^/]+$/);
  await expect(annaRow.locator('.rank')).toHaveText('#1');
  await expect(bramRow.locator('.rank')).toHaveText('#2');
  await expect(annaRow.locator('.share-value')).toHaveText('69 %');
  await expect(bramRow.locator('.share-value')).toHaveText('52 %');
  const cell = (row: typeof annaRow, id: string) => row.locator(`td.cell[data-criterion="${id}"]`);
  await expect(cell(annaRow, sm).locator('.mean')).toHaveText('2.5');
  await expect(cell(annaRow, sm).locator('.count')).toHaveText('2 ratings');
  await expect(cell(annaRow, sql).locator('.mean')).toHaveText('3.5');
  await expect(cell(annaRow, comms).locator('.mean')).toHaveText('3.0');
  await expect(cell(bramRow, sql).locator('.mean')).toHaveText('2.0');
  await expect(cell(bramRow, comms).locator('.mean')).toHaveText('3.5');
  // The knock-out, plainly, on the cell and by the name; only Bram's.
  await expect(cell(bramRow, sql)).toHaveClass(/knock-out/);
  await expect(bramRow.locator('.ko-note')).toHaveText('✕ fails must-have: SQL');
  await expect(annaRow.locator('.ko-note')).toHaveCount(0);
  // The recommendations.
  const tally = (row: typeof annaRow, r: string) => row.locator(`.tally-list li[data-recommendation="${r}"] strong`);
  await expect(tally(annaRow, 'yes')).toHaveText('1');
  await expect(tally(annaRow, 'strong_yes')).toHaveText('1');
  await expect(tally(bramRow, 'yes')).toHaveText('1');
  await expect(tally(bramRow, 'no')).toHaveText('1');
  await expect(tally(bramRow, 'strong_yes')).toHaveText('0');
  // Where they disagree: Anna's stakeholder management, 1 and 4; nowhere else.
  await expect(cell(annaRow, sm)).toHaveClass(/disagree/);
  await expect(recruiter.locator('td.cell.disagree')).toHaveCount(1);
  await expect(recruiter.locator('.disagreements li')).toHaveText([
    'Anna de Vries on Stakeholder management: ratings from 1 to 4 — talk about it.',
  ]);

  // How the partnership is doing: both gave their feedback some three working hours after the
  // interview ended (rounded up to the hour: 3, or 4 on a slow machine), within the agreed 24.
  const pace = recruiter.locator('.partnership');
  await expect(pace.locator('.pace-person')).toHaveText([
    /^Reza: feedback usually within [34] working hours; 2 of 2 within the agreed 24 working hours\.$/,
    /^Marloes: feedback usually within [34] working hours; 2 of 2 within the agreed 24 working hours\.$/,
  ]);
  await expect(pace.locator('.pace-stage')).toHaveText(['First interview: nobody has moved on from it yet; in it now: 2']);

  // The Dutch phone: the same order and numbers, in Dutch, as cards on the phone.
  await manager.goto(`/v/${doc}/compare`);
  const rowsNl = manager.locator('tr.cand-row');
  await expect(rowsNl.nth(0).locator('th.cand a')).toHaveText('Anna de Vries');
  await expect(rowsNl.nth(0).locator('.share-value')).toHaveText('69 %');
  await expect(cell(rowsNl.nth(0), sm).locator('.mean')).toHaveText('2,5');
  await expect(cell(rowsNl.nth(0), sm).locator('.count')).toHaveText('2 scores');
  await expect(rowsNl.nth(1).locator('.ko-note')).toHaveText('✕ valt af op must-have: SQL');
  await expect(manager.locator('.disagreements li')).toHaveText([
    'Anna de Vries op Stakeholder management: scores van 1 tot 4 — bespreek het samen.',
  ]);
  await expect(manager.locator('.partnership .pace-person').first()).toHaveText(
    /^Reza: feedback meestal binnen [34] werkuren; 2 van de 2 binnen de afgesproken 24 werkuren\.$/,
  );

  await manager.evaluate(() => window.scrollTo(0, 0));
  await manager.screenshot({ path: 'test-results/screens/comparison-phone-nl.png', fullPage: true });
  await recruiter.evaluate(() => window.scrollTo(0, 0));
  await recruiter.screenshot({ path: 'test-results/screens/comparison-laptop-en.png', fullPage: true });
  await expectTouchFriendly(manager);
  // The laptop shows a real table.
  await expect(recruiter.locator('table.matrix thead th.crit-head')).toHaveCount(3);
  expect(await recruiter.locator('tr.cand-row').first().evaluate((e) => getComputedStyle(e).display)).toBe('table-row');

  // A 360-pixel phone: no sideways scrolling either.
  await manager.setViewportSize({ width: 360, height: 780 });
  await expectTouchFriendly(manager);
  await manager.screenshot({ path: 'test-results/screens/comparison-phone-360-nl.png', fullPage: true });

  // The same partnership numbers in the weekly check-in.
  await openSection(recruiter, 'Check-in');
  await expect(recruiter.locator('.partnership .pace-person').nth(1)).toHaveText(
    /^Marloes: feedback usually within [34] working hours; 2 of 2 within the agreed 24 working hours\.$/,
  );
});

test('before any feedback the comparison says what to do, and how the partnership is doing starts empty', async ({ browser }) => {
  test.setTimeout(120_000);
  const recruiter = await (await browser.newContext(laptop)).newPage();
  const manager = await (await browser.newContext(dutchPhone)).newPage();
  const link = await createVacancy(recruiter, 'Data engineer', 'Reza', 'recruiter');
  await joinVacancy(manager, link, 'Marloes', 'hiring manager');

  // From the Candidates section: nothing to compare on yet, and where to go.
  await addStage(recruiter, 'First interview');
  await openSection(recruiter, 'Candidates');
  await recruiter.getByRole('link', { name: 'Compare candidates' }).click();
  await expect(recruiter.getByRole('heading', { name: 'Compare candidates' })).toBeVisible();
  await expect(recruiter.locator('nav.sections a[href$="/candidates"]')).toHaveAttribute('aria-current', 'page');
  await expect(recruiter.locator('.comparison .empty')).toContainText('No criteria on the scorecard yet');
  await expect(recruiter.locator('.comparison .empty a')).toHaveAttribute('href', /\/scorecard$/);
  await expect(recruiter.locator('.partnership .empty')).toContainText('Nothing to show yet.');

  // A criterion, then a candidate: no feedback yet, and what to do about it.
  await addCriterion(recruiter, 'SQL');
  await addCandidate(recruiter, 'Anna de Vries');
  await openSection(recruiter, 'Candidates');
  await recruiter.getByRole('link', { name: 'Compare candidates' }).click();
  await expect(recruiter.locator('.comparison .empty')).toHaveText(
    "No feedback yet. Plan interviews on a candidate's page; once the interviewers submit their feedback, the comparison fills in here. Go to the candidates →",
  );
  await expect(recruiter.locator('table.matrix')).toHaveCount(0);
  // Anna waits in the first stage: the stage is counted, with no stay to measure yet.
  await expect(recruiter.locator('.partnership .pace-stage')).toHaveText(['First interview: nobody has moved on from it yet; in it now: 1']);

  // The Dutch phone, with no sideways scrolling and every target big enough.
  const nav = manager.getByRole('navigation', { name: 'Onderdelen van deze vacature' });
  await nav.getByRole('link', { name: 'Kandidaten', exact: true }).click();
  await manager.getByRole('link', { name: 'Kandidaten vergelijken' }).click();
  await expect(manager.locator('.comparison .empty')).toContainText('Nog geen feedback. Plan gesprekken op de pagina van een kandidaat');
  await expect(manager.locator('.partnership .pace-stage')).toHaveText(['First interview: nog niemand is doorgegaan; er nu in: 1']);
  await expectTouchFriendly(manager);
  await manager.setViewportSize({ width: 360, height: 780 });
  await expectTouchFriendly(manager);

  // The same section in the weekly check-in.
  await openSection(recruiter, 'Check-in');
  await expect(recruiter.getByRole('heading', { name: 'How the partnership is doing' })).toBeVisible();
  await expect(recruiter.locator('.partnership .pace-stage')).toHaveText(['First interview: nobody has moved on from it yet; in it now: 1']);
});
