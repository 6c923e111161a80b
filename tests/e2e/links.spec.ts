// A wrong or truncated link says what is wrong; it never leaves a blank page.
import { test, expect } from '@playwright/test';
import { createVacancy, joinVacancy, sayWhoIAm } from './helpers';

test('damaged links give a clear message', async ({ browser }) => {
  const owner = await (await browser.newContext()).newPage();
  const link = await createVacancy(owner, 'Link test');
  const [base, secret] = link.split('#');
  // A partner's browser, which only knows what the link says.
  const page = await (await browser.newContext()).newPage();

  const cases: [string, RegExp][] = [
    // The address a partner's browser shows once the secret is stored (see below) is of no use
    // on a device that does not have the vacancy.
    [base, /not on this device.*Ask your partner for the full link/],
    [`${base}#${secret.slice(0, 20)}`, /damaged or incomplete/],
    [link.replace('/v/', '/v/zz'), /vacancy id in the link is damaged/],
  ];
  for (const [url, message] of cases) {
    await page.goto('about:blank');
    await page.goto(url);
    await expect(page.getByRole('alert')).toContainText(message);
    await expect(page.getByRole('heading', { name: 'This link cannot be opened.' })).toBeVisible();
  }
});

test('the secret leaves the address bar and the history once stored, and the vacancy still opens', async ({ browser }) => {
  const owner = await (await browser.newContext()).newPage();
  const link = await createVacancy(owner, 'Private address');
  const base = link.split('#')[0];
  const path = new URL(base).pathname;
  // The creator's address never holds it: the vacancy is stored before the page opens.
  await expect(owner).toHaveURL(base);

  const partner = await (await browser.newContext()).newPage();
  await partner.goto('/');
  await joinVacancy(partner, link, 'Marloes', 'hiring manager');
  await expect(partner.getByLabel('Vacancy title')).toHaveValue('Private address');
  await expect(partner).toHaveURL(base);
  // The history entry was replaced, not added to: back and forward never bring it back.
  await partner.goBack();
  await expect(partner.getByRole('heading', { name: 'Your vacancies' })).toBeVisible();
  await partner.goForward();
  await expect(partner).toHaveURL(base);

  // A reload opens the vacancy from this device, and the share box still gives the whole link.
  await partner.reload();
  await expect(partner.getByLabel('Vacancy title')).toHaveValue('Private address');
  await expect(partner.getByLabel('Share link')).toHaveValue(link);
  await expect(partner).toHaveURL(base);
  // The list on the home page links without it too.
  await partner.goto('/');
  await expect(partner.getByRole('link', { name: 'Private address' })).toHaveAttribute('href', path);

  // A device without the vacancy says what to do, in Dutch as well.
  const dutch = await (await browser.newContext({ locale: 'nl-NL' })).newPage();
  await dutch.goto(base);
  await expect(dutch.getByRole('alert')).toContainText('Vraag je collega om de volledige link');
});

test('a link whose secret does not belong to its vacancy id is refused at once', async ({ browser }) => {
  const owner = await (await browser.newContext()).newPage();
  const link = await createVacancy(owner, 'Secret vacancy');
  const stranger = await (await browser.newContext()).newPage();
  // The id is derived from the secret, so a wrong secret is noticed before anything is sent.
  const wrong = link.split('#')[0] + '#' + 'A'.repeat(43);
  await stranger.goto(wrong);
  await expect(stranger.getByRole('alert')).toContainText('do not belong together');
  await expect(stranger.getByLabel('Vacancy title')).toHaveCount(0);
  // Nothing was added to the stranger's list.
  await stranger.goto('/');
  await expect(stranger.getByText('No vacancies on this device yet.')).toBeVisible();
});

test('a link to a vacancy that does not exist says so', async ({ browser }) => {
  // A well-formed link whose vacancy never reached the relay: made on a device that is offline.
  const offline = await browser.newContext();
  await offline.routeWebSocket(/\/sync$/, (ws) => ws.close());
  const maker = await offline.newPage();
  await maker.goto('/');
  await maker.getByLabel('Title of the new vacancy').fill('Never sent');
  await maker.getByRole('button', { name: 'Create vacancy' }).click();
  await sayWhoIAm(maker, 'Rita Recruiter', 'recruiter');
  await expect(maker.getByLabel('Vacancy title')).toHaveValue('Never sent');
  const link = await maker.getByLabel('Share link').inputValue();

  const page = await (await browser.newContext()).newPage();
  await page.goto(link);
  await expect(page.getByRole('alert')).toContainText('No vacancy was found at this link');
});

test('pasting something that is not a link shows an error on the home page', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('Vacancy link').fill('https://example.org/nothing-here');
  await page.getByRole('button', { name: 'Open vacancy' }).click();
  await expect(page.getByRole('alert')).toContainText('no vacancy in it');
});
