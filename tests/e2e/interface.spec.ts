// Language, profile and accessible markup.
import { test, expect } from '@playwright/test';
import { addCriterion, createVacancy, joinVacancy } from './helpers';

test('the language follows the browser and the switch is remembered', async ({ browser }) => {
  const dutch = await (await browser.newContext({ locale: 'nl-NL' })).newPage();
  await dutch.goto('/');
  await expect(dutch.getByRole('heading', { name: 'Jouw vacatures' })).toBeVisible();
  await expect(dutch.locator('html')).toHaveAttribute('lang', 'nl');

  const english = await (await browser.newContext({ locale: 'en-GB' })).newPage();
  await english.goto('/');
  await expect(english.getByRole('heading', { name: 'Your vacancies' })).toBeVisible();
  await english.locator('.settings summary').click();
  await english.getByLabel('Language').selectOption('nl');
  await expect(english.getByRole('heading', { name: 'Jouw vacatures' })).toBeVisible();
  await english.reload();
  await expect(english.getByRole('heading', { name: 'Jouw vacatures' })).toBeVisible();
});

test('partners see each other by the name and colour chosen on the device', async ({ browser }) => {
  const a = await (await browser.newContext()).newPage();
  const link = await createVacancy(a, 'Teamlead');
  await a.locator('.settings summary').click();
  await a.getByLabel('Your name').fill('Reza (recruiter)');
  const b = await (await browser.newContext()).newPage();
  await joinVacancy(b, link, 'Marloes', 'hiring manager');
  await expect(b.locator('.presence')).toContainText('Reza (recruiter)');
  // Focus is shown on the field someone is editing.
  await a.getByLabel('Vacancy title').focus();
  await expect(b.locator('.vacancy-header .peer-tag')).toHaveText('Reza (recruiter)');
});

test('every control has an accessible name', async ({ page }) => {
  await createVacancy(page, 'Accessibility check');
  await addCriterion(page, 'Empathy');
  const unnamed = await page.evaluate(() => {
    const bad: string[] = [];
    for (const el of Array.from(document.querySelectorAll('input, textarea, select, button'))) {
      const e = el as HTMLInputElement;
      const named =
        (e.labels && e.labels.length > 0) ||
        e.getAttribute('aria-label') ||
        (el.tagName === 'BUTTON' && el.textContent!.trim().length > 0);
      if (!named) bad.push(el.outerHTML.slice(0, 120));
    }
    return bad;
  });
  expect(unnamed).toEqual([]);
});

test('the share button copies the link', async ({ browser }) => {
  const context = await browser.newContext();
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const page = await context.newPage();
  const link = await createVacancy(page, 'Share me');
  await page.getByRole('button', { name: 'Copy link' }).click();
  await expect(page.getByText('Link copied')).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(link);
});
