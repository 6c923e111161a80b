// Served over plain http on a non-local name (a LAN deployment), the browser withholds the
// secure-context APIs (clipboard, share, storage manager). Tandem must still work.
import { test, expect, chromium } from '@playwright/test';
import { sayWhoIAm, joinVacancy } from './helpers';
import config from '../playwright.config';

test('works on a plain-http address without secure-context APIs', async () => {
  const port = new URL(config.use!.baseURL!).port;
  const launch = config.use!.launchOptions!;
  const browser = await chromium.launch({
    ...launch,
    // tandem.test is not localhost, so http://tandem.test is not a secure context.
    args: [...(launch.args ?? []), '--host-resolver-rules=MAP tandem.test 127.0.0.1'],
  });
  try {
    const base = `http://tandem.test:${port}`;
    const a = await (await browser.newContext()).newPage();
    await a.goto(base);
    expect(await a.evaluate(() => window.isSecureContext)).toBe(false);
    await a.getByLabel('Title of the new vacancy').fill('Magazijnmedewerker');
    await a.getByRole('button', { name: 'Create vacancy' }).click();
    await sayWhoIAm(a, 'Rita Recruiter', 'recruiter');
    await expect(a.getByLabel('Vacancy title')).toHaveValue('Magazijnmedewerker');
    await expect(a.getByRole('status', { name: 'Sync status' })).toContainText('Up to date');

    // No clipboard API here: the button selects the link for the user to copy.
    await a.getByRole('button', { name: 'Copy link' }).click();
    const selected = await a.evaluate(() => {
      const input = document.getElementById('share-link') as HTMLInputElement;
      return input.value.slice(input.selectionStart ?? 0, input.selectionEnd ?? 0);
    });
    expect(selected).toMatch(/^http:\/\/tandem\.test:\d+\/v\/.+#.+/);

    const b = await (await browser.newContext()).newPage();
    await joinVacancy(b, selected, 'Marloes', 'hiring manager');
    await expect(b.getByLabel('Vacancy title')).toHaveValue('Magazijnmedewerker');
  } finally {
    await browser.close();
  }
});
