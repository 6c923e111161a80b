// What people see of sync: whether their changes reached the server, a dead connection
// noticed within seconds, partners who leave, and nothing typed lost to a re-render.
import { test, expect } from '@playwright/test';
import { createVacancy, openScorecard, syncStatus, sayWhoIAm, joinVacancy } from './helpers';

test('the browser going offline shows at once; unsent changes are named, then saved', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await createVacancy(page, 'Recruiter');
  await expect(syncStatus(page)).toContainText('all changes are on the server');

  await context.setOffline(true);
  await expect(syncStatus(page)).toContainText('Offline', { timeout: 2_000 });
  await page.getByLabel('Vacancy title').pressSequentially(' (m/v/x)');
  await expect(syncStatus(page)).toContainText('changes not yet sent (made just now)');

  await context.setOffline(false);
  await expect(syncStatus(page)).toContainText('Up to date · all changes are on the server');
});

test('a connection that goes silent is given up within seconds, and nothing is lost', async ({ browser }) => {
  const aContext = await browser.newContext();
  const bContext = await browser.newContext();
  // B's connection passes through a switch that can swallow everything, both ways, without
  // closing: a dead network the browser does not know about.
  let silent = false;
  let sockets = 0;
  await bContext.routeWebSocket(/\/sync$/, (ws) => {
    sockets += 1;
    const server = ws.connectToServer();
    ws.onMessage((m) => { if (!silent) server.send(m); });
    server.onMessage((m) => { if (!silent) ws.send(m); });
  });
  const a = await aContext.newPage();
  const b = await bContext.newPage();
  const link = await createVacancy(a, 'Hoofd financiën');
  await joinVacancy(b, link, 'Marloes', 'hiring manager');
  await expect(syncStatus(b)).toContainText('Up to date');
  const before = sockets;

  silent = true;
  const title = b.getByLabel('Vacancy title');
  await title.click();
  await title.press('End');
  await title.pressSequentially(' a.i.');
  await expect(syncStatus(b)).toContainText('changes not yet sent');
  // The engine hears nothing back, gives the socket up and opens a new one.
  await expect.poll(() => sockets, { timeout: 10_000 }).toBeGreaterThan(before);

  silent = false;
  await expect(syncStatus(b)).toContainText('all changes are on the server', { timeout: 15_000 });
  await expect(a.getByLabel('Vacancy title')).toHaveValue('Hoofd financiën a.i.');
});

test('a partner who closes the tab is gone at once', async ({ browser }) => {
  const a = await (await browser.newContext()).newPage();
  const link = await createVacancy(a, 'Teamleider');
  const b = await (await browser.newContext()).newPage();
  await b.goto(link);
  await expect(a.locator('.presence')).not.toContainText('Only you');
  await b.close();
  // Not after a timeout: the relay says so the moment the tab's connection ends.
  await expect(a.locator('.presence')).toContainText('Only you', { timeout: 3_000 });
});

test('what is typed into a new criterion right after creating a vacancy stays', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('Title of the new vacancy').fill('Monteur');
  await page.getByRole('button', { name: 'Create vacancy' }).click();
  await sayWhoIAm(page, 'Rita Recruiter', 'recruiter');
  await openScorecard(page);
  const field = page.getByLabel('Name of the new criterion');
  await field.pressSequentially('Rijbewijs B');
  await expect(syncStatus(page)).toContainText('Up to date');
  await expect(field).toHaveValue('Rijbewijs B');
});
