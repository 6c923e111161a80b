// A member with the link can send any presence it likes: it must not reach into the others'
// browsers (no CSS of its choosing, no fetches), nor crowd the screen, nor make them answer
// each fake newcomer. The fake members are real sockets with the real link
// (tools/hostile-peer), so everything they send passes the relay as a partner's would.
import { test, expect, type Browser, type BrowserContext } from '@playwright/test';
import { createVacancy, hostilePeers } from './helpers';

/**
 * Every frame is `[protocol version][postcard ClientMsg]`, and postcard writes the variant's
 * index first: `Presence` is the fourth variant of `ClientMsg` (protocol/src/message.rs).
 */
const PRESENCE_VARIANT = 3;

/** Proxies the pages' sockets to the relay and notes when each presence frame was sent. */
async function presenceSentBy(context: BrowserContext) {
  const sentAt: number[] = [];
  await context.routeWebSocket(/\/sync$/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((message) => {
      if (typeof message !== 'string' && message[1] === PRESENCE_VARIANT) sentAt.push(Date.now());
      server.send(message);
    });
  });
  return sentAt;
}

test('a hostile presence colour is drawn in a safe colour and fetches nothing', async ({ browser }) => {
  const context = await browser.newContext();
  const fetched: string[] = [];
  context.on('request', (request) => {
    if (request.url().includes('hostile.example')) fetched.push(request.url());
  });
  await context.route(/hostile\.example/, (route) => route.abort());
  const page = await context.newPage();
  const link = await createVacancy(page, 'Hostile colour');

  const mallory = await hostilePeers(link, {
    colour: 'url(http://hostile.example/pwned.png)',
    name: `Mallory ${'x'.repeat(500)}`,
    field: 'title',
  });
  try {
    const chip = page.locator('.presence .peer', { hasText: 'Mallory' });
    await expect(chip).toBeVisible();
    const tag = page.locator('.vacancy-header .peer-tag');
    await expect(tag).toContainText('Mallory');
    // Give a fetch the time it would take, then check that none was even tried.
    await page.waitForTimeout(1_000);
    expect(fetched).toEqual([]);
    // Drawn in the neutral colour, with nothing of the sender's in any style.
    await expect(page.locator('[style*="url"]')).toHaveCount(0);
    const swatch = chip.locator('.swatch');
    await expect(swatch).toHaveCSS('background-image', 'none');
    await expect(swatch).toHaveCSS('background-color', 'rgb(91, 100, 112)');
    await expect(tag).toHaveCSS('background-image', 'none');
    // The name is cut short, in the bar and on the field.
    expect((await chip.innerText()).trim().length).toBeLessThanOrEqual(60);
    expect((await tag.innerText()).trim().length).toBeLessThanOrEqual(60);
  } finally {
    await mallory.stop();
  }
});

/** Creates a vacancy in a new browser and floods it with 40 fake members. */
async function flooded(browser: Browser, title: string) {
  const context = await browser.newContext();
  const sentAt = await presenceSentBy(context);
  const page = await context.newPage();
  const link = await createVacancy(page, title);
  const start = Date.now();
  // More than the engine keeps (32), arriving over four seconds; fewer than the relay allows
  // connections from one address.
  const flood = await hostilePeers(link, { senders: 40, arriveEveryMs: 100, name: 'Bot {n}' });
  return { page, sentAt, start, flood };
}

test('a flood of fake members is answered at most once a second', async ({ browser }) => {
  const { page, sentAt, start, flood } = await flooded(browser, 'Flooded vacancy');
  try {
    // Time for the last newcomer to be answered, were it answered.
    await page.waitForTimeout(1_500);
    const seconds = (Date.now() - start) / 1000;
    const replies = sentAt.filter((t) => t >= start).length;
    // Answering every newcomer would be 32 or more; at most one a second (plus the regular
    // announcement every five seconds) is what a partner may cost.
    expect(replies).toBeGreaterThanOrEqual(1);
    expect(replies).toBeLessThanOrEqual(Math.ceil(seconds) + 2);
  } finally {
    await flood.stop();
  }
});

test('a flood of fake members shows a few and counts the rest', async ({ browser }) => {
  const { page, flood } = await flooded(browser, 'Crowded vacancy');
  try {
    const chips = page.locator('.presence .peer');
    const more = page.locator('.presence .peer-more');
    await expect(more).toHaveText(/^\+\d+ more$/);
    await expect(chips).toHaveCount(8);
    // The first to arrive are the ones shown.
    await expect(chips.first()).toContainText('Bot 1');
    const hidden = Number((await more.innerText()).replace(/\D/g, ''));
    expect(8 + hidden).toBeLessThanOrEqual(32);
  } finally {
    await flood.stop();
  }
});
