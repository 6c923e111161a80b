// Local-first: edits made without a connection are kept, shown as waiting, and merge on return.
import { test, expect } from '@playwright/test';
import { addCriterion, createVacancy, criterion, openScorecard, switchableNetwork, syncStatus, joinVacancy } from './helpers';

test('one side edits offline, comes back, and both converge', async ({ browser }) => {
  const aContext = await browser.newContext();
  const bContext = await browser.newContext();
  const network = await switchableNetwork(bContext);
  const a = await aContext.newPage();
  const b = await bContext.newPage();

  const link = await createVacancy(a, 'Accountmanager');
  await addCriterion(a, 'Negotiation');
  await joinVacancy(b, link, 'Marloes', 'hiring manager');
  await openScorecard(b);
  await expect(criterion(b, 0).name).toHaveValue('Negotiation');
  await expect(syncStatus(b)).toContainText('Up to date');

  await network.offline();
  await expect(syncStatus(b)).toContainText('Offline');

  // B works offline: a description and a new criterion. A edits meanwhile.
  await criterion(b, 0).description.fill('Closes deals above 50k.');
  await addCriterion(b, 'Dutch, fluent');
  await expect(syncStatus(b)).toContainText('changes not yet sent');
  await criterion(a, 0).name.fill('Negotiation skills');

  // Offline changes survive a reload on the offline device.
  await b.reload();
  await expect(criterion(b, 1).name).toHaveValue('Dutch, fluent');
  await expect(criterion(b, 0).description).toHaveValue('Closes deals above 50k.');

  await network.online([b]);
  await expect(syncStatus(b)).toContainText('Up to date');
  for (const page of [a, b]) {
    await expect(criterion(page, 0).name).toHaveValue('Negotiation skills');
    await expect(criterion(page, 0).description).toHaveValue('Closes deals above 50k.');
    await expect(criterion(page, 1).name).toHaveValue('Dutch, fluent');
  }
});

test('a reload with the sync endpoint unreachable shows everything at once', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await createVacancy(page, 'Verpleegkundige');
  await addCriterion(page, 'BIG-registratie');
  await criterion(page, 0).description.fill('Geldige registratie');
  await expect(syncStatus(page)).toContainText('Up to date');

  // From now on every attempt to reach /sync fails.
  await context.routeWebSocket(/\/sync$/, (ws) => ws.close({ code: 1011, reason: 'unreachable (test)' }));
  await page.reload();
  await expect(page.getByLabel('Vacancy title')).toHaveValue('Verpleegkundige');
  await expect(criterion(page, 0).description).toHaveValue('Geldige registratie');
  await expect(syncStatus(page)).toContainText('Offline');

  await page.goto('/');
  await expect(page.getByRole('link', { name: 'Verpleegkundige' })).toBeVisible();
});

test('both type in one description while cut off from each other, and keep both texts', async ({ browser }) => {
  const aContext = await browser.newContext();
  const bContext = await browser.newContext();
  const aNet = await switchableNetwork(aContext);
  const bNet = await switchableNetwork(bContext);
  const a = await aContext.newPage();
  const b = await bContext.newPage();
  const link = await createVacancy(a, 'Data scientist');
  await addCriterion(a, 'Statistics');
  await criterion(a, 0).description.fill('Knows the basics.');
  await joinVacancy(b, link, 'Marloes', 'hiring manager');
  await openScorecard(b);
  await expect(criterion(b, 0).description).toHaveValue('Knows the basics.');

  // Truly concurrent: neither sees a single keystroke of the other until both are back.
  await aNet.offline();
  await bNet.offline();
  const fieldA = criterion(a, 0).description;
  const fieldB = criterion(b, 0).description;
  await fieldA.click();
  await fieldA.press('Control+End');
  await fieldA.pressSequentially(' Bayesian too.');
  await fieldB.click();
  await fieldB.press('Control+End');
  await fieldB.pressSequentially(' And A/B tests.');
  await fieldB.press('Control+Home');
  await fieldB.pressSequentially('Must: ');

  await aNet.online([a]);
  await bNet.online([b]);
  await expect(syncStatus(a)).toContainText('Up to date');
  await expect(syncStatus(b)).toContainText('Up to date');
  // "Up to date" on one side can come before the other side's outbox has drained to it, so
  // wait until A holds every character both typed.
  const total = 'Must: Knows the basics. Bayesian too. And A/B tests.'.length;
  await expect.poll(async () => (await fieldA.inputValue()).length).toBe(total);
  const merged = await fieldA.inputValue();
  await expect(fieldB).toHaveValue(merged);
  // Each person's words arrive whole, wherever the merge put them.
  expect(merged.startsWith('Must: Knows the basics.')).toBe(true);
  expect(merged).toContain(' Bayesian too.');
  expect(merged).toContain(' And A/B tests.');
});
