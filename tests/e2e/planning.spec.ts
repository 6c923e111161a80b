// Planning the vacancy: recruiter on a laptop (English), hiring manager on a phone (Dutch). The
// agreements refuse a number out of range next to its field; a stage gets a target date; an
// action item with an owner and a past due date is overdue on both sides, live; the vacancy list
// shows the overdue count and the next deadline; and the .ics file downloads with the weekly
// check-in and the deadlines in it.
import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { createVacancy, joinVacancy, openSection, syncStatus, dutchPhone, expectTouchFriendly } from './helpers';

/** A date `days` from today, as a date field holds it (YYYY-MM-DD, in the browsers' zone). */
function isoDate(days: number): string {
  const d = new Date(Date.now() + days * 86_400_000);
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Amsterdam' }).format(d);
}

test('recruiter and hiring manager plan the vacancy and hold each other to it', async ({ browser }, testInfo) => {
  const recruiter = await (
    await browser.newContext({ viewport: { width: 1366, height: 768 }, timezoneId: 'Europe/Amsterdam', acceptDownloads: true })
  ).newPage();
  const manager = await (
    await browser.newContext({ ...dutchPhone, timezoneId: 'Europe/Amsterdam' })
  ).newPage();

  const link = await createVacancy(recruiter, 'Data engineer');
  await recruiter.getByLabel('New stage').fill('First interview');
  await recruiter.locator('.add-row').filter({ hasText: 'New stage' }).getByRole('button', { name: 'Add' }).click();
  await joinVacancy(manager, link, 'Marloes', 'hiring manager');

  await openSection(recruiter, 'Planning');
  const managerTab = manager
    .getByRole('navigation', { name: 'Onderdelen van deze vacature' })
    .getByRole('link', { name: 'Planning', exact: true });
  await managerTab.click();
  await expect(managerTab).toHaveAttribute('aria-current', 'page');
  await expect(recruiter.getByText('Working hours and working days skip weekends and Dutch public holidays.')).toBeVisible();

  // A number out of range is refused beside its field, and the agreement keeps its value.
  const feedback = recruiter.getByLabel('Feedback after an interview, within');
  const managerFeedback = manager.getByLabel('Feedback na een gesprek, binnen');
  await expect(feedback).toHaveValue('24');
  await feedback.fill('200');
  await feedback.press('Tab');
  await expect(recruiter.getByRole('alert').filter({ hasText: 'Not saved' })).toHaveText(
    'Not saved: choose 1 to 120 working hours. The agreement stays at 24.',
  );
  await expect(feedback).toHaveAttribute('aria-invalid', 'true');
  await expect(managerFeedback).toHaveValue('24');
  await feedback.fill('16');
  await feedback.press('Tab');
  await expect(managerFeedback).toHaveValue('16');
  await expect(recruiter.getByText('Not saved')).toHaveCount(0);
  const decision = manager.getByLabel('Een besluit na de laatste ronde, binnen');
  await decision.fill('0');
  await decision.blur();
  await expect(manager.getByRole('alert').filter({ hasText: 'Niet opgeslagen' })).toHaveText(
    'Niet opgeslagen: kies 1 tot 30 werkdagen. De afspraak blijft 3.',
  );
  await expect(recruiter.getByLabel('A decision after the last stage, within')).toHaveValue('3');

  // The weekly check-in: a day and a time, 30 minutes unless agreed otherwise.
  await recruiter.getByLabel('Day', { exact: true }).selectOption({ label: 'Tuesday' });
  await recruiter.getByLabel('Time', { exact: true }).fill('10:00');
  await expect(manager.getByLabel('Dag', { exact: true }).locator('option:checked')).toHaveText('dinsdag');
  await expect(manager.getByLabel('Tijd', { exact: true })).toHaveValue('10:00');
  await expect(manager.getByLabel('Duur', { exact: true })).toHaveValue('30');

  // A target date for the stage, a month ahead: on time, on both sides.
  await recruiter.getByLabel('1. First interview').fill(isoDate(30));
  await expect(recruiter.locator('.target .status-chip')).toHaveText('On time');
  await expect(manager.locator('.target .status-chip')).toHaveText('Op tijd');

  // The hiring manager adds an action item on the phone, takes it, and dates it two days ago.
  await manager.getByLabel('Nieuw actiepunt').fill('Vacaturetekst nalezen');
  await manager.locator('.add-row').filter({ hasText: 'Nieuw actiepunt' }).getByRole('button', { name: 'Toevoegen' }).click();
  const mine = manager.locator('.action').first();
  await expect(mine.getByRole('textbox', { name: 'Actiepunt', exact: true })).toHaveValue('Vacaturetekst nalezen');
  await mine.getByLabel('Eigenaar').selectOption({ label: 'Marloes (hiring manager)' });
  await mine.getByLabel('Uiterlijk op').fill(isoDate(-2));
  await expect(mine.locator('.status-chip')).toHaveText('Te laat');
  // Overdue on the recruiter's side too, with its owner and date, as it arrived.
  const theirs = recruiter.locator('.action').first();
  await expect(theirs.getByRole('textbox', { name: 'Action item', exact: true })).toHaveValue('Vacaturetekst nalezen');
  await expect(theirs.getByLabel('Owner').locator('option:checked')).toHaveText('Marloes (hiring manager)');
  await expect(theirs.getByLabel('Due date')).toHaveValue(isoDate(-2));
  await expect(theirs.locator('.status-chip')).toHaveText('Overdue');

  // Removed by mistake, and back with its owner and date.
  await recruiter.getByRole('button', { name: 'Remove (Vacaturetekst nalezen)' }).click();
  await expect(manager.locator('.action')).toHaveCount(0);
  await recruiter.getByRole('button', { name: 'Undo' }).click();
  await expect(mine.locator('.status-chip')).toHaveText('Te laat');
  await expect(mine.getByLabel('Eigenaar').locator('option:checked')).toHaveText('Marloes (hiring manager)');
  // The owner moves on both sides, also in a list someone has already picked from by hand.
  await mine.getByLabel('Eigenaar').selectOption({ label: 'Nog niemand' });
  await expect(theirs.getByLabel('Owner').locator('option:checked')).toHaveText('Nobody yet');
  await theirs.getByLabel('Owner').selectOption({ label: 'Rita Recruiter (recruiter)' });
  await expect(mine.getByLabel('Eigenaar').locator('option:checked')).toHaveText('Rita Recruiter (recruiter)');
  await mine.getByLabel('Eigenaar').selectOption({ label: 'Marloes (hiring manager)' });
  await expect(theirs.getByLabel('Owner').locator('option:checked')).toHaveText('Marloes (hiring manager)');

  // A second one, done: ticked off and struck through (no chip to repeat it), out of the deadlines.
  await recruiter.getByLabel('New action item').fill('Book the interview room');
  await recruiter.locator('.add-row').filter({ hasText: 'New action item' }).getByRole('button', { name: 'Add' }).click();
  const room = recruiter.locator('.action').nth(1);
  await room.getByLabel('Due date').fill(isoDate(-1));
  await expect(room.locator('.status-chip')).toHaveText('Overdue');
  await room.getByLabel('Done').check();
  await expect(room).toHaveClass(/\bdone\b/);
  await expect(room.locator('.status-chip')).toHaveCount(0);
  await expect(manager.locator('.action').nth(1).getByLabel('Klaar')).toBeChecked();

  await expect(syncStatus(recruiter)).toContainText('Up to date');
  await expect(manager.getByRole('status', { name: 'Synchronisatiestatus' })).toContainText('Bijgewerkt');
  for (const [page, name] of [[manager, 'planning-phone-nl.png'], [recruiter, 'planning-laptop-en.png']] as const) {
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: testInfo.outputPath(name), fullPage: true });
  }
  await expectTouchFriendly(manager);
  await expectTouchFriendly(recruiter);

  // The calendar file: the weekly check-in as a series, and the open deadlines.
  const [download] = await Promise.all([
    recruiter.waitForEvent('download'),
    recruiter.getByRole('button', { name: 'Add to calendar (.ics)' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('Data engineer.ics');
  const ics = readFileSync(await download.path(), 'utf8');
  expect(ics).toMatch(/^BEGIN:VCALENDAR\r\n/);
  expect(ics).toContain('RRULE:FREQ=WEEKLY;BYDAY=TU');
  expect(ics).toContain('SUMMARY:Weekly check-in: Data engineer');
  expect(ics).toContain('TZID=Europe/Amsterdam');
  expect(ics).toContain('SUMMARY:Vacaturetekst nalezen');
  expect(ics).toContain('SUMMARY:First interview');
  expect(ics).not.toContain('Book the interview room');
  // The phone can export too, titled in Dutch.
  const [phoneDownload] = await Promise.all([
    manager.waitForEvent('download'),
    manager.getByRole('button', { name: 'Zet in je agenda (.ics)' }).click(),
  ]);
  expect(readFileSync(await phoneDownload.path(), 'utf8')).toContain('SUMMARY:Wekelijkse check-in: Data engineer');

  // The vacancy list, on both devices: the overdue count and the next deadline.
  await recruiter.goto('/');
  const entry = recruiter.getByRole('link', { name: /Data engineer/ });
  await expect(entry.locator('.status-chip[data-due="overdue"]')).toHaveText('1 overdue');
  await expect(entry).toContainText('Next deadline: Vacaturetekst nalezen');
  await manager.goto('/');
  const managerEntry = manager.getByRole('link', { name: /Data engineer/ });
  await expect(managerEntry.locator('.status-chip[data-due="overdue"]')).toHaveText('1 te laat');
  await expect(managerEntry).toContainText('Volgende deadline: Vacaturetekst nalezen');
  await expectTouchFriendly(manager);
  await manager.screenshot({ path: testInfo.outputPath('home-phone-nl.png'), fullPage: true });
});
