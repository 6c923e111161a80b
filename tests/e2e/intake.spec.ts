// The intake meeting: recruiter on a laptop (English), hiring manager on a phone (Dutch), typing
// into the same intake at once, then the gate: refused while parts are missing, open once both
// signed off, and the sign-offs stale again after a later change.
import { test, expect } from '@playwright/test';
import { createVacancy, syncStatus, joinVacancy, dutchPhone, expectTouchFriendly } from './helpers';

test('recruiter and hiring manager fill the intake together and open the vacancy through the gate', async ({ browser }, testInfo) => {
  const recruiter = await (await browser.newContext({ viewport: { width: 1366, height: 768 } })).newPage();
  const manager = await (
    await browser.newContext(dutchPhone)
  ).newPage();

  // A new vacancy is a draft, and a draft's address opens its intake.
  const link = await createVacancy(recruiter, 'Backend developer', 'Reza');
  const sections = recruiter.getByRole('navigation', { name: 'Sections of this vacancy' });
  await expect(sections.getByRole('link', { name: 'Intake' })).toHaveAttribute('aria-current', 'page');
  await expect(sections.getByRole('link')).toHaveText(['Intake', 'Scorecard', 'Candidates', 'Planning', 'Check-in']);
  await expect(recruiter.getByRole('heading', { name: 'Status: Draft' })).toBeVisible();

  await joinVacancy(manager, link, 'Marloes', 'hiring manager');
  // Both see who is in the vacancy, in which role, and which of them they are.
  await expect(recruiter.locator('.people-list .person')).toHaveText([/Reza\s*Recruiter\s*you/, /Marloes\s*Hiring manager/]);
  await expect(manager.locator('.people-list .person.me')).toContainText('Marloes');
  await expect(manager.getByRole('heading', { name: 'De functie' })).toBeVisible();
  await expect(manager.getByRole('heading', { name: 'Status: Concept' })).toBeVisible();

  // Both fill the role at once, each in their own field, and see the other's text.
  await Promise.all([
    recruiter.getByLabel('Job title').pressSequentially('Backend developer', { delay: 20 }),
    manager.getByLabel('Team').pressSequentially('Betalingen', { delay: 20 }),
  ]);
  await expect(manager.getByLabel('Functietitel')).toHaveValue('Backend developer');
  await expect(recruiter.getByLabel('Team')).toHaveValue('Betalingen');

  // And the same field: the profile, one at the end and one at the start, merged per character.
  const theirs = recruiter.getByLabel('Who are we looking for, and what will they do?');
  const mine = manager.getByLabel('Wie zoeken we, en wat gaat die persoon doen?');
  await theirs.fill('Builds our payment services.');
  await expect(mine).toHaveValue('Builds our payment services.');
  await theirs.click();
  await theirs.press('End');
  await mine.click();
  await mine.press('Control+Home');
  await Promise.all([
    theirs.pressSequentially(' Runs them too.', { delay: 25 }),
    mine.pressSequentially('Senior. ', { delay: 25 }),
  ]);
  const profile = 'Senior. Builds our payment services. Runs them too.';
  await expect(theirs).toHaveValue(profile);
  await expect(mine).toHaveValue(profile);

  // The gate refuses to open the vacancy and names exactly what is missing.
  await manager.getByRole('button', { name: 'Vacature openzetten' }).click();
  const refusal = manager.getByRole('alert').filter({ hasText: 'De vacature kan nog niet open' });
  await expect(refusal.getByRole('listitem')).toHaveText([
    'Minstens één must-have',
    'Minstens één ronde in de selectieprocedure',
    'Contactafspraken',
    'Minstens één criterium op de scorecard',
    'Akkoord van de recruiter',
    'Akkoord van de hiring manager',
  ]);
  await expect(manager.getByRole('heading', { name: 'Status: Concept' })).toBeVisible();

  // Each missing part links to its field.
  await recruiter.locator('.gate-missing').getByRole('link', { name: 'Contact agreements' }).click();
  const contact = recruiter.getByLabel('Agreements', { exact: true });
  await expect(contact).toBeFocused();
  await contact.pressSequentially('The recruiter calls every candidate back within two days.');

  // Must-haves with their question, made into a knock-out criterion, linked both ways.
  await recruiter.getByLabel('New must-have').fill('Rust in production');
  await recruiter.locator('.add-row').filter({ hasText: 'New must-have' }).getByRole('button', { name: 'Add' }).click();
  const managerMust = manager.locator('.item').filter({ has: manager.getByRole('textbox', { name: 'Must-have', exact: true }) });
  await expect(managerMust.getByRole('textbox')).toHaveValue('Rust in production');
  await expect(managerMust).toContainText('Zou je een verder uitstekende kandidaat zonder dit afwijzen?');
  await managerMust.getByRole('button', { name: 'Criterium maken' }).click();
  await expect(managerMust.getByRole('link', { name: '→ op de scorecard' })).toBeVisible();
  const recruiterMust = recruiter.locator('.item').filter({ has: recruiter.getByRole('textbox', { name: 'Must-have', exact: true }) });
  await expect(recruiterMust.getByRole('link', { name: '→ in scorecard' })).toBeVisible();
  // Renaming one of a linked pair offers the same rename for the other.
  await recruiterMust.getByRole('textbox').fill('Rust in production, 2+ years');
  await recruiterMust.getByRole('button', { name: 'Rename in the scorecard too' }).click();
  await expect(recruiterMust.getByRole('button', { name: 'Rename in the scorecard too' })).toHaveCount(0);

  // Nice-to-haves and stages: added on both sides, reordered, removed and undone.
  await manager.getByLabel('Nieuwe nice-to-have').fill('Kennis van iDEAL');
  await manager.locator('.add-row').filter({ hasText: 'Nieuwe nice-to-have' }).getByRole('button', { name: 'Toevoegen' }).click();
  await expect(recruiter.getByRole('textbox', { name: 'Nice-to-have', exact: true })).toHaveValue('Kennis van iDEAL');
  await recruiter.getByLabel('New stage').fill('First interview');
  await recruiter.locator('.add-row').filter({ hasText: 'New stage' }).getByRole('button', { name: 'Add' }).click();
  await manager.getByLabel('Nieuwe ronde').fill('Technische case');
  await manager.locator('.add-row').filter({ hasText: 'Nieuwe ronde' }).getByRole('button', { name: 'Toevoegen' }).click();
  await expect(recruiter.getByRole('textbox', { name: 'Stage name' })).toHaveCount(2);
  await manager.getByRole('button', { name: 'Omhoog (Technische case)' }).click();
  await expect(recruiter.getByRole('textbox', { name: 'Stage name' }).first()).toHaveValue('Technische case');
  await recruiter.getByRole('textbox', { name: 'Who interviews' }).first().fill('Marloes and a senior developer');
  await expect(manager.getByRole('textbox', { name: 'Wie voert het gesprek' }).first()).toHaveValue('Marloes and a senior developer');
  // Which scorecard criteria a stage assesses: chosen on one side, seen on the other.
  const caseStage = manager.locator('.stage').first();
  await caseStage.getByRole('checkbox', { name: 'Rust in production, 2+ years' }).check();
  await expect(recruiter.locator('.stage').first().getByRole('checkbox', { name: 'Rust in production, 2+ years' })).toBeChecked();
  await expect(recruiter.locator('.stage').nth(1).getByRole('checkbox', { name: 'Rust in production, 2+ years' })).not.toBeChecked();
  await manager.getByRole('button', { name: 'Verwijderen (Kennis van iDEAL)' }).click();
  await expect(recruiter.getByRole('textbox', { name: 'Nice-to-have', exact: true })).toHaveCount(0);
  await manager.getByRole('button', { name: 'Ongedaan maken' }).click();
  await expect(recruiter.getByRole('textbox', { name: 'Nice-to-have', exact: true })).toHaveValue('Kennis van iDEAL');

  // What is missing now is the two sign-offs, and nothing else.
  await expect(manager.locator('.gate-missing li')).toHaveText(['Akkoord van de recruiter', 'Akkoord van de hiring manager']);
  await expect(syncStatus(recruiter)).toContainText('Up to date');
  await expect(manager.getByRole('status', { name: 'Synchronisatiestatus' })).toContainText('Bijgewerkt');
  // For people to look at (the section bar sticks to the top, so shoot from the top).
  for (const [page, name] of [[manager, 'intake-phone-nl.png'], [recruiter, 'intake-laptop-en.png']] as const) {
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: testInfo.outputPath(name), fullPage: true });
  }
  await expectTouchFriendly(manager);
  await expectTouchFriendly(recruiter);

  // Each signs off in their own role, with their name and the time; nobody can give the other's.
  await expect(manager.getByRole('button', { name: 'Akkoord geven als recruiter' })).toHaveCount(0);
  await expect(manager.locator('.sign-off[data-role="recruiter"]')).toContainText('Wacht op het akkoord van de recruiter.');
  await expect(recruiter.getByRole('button', { name: 'Sign off as hiring manager' })).toHaveCount(0);
  await recruiter.getByRole('button', { name: 'Sign off as recruiter' }).click();
  await manager.getByRole('button', { name: 'Akkoord geven als hiring manager' }).click();
  await expect(recruiter.locator('.sign-off[data-role="hiring_manager"] .signed')).toContainText('Signed off as hiring manager: Marloes');
  await expect(manager.locator('.sign-off[data-role="recruiter"] .signed')).toContainText('Akkoord als recruiter: Reza');
  await expect(recruiter.getByText('The intake is complete and signed off by both.')).toBeVisible();

  // The vacancy opens, on both sides.
  await recruiter.getByRole('button', { name: 'Open vacancy' }).click();
  await expect(recruiter.getByRole('heading', { name: 'Status: Open' })).toBeVisible();
  await expect(manager.getByRole('heading', { name: 'Status: Open' })).toBeVisible();
  // Closing asks once more, in place; cancelled, nothing changes.
  await recruiter.getByRole('button', { name: 'Close vacancy' }).click();
  await expect(recruiter.getByRole('alert').filter({ hasText: 'Close this vacancy?' })).toBeVisible();
  await recruiter.getByRole('button', { name: 'Cancel' }).click();
  await expect(recruiter.getByRole('alert').filter({ hasText: 'Close this vacancy?' })).toHaveCount(0);
  await expect(manager.getByRole('heading', { name: 'Status: Open' })).toBeVisible();

  // A later change to the profile makes both sign-offs stale: each asks to be confirmed again.
  await mine.click();
  await mine.press('End');
  await mine.pressSequentially(' On call one week in six.');
  await expect(recruiter.locator('.signed.stale')).toHaveCount(2);
  await expect(recruiter.locator('.sign-off[data-role="recruiter"]')).toContainText('given before the last change — confirm again');
  await expect(manager.locator('.sign-off[data-role="hiring_manager"]')).toContainText('gegeven vóór de laatste wijziging — bevestig opnieuw');
  await expect(manager.getByRole('button', { name: 'Opnieuw akkoord geven als hiring manager' })).toBeVisible();

  // The list shows each vacancy's status; an open vacancy's address opens its scorecard, where
  // the must-have arrived as a knock-out criterion under its new name.
  await recruiter.goto('/');
  await expect(recruiter.getByRole('link', { name: 'Backend developer' })).toContainText('Open');
  await recruiter.getByRole('link', { name: 'Backend developer' }).click();
  await expect(sections.getByRole('link', { name: 'Scorecard' })).toHaveAttribute('aria-current', 'page');
  const row = recruiter.locator('.criterion').first();
  await expect(row.getByRole('textbox', { name: 'Name', exact: true })).toHaveValue('Rust in production, 2+ years');
  await expect(row.getByLabel('Must-have (knock-out)')).toBeChecked();
  await expect(row).toContainText('← from the intake');

  // A section's address, without the secret, opens on a device that has the vacancy.
  const base = link.split('#')[0];
  await manager.goto(`${base}/intake`);
  await expect(manager.getByRole('heading', { name: 'Status: Open' })).toBeVisible();
  await expect(manager.getByRole('navigation', { name: 'Onderdelen van deze vacature' }).getByRole('link', { name: 'Intake' })).toHaveAttribute('aria-current', 'page');
  await manager.getByRole('link', { name: 'Scorecard', exact: true }).click();
  await expect(manager).toHaveURL(`${base}/scorecard`);
  await expect(manager.locator('.criterion')).toHaveCount(1);
});
