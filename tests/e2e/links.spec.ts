// A wrong or truncated link says what is wrong; it never leaves a blank page.
import { test, expect } from '@playwright/test';
import { createVacancy } from './helpers';

test('damaged links give a clear message', async ({ browser }) => {
  const owner = await (await browser.newContext()).newPage();
  const link = await createVacancy(owner, 'Link test');
  const [base, secret] = link.split('#');
  // A partner's browser, which only knows what the link says.
  const page = await (await browser.newContext()).newPage();

  const cases: [string, RegExp][] = [
    [base, /missing its secret part/],
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

test('a well-formed link with the wrong secret is refused by the relay', async ({ browser }) => {
  const owner = await (await browser.newContext()).newPage();
  const link = await createVacancy(owner, 'Secret vacancy');
  const stranger = await (await browser.newContext()).newPage();
  const wrong = link.split('#')[0] + '#' + 'A'.repeat(43);
  await stranger.goto(wrong);
  await expect(stranger.getByRole('alert')).toContainText('does not open this vacancy');
  await expect(stranger.getByLabel('Vacancy title')).toHaveCount(0);
  // Nothing was added to the stranger's list.
  await stranger.goto('/');
  await expect(stranger.getByText('No vacancies on this device yet.')).toBeVisible();
});

test('a link to a vacancy that does not exist says so', async ({ page }) => {
  const id = 'AAAAAAAAAAAAAAAAAAAAAA';
  await page.goto(`/v/${id}#${'A'.repeat(43)}`);
  await expect(page.getByRole('alert')).toContainText('No vacancy was found at this link');
});

test('pasting something that is not a link shows an error on the home page', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('Vacancy link').fill('https://example.org/nothing-here');
  await page.getByRole('button', { name: 'Open vacancy' }).click();
  await expect(page.getByRole('alert')).toContainText('no vacancy in it');
});
