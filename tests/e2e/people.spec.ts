// The people of a vacancy and the first open of a shared link: a hiring manager on a phone (in
// Dutch) is told who shared what and what is asked of them, says who they are, and from then on
// both sides see each other by name and role.
import { test, expect } from '@playwright/test';
import { createVacancy, dutchPhone } from './helpers';

test('a hiring manager opening a shared link is welcomed, says who they are, and is known by name', async ({ browser }, testInfo) => {
  const recruiter = await (await browser.newContext({ viewport: { width: 1366, height: 768 } })).newPage();
  const link = await createVacancy(recruiter, 'Productowner betalingen', 'Sanne de Vries');
  await expect(recruiter.locator('.people-list .person')).toHaveText([/Sanne de Vries\s*Recruiter\s*you/]);

  const manager = await (await browser.newContext(dutchPhone)).newPage();
  await manager.goto(link);
  const welcome = manager.locator('.welcome');
  // Who shared what, what it is, and that the partner sees each keystroke.
  await expect(welcome.getByRole('heading', { level: 1 })).toHaveText('Sanne de Vries nodigt je uit voor de vacature ‘Productowner betalingen’');
  await expect(welcome).toContainText('Sanne de Vries is de recruiter van deze vacature.');
  await expect(welcome).toContainText('Deze vacature zit nog in de intakefase');
  await expect(welcome).toContainText('Wat je hier typt, zien de anderen terwijl je typt');
  // The role the vacancy still lacks is the one offered, with what it asks.
  const managerOption = welcome.locator('.role-option').filter({ has: manager.locator('input[value="hiring_manager"]') });
  await expect(managerOption.getByRole('radio')).toBeChecked();
  await expect(managerOption).toContainText('geef je akkoord');
  // No editable page behind it yet.
  await expect(manager.locator('#vacancy-title')).toHaveCount(0);
  await manager.evaluate(() => window.scrollTo(0, 0));
  await manager.screenshot({ path: testInfo.outputPath('welcome-phone-nl.png'), fullPage: true });
  // The welcome's targets are big enough for a thumb, and nothing sticks out sideways.
  const small = await manager.evaluate(() =>
    Array.from(document.querySelectorAll('.welcome button, .welcome input[type="text"], .welcome .role-option'))
      .map((el) => el.getBoundingClientRect())
      .filter((r) => r.height < 44)
      .map((r) => `${Math.round(r.width)}×${Math.round(r.height)}`),
  );
  expect(small).toEqual([]);
  expect(await manager.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);

  // A name is needed: without one the form says so and stays.
  await welcome.getByLabel('Je naam').fill('');
  await welcome.getByRole('button', { name: 'Verder naar de vacature' }).click();
  await expect(welcome.getByRole('alert')).toHaveText('Vul je naam in, zodat de anderen weten wie je bent.');
  await welcome.getByLabel('Je naam').fill('Joost Bakker');
  await welcome.getByRole('button', { name: 'Verder naar de vacature' }).click();

  // Now the page, and both sides list both people with their roles.
  await expect(manager.locator('#vacancy-title')).toHaveValue('Productowner betalingen');
  await expect(manager.locator('.people-list .person')).toHaveText([/Sanne de Vries\s*Recruiter/, /Joost Bakker\s*Hiring manager\s*jij/]);
  await expect(recruiter.locator('.people-list .person')).toHaveText([/Sanne de Vries\s*Recruiter\s*you/, /Joost Bakker\s*Hiring manager/]);
  // The recruiter sees the partner by name, not as a guest.
  await expect(recruiter.locator('.presence')).toContainText('Joost Bakker');
  await manager.screenshot({ path: testInfo.outputPath('vacancy-after-welcome-phone-nl.png') });

  // Once said, it is not asked again on this device.
  await expect(manager.getByRole('status', { name: 'Synchronisatiestatus' })).toContainText('Bijgewerkt');
  await manager.reload();
  await expect(manager.locator('#vacancy-title')).toHaveValue('Productowner betalingen');
  await expect(manager.locator('.welcome')).toHaveCount(0);

  // A person can change their name or role; the partner sees it.
  await manager.getByRole('button', { name: 'Mijn naam of rol wijzigen' }).click();
  await manager.locator('.people .person-form').getByLabel('Je naam').fill('Joost B.');
  await manager.locator('.people .person-form input[value="interviewer"]').check();
  await manager.locator('.people .person-form').getByRole('button', { name: 'Opslaan' }).click();
  await expect(recruiter.locator('.people-list .person').nth(1)).toHaveText(/Joost B\.\s*Interviewer/);

  // An interviewer gives no sign-off: neither button is theirs.
  await expect(manager.locator('.sign-off button')).toHaveCount(0);
});
