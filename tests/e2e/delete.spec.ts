// Deleting a vacancy for everyone: only its creator is offered it, it asks first, the relay's
// files no longer hold the vacancy's sealed changes afterwards, the partner (connected) is told
// and may keep or remove their copy, and a fresh browser opening the link hears it was deleted.
import { test, expect, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { addCriterion, createVacancy, dutchPhone, expectTouchFriendly, joinVacancy, laptop, relayFiles, sealedChanges, syncStatus } from './helpers';

const SCREENS = process.env.TANDEM_SCREENS ?? 'test-results/screens';

async function shot(page: Page, name: string) {
  mkdirSync(SCREENS, { recursive: true });
  await page.screenshot({ path: `${SCREENS}/${name}.png`, fullPage: true });
}

test('the creator deletes a vacancy for everyone: the relay keeps nothing, the partner is told, the link finds nothing', async ({ browser }) => {
  test.setTimeout(120_000);
  const creator = await (await browser.newContext(laptop)).newPage();
  const sent = sealedChanges(creator);
  const title = 'Head of Finance Deventer';
  const link = await createVacancy(creator, title, 'Reza', 'recruiter');
  await addCriterion(creator, 'Cashflow discipline');
  await expect(syncStatus(creator)).toContainText('Up to date');

  const partner = await (await browser.newContext(dutchPhone)).newPage();
  await joinVacancy(partner, link, 'Marloes', 'hiring manager');
  await expect(partner.locator('#vacancy-title')).toHaveValue(title);

  // The partner has the link, not the owner secret: no delete for everyone on their data page.
  await partner.getByRole('link', { name: 'Deze vacature exporteren, back-uppen of verwijderen' }).click();
  await expect(partner.getByRole('heading', { name: 'Je gegevens' })).toBeVisible();
  await expect(partner.getByRole('button', { name: 'Voor iedereen verwijderen' })).toHaveCount(0);
  await expect(partner.locator('.delete-everyone')).toHaveCount(0);

  // What the creator sent is on the relay's disk now.
  expect(sent.length).toBeGreaterThan(0);
  const stored = relayFiles();
  expect(sent.some((tail) => stored.includes(tail))).toBe(true);

  // The creator is asked first: the title must be typed.
  await creator.getByRole('link', { name: 'Export, back up or remove this vacancy' }).click();
  const block = creator.locator('.delete-everyone');
  await expect(block).toContainText('copies on devices that never come online again');
  await block.getByRole('button', { name: 'Delete for everyone' }).click();
  const confirm = block.getByRole('button', { name: 'Delete for everyone' });
  await expect(confirm).toBeDisabled();
  await block.getByLabel("To confirm, type the vacancy's title:").fill('Head of Finance');
  await expect(confirm).toBeDisabled();
  await block.getByLabel("To confirm, type the vacancy's title:").fill(title);
  await shot(creator, 'delete-confirm-laptop');
  await confirm.click();

  // The creator's copy goes too, and they are back at the list.
  await expect(creator).toHaveURL(/\/$/);
  await expect(creator.getByLabel('Title of the new vacancy')).toBeVisible();
  await expect(creator.getByRole('link', { name: title })).toHaveCount(0);

  // The partner, connected, is told at once, and offered to keep or remove their copy.
  const notice = partner.locator('.deleted-notice');
  await expect(notice.getByRole('heading', { name: 'Deze vacature is verwijderd door degene die hem heeft aangemaakt' })).toBeVisible();
  await expect(notice).toContainText('kopieën op apparaten die nooit meer online komen');
  // Nobody is "here" in a deleted vacancy, and it no longer claims to be syncing.
  await expect(partner.locator('.presence')).toHaveCount(0);
  await expect(partner.getByRole('status', { name: 'Synchronisatiestatus' })).toHaveCount(0);
  await shot(partner, 'deleted-notice-phone');
  await expectTouchFriendly(partner);

  // The relay's files hold none of the vacancy's sealed changes any more.
  const after = relayFiles();
  for (const tail of sent) expect(after.includes(tail)).toBe(false);

  // A third, fresh browser opening the link finds nothing.
  const stranger = await (await browser.newContext(laptop)).newPage();
  await stranger.goto(link);
  await expect(stranger.getByRole('alert')).toContainText('This vacancy was deleted by its creator');
  await expect(stranger.locator('#vacancy-title')).toHaveCount(0);
  await expect(stranger.getByLabel('Share link')).toHaveCount(0);
  await shot(stranger, 'deleted-link-laptop');

  // The partner keeps their copy for now (read-only), then removes it from the phone.
  await notice.getByRole('button', { name: 'Mijn kopie bewaren' }).click();
  await expect(notice).toContainText('Je kopie blijft op dit apparaat staan');
  await partner.goto(link.split('#')[0].replace(/\/v\/([^/]+).*/, '/v/$1'));
  await expect(partner.locator('#vacancy-title')).toHaveValue(title);
  await expect(partner.locator('#vacancy-title')).not.toBeEditable();
  // The choice is remembered: after the reload it is not asked again.
  await expect(notice).toContainText('Je kopie blijft op dit apparaat staan');
  await expect(notice.getByRole('button', { name: 'Mijn kopie bewaren' })).toHaveCount(0);
  await notice.getByRole('button', { name: 'Van dit apparaat verwijderen' }).click();
  await expect(partner).toHaveURL(/\/$/);
  await expect(partner.getByRole('link', { name: title })).toHaveCount(0);
});
