// The weekly check-in: recruiter on a laptop (English), hiring manager on a phone (Dutch). Both see
// the same agenda made from the live state, write the notes together, turn a line of the notes
// into an action item, and are told when that action turns overdue while the page is open.
import { test, expect, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { createVacancy, joinVacancy, openSection, dutchPhone, expectTouchFriendly } from './helpers';

/** Opens the Check-in section on the Dutch phone, by the section bar. */
async function openCheckinNl(page: Page) {
  const tab = page.getByRole('navigation', { name: 'Onderdelen van deze vacature' }).getByRole('link', { name: 'Check-in', exact: true });
  await tab.click();
  await expect(tab).toHaveAttribute('aria-current', 'page');
}

// Monday 30 November 2026, a quarter to midnight in Amsterdam: an action due today turns
// overdue at midnight, which the test reaches by moving the pages' clocks forward.
const START = new Date('2026-11-30T23:40:00+01:00');
const MIDNIGHT = new Date('2026-12-01T00:00:00+01:00').getTime();

test('both partners hold the weekly check-in: the same agenda, shared notes, an action item from a line, and the notice when it turns overdue', async ({ browser }) => {
  test.setTimeout(120_000);
  const recruiter = await (await browser.newContext({ viewport: { width: 1366, height: 768 }, timezoneId: 'Europe/Amsterdam' })).newPage();
  const manager = await (
    await browser.newContext({ ...dutchPhone, timezoneId: 'Europe/Amsterdam' })
  ).newPage();
  await recruiter.clock.install({ time: START });
  await manager.clock.install({ time: START });

  const link = await createVacancy(recruiter, 'Data engineer', 'Reza', 'recruiter');
  // One stage, so the pipeline has a row of its own.
  await recruiter.getByLabel('New stage').fill('First interview');
  await recruiter.locator('.add-row').filter({ hasText: 'New stage' }).getByRole('button', { name: 'Add' }).click();
  await joinVacancy(manager, link, 'Marloes', 'hiring manager');
  await openSection(recruiter, 'Check-in');
  await openCheckinNl(manager);

  // No check-in agreed yet: said so, with the way to Planning.
  await expect(recruiter.getByText('No weekly check-in agreed yet.')).toBeVisible();
  await expect(recruiter.getByRole('link', { name: 'Agree its day and time in Planning' })).toHaveAttribute('href', /\/planning$/);
  await expect(manager.getByText('Nog geen wekelijkse check-in afgesproken.')).toBeVisible();

  // The same agenda on both sides: nothing late, nothing open, every stage counted at zero.
  const agendaEn = recruiter.locator('section.agenda');
  const agendaNl = manager.locator('section.agenda');
  await expect(agendaEn.getByText('Nothing is overdue.')).toBeVisible();
  await expect(agendaEn.getByText('No open action items.')).toBeVisible();
  await expect(agendaEn.getByText('No decisions pending.')).toBeVisible();
  await expect(agendaNl.getByText('Niets is te laat.')).toBeVisible();
  await expect(agendaNl.getByText('Geen openstaande besluiten.')).toBeVisible();
  await expect(agendaEn.locator('.pipeline li')).toHaveText(['First interview0', 'Hired0', 'Rejected0']);
  await expect(agendaNl.locator('.pipeline li')).toHaveText(['First interview0', 'Aangenomen0', 'Afgewezen0']);

  // The hiring manager starts today's check-in; it opens with the caret in its notes.
  await manager.getByRole('button', { name: 'Check-in van vandaag starten' }).click();
  const notesNl = manager.getByRole('textbox', { name: 'Notities' });
  await expect(notesNl).toBeFocused();
  await expect(manager.locator('.checkin-entry summary')).toContainText('Check-in van maandag 30 november 2026');
  // On the laptop the same check-in appears, and the button now goes to it.
  await expect(recruiter.locator('.checkin-entry summary')).toContainText('Check-in of Monday, 30 November 2026');
  await recruiter.getByRole('button', { name: "Go to today's check-in" }).click();
  const notesEn = recruiter.getByRole('textbox', { name: 'Notes' });
  await expect(notesEn).toBeFocused();

  // Who attended: the vacancy's people, ticked on one side, ticked on the other.
  await manager.locator('.attendee').filter({ hasText: 'Marloes' }).click();
  await expect(recruiter.locator('.attendee').filter({ hasText: 'Marloes' }).locator('input')).toBeChecked();
  await expect(recruiter.locator('.attendee').filter({ hasText: 'Reza' }).locator('input')).not.toBeChecked();

  // The notes, written on both sides and merged.
  await notesNl.pressSequentially('Weinig reacties op de vacature\n- Call Anna back', { delay: 10 });
  await expect(notesEn).toHaveValue('Weinig reacties op de vacature\n- Call Anna back');
  await notesEn.press('Control+End');
  await notesEn.pressSequentially('\n- Post the ad on LinkedIn', { delay: 10 });
  const notes = 'Weinig reacties op de vacature\n- Call Anna back\n- Post the ad on LinkedIn';
  await expect(notesNl).toHaveValue(notes);
  await expect(notesEn).toHaveValue(notes);

  // A line becomes an action item, with feedback and a link to where it is planned.
  await recruiter.getByRole('button', { name: 'Make an action item of this line: Call Anna back' }).click();
  await expect(recruiter.getByRole('status').filter({ hasText: '“Call Anna back” was added to the action items.' })).toBeVisible();
  await expect(recruiter.getByRole('link', { name: 'Give it an owner and a due date in Planning' })).toBeVisible();
  await expect(recruiter.getByRole('button', { name: 'Make an action item of this line: Call Anna back' })).toHaveCount(0);
  // Marked as made on both sides; the other lines still offer it.
  await expect(manager.locator('.note-lines li.made')).toHaveText(['- Call Anna back✓ actiepunt']);
  await expect(manager.getByRole('button', { name: 'Actiepunt maken van deze regel: Post the ad on LinkedIn' })).toBeVisible();
  // It is on both agendas among the open action items, without a due date yet.
  await expect(agendaEn.locator('[data-group="actions"] .agenda-item')).toHaveText([/No due date\s*Call Anna back\s*no owner yet/]);
  await expect(agendaNl.locator('[data-group="actions"] .agenda-item')).toHaveText([/Geen deadline\s*Call Anna back\s*nog geen eigenaar/]);

  // Due today, set in Planning: due soon on both agendas.
  await openSection(recruiter, 'Planning');
  const action = recruiter.locator('.action');
  await expect(action.getByRole('textbox', { name: 'Action item' })).toHaveValue('Call Anna back');
  await action.getByLabel('Due date').fill('2026-11-30');
  await openSection(recruiter, 'Check-in');
  await expect(agendaEn.locator('[data-group="due-soon"] .agenda-item')).toHaveText([/Due soon\s*Call Anna back/]);
  await expect(agendaNl.locator('[data-group="due-soon"] .agenda-item')).toHaveText([/Deadline nadert\s*Call Anna back/]);
  await expect(agendaNl.locator('[data-group="actions"]')).toContainText('Geen openstaande actiepunten.');
  await expect(manager.getByRole('alert')).toHaveCount(0);

  // Midnight passes while both pages are open: each says so, once, naming the action.
  for (const page of [recruiter, manager]) {
    const now = await page.evaluate(() => Date.now());
    await page.clock.fastForward(MIDNIGHT - now + 31_000);
  }
  const alertNl = manager.getByRole('alert').filter({ hasText: '‘Call Anna back’ is nu te laat.' });
  await expect(alertNl).toBeVisible();
  await expect(alertNl.getByRole('link', { name: 'Bekijk het in Planning' })).toHaveAttribute('href', /\/planning$/);
  const alertEn = recruiter.getByRole('alert').filter({ hasText: '“Call Anna back” is overdue now.' });
  await expect(alertEn).toBeVisible();
  await expect(agendaEn.locator('[data-group="overdue"] .agenda-item')).toHaveText([/Overdue\s*Call Anna back/]);
  await expect(agendaNl.locator('[data-group="overdue"] .agenda-item')).toHaveText([/Te laat\s*Call Anna back/]);

  // For people to look at, and for thumbs: the phone at the check-in, notice and all.
  mkdirSync('/tmp/checkin-shots', { recursive: true });
  await manager.evaluate(() => window.scrollTo(0, 0));
  await manager.screenshot({ path: '/tmp/checkin-shots/e2e-phone-nl.png', fullPage: true });
  await recruiter.screenshot({ path: '/tmp/checkin-shots/e2e-laptop-en.png', fullPage: true });
  await expectTouchFriendly(manager);
  await expectTouchFriendly(recruiter);

  // Dismissed, it stays away: the next checks do not announce the same item again.
  await alertNl.getByRole('button', { name: 'Sluiten' }).click();
  await expect(manager.getByRole('alert')).toHaveCount(0);
  await manager.clock.fastForward(65_000);
  await expect(manager.locator('.overdue-notice')).toHaveCount(0);

  // Opened again with the item already late: one calm line, not an alert.
  await manager.reload();
  const calm = manager.getByRole('status').filter({ hasText: '1 punt is te laat.' });
  await expect(calm).toBeVisible();
  await expect(manager.getByRole('alert')).toHaveCount(0);
  await calm.getByRole('button', { name: 'Sluiten' }).click();
  await expect(calm).toHaveCount(0);
});

test('the next check-in from the agreement: its day, time and length, a warning on a public holiday, and "going on now" while it is', async ({ browser }) => {
  const recruiter = await (await browser.newContext({ viewport: { width: 1366, height: 768 }, timezoneId: 'Europe/Amsterdam' })).newPage();
  const manager = await (
    await browser.newContext({ ...dutchPhone, timezoneId: 'Europe/Amsterdam' })
  ).newPage();
  // Monday 21 December 2026; Friday is Eerste Kerstdag.
  const monday = new Date('2026-12-21T09:00:00+01:00');
  await recruiter.clock.install({ time: monday });
  await manager.clock.install({ time: monday });

  const link = await createVacancy(recruiter, 'Controller', 'Reza', 'recruiter');
  await openSection(recruiter, 'Planning');
  await recruiter.getByLabel('Day', { exact: true }).selectOption({ label: 'Friday' });
  await recruiter.getByLabel('Time', { exact: true }).fill('10:00');
  await openSection(recruiter, 'Check-in');
  const next = recruiter.locator('.next-checkin');
  await expect(next.locator('.next-day')).toHaveText('Friday, 25 December 2026');
  await expect(next.locator('.next-time')).toHaveText('10:00–10:30 · 30 minutes');
  await expect(recruiter.locator('.holiday')).toContainText('This is a public holiday (Eerste Kerstdag)');
  await expect(recruiter.locator('.holiday').getByRole('link', { name: 'Change it in Planning' })).toHaveAttribute('href', /\/planning$/);

  await joinVacancy(manager, link, 'Marloes', 'hiring manager');
  await openCheckinNl(manager);
  await expect(manager.locator('.next-day')).toHaveText('vrijdag 25 december 2026');
  await expect(manager.locator('.next-time')).toHaveText('10:00–10:30 · 30 minuten');
  await expect(manager.locator('.holiday')).toContainText('Dit is een feestdag (Eerste Kerstdag)');
  await expect(manager.getByText('Nu bezig')).toHaveCount(0);

  // Friday at 10:05 the meeting is on: it says so, on both sides, without anyone editing.
  for (const page of [recruiter, manager]) {
    const now = await page.evaluate(() => Date.now());
    await page.clock.fastForward(new Date('2026-12-25T10:05:00+01:00').getTime() - now);
  }
  await expect(manager.locator('.next-checkin')).toContainText('Nu bezig');
  await expect(recruiter.locator('.next-checkin')).toContainText('Going on now');

  mkdirSync('/tmp/checkin-shots', { recursive: true });
  await manager.evaluate(() => window.scrollTo(0, 0));
  await manager.screenshot({ path: '/tmp/checkin-shots/next-phone-nl.png', fullPage: true });
  await recruiter.screenshot({ path: '/tmp/checkin-shots/next-laptop-en.png', fullPage: true });
  await expectTouchFriendly(manager);
});
