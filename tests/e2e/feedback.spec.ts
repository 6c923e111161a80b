// The interview page: the kit (printable) and the one-minute feedback form on a Dutch phone,
// feedback given offline that reaches the recruiter once the phone is back, independent
// judgement between two interviewers, and a draft that never leaves the device.
import { test, expect, type Page, type WebSocket } from '@playwright/test';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import {
  addCriterion,
  createVacancy,
  dutchPhone,
  expectTouchFriendly,
  joinVacancy,
  laptop,
  switchableNetwork,
  syncStatus,
} from './helpers';

const SCREENS = 'test-results/screens';

/** The sync indicator of a page in Dutch. */
function phoneSync(page: Page) {
  return page.getByRole('status', { name: 'Synchronisatiestatus' });
}

/** Opens a section of the vacancy by the section bar (English interface). */
async function openTab(page: Page, name: string) {
  const tab = page.getByRole('navigation', { name: 'Sections of this vacancy' }).getByRole('link', { name, exact: true });
  await tab.click();
  await expect(tab).toHaveAttribute('aria-current', 'page');
}

/** A local "YYYY-MM-DDTHH:MM" some hours from the page's now (negative: in the past). */
async function localTime(page: Page, hoursFromNow: number) {
  return page.evaluate((h) => {
    const d = new Date(Date.now() + h * 3_600_000);
    const p = (n: number) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:00`;
  }, hoursFromNow);
}

/**
 * On the recruiter's laptop: two criteria (with a question for the first), a stage that
 * assesses both, a candidate, and an interview of them in that stage by `interviewers`, two
 * hours ago. Returns the interview page's address.
 */
async function planInterview(recruiter: Page, candidate: string, interviewers: string[]) {
  await addCriterion(recruiter, 'Communication');
  const first = recruiter.locator('.criterion').first();
  await first.getByText('Rating scale and questions').click();
  await first.getByLabel('New question').fill('Tell me about a time you had to explain a hard decision to a customer.');
  await first.getByRole('button', { name: 'Add question' }).click();
  await addCriterion(recruiter, 'Ownership');

  await openTab(recruiter, 'Intake');
  await recruiter.getByLabel('New stage').fill('First interview');
  await recruiter.locator('.add-row').filter({ hasText: 'New stage' }).getByRole('button', { name: 'Add' }).click();
  const stage = recruiter.locator('.stage').first();
  for (const name of ['Communication', 'Ownership']) {
    await stage.locator('.focus-criteria').getByLabel(name).check();
  }

  await openTab(recruiter, 'Candidates');
  await recruiter.getByLabel('Name of the new candidate').fill(candidate);
  await recruiter.getByRole('button', { name: 'Add candidate' }).click();
  const plan = recruiter.locator('form').filter({ has: recruiter.getByRole('button', { name: 'Plan interview' }) });
  await plan.getByLabel('Stage').selectOption({ label: 'First interview' });
  await plan.getByLabel('Date and time').fill(await localTime(recruiter, -2));
  await plan.getByRole('button', { name: 'Plan interview' }).click();
  const entry = recruiter.locator('.interview-entry').first();
  await expect(entry).toBeVisible();
  for (const name of interviewers) {
    await entry.getByRole('group', { name: 'Interviewers' }).getByLabel(name).check();
  }
  const href = await entry.getByRole('link', { name: 'Kit and feedback' }).getAttribute('href');
  expect(href).toMatch(/\/interview\/[^/#]+$/);
  return href!;
}

/** One criterion's part of the feedback form. */
function rating(page: Page, criterion: string) {
  return page.locator('form.feedback-form fieldset.rating').filter({ has: page.locator('legend', { hasText: criterion }) });
}

/** Fills the Dutch form: a level and evidence per criterion, then the recommendation and note. */
async function fillDutchForm(page: Page, evidence: Record<string, [string, string]>, recommendation: string | null, note = '') {
  for (const [criterion, [level, text]] of Object.entries(evidence)) {
    const part = rating(page, criterion);
    await part.getByRole('radio', { name: new RegExp(`^${level}`) }).check();
    await part.getByRole('textbox', { name: 'Bewijs: wat zag of hoorde je?' }).fill(text);
  }
  if (recommendation) {
    await page.locator('fieldset.verdict').getByRole('radio', { name: recommendation, exact: true }).check();
  }
  if (note) await page.getByRole('textbox', { name: 'Notitie voor de volgende interviewer' }).fill(note);
}

test('a hiring manager gives feedback on a phone while offline; the recruiter sees it once the phone is back', async ({ browser }) => {
  test.setTimeout(150_000);
  const recruiter = await (await browser.newContext(laptop)).newPage();
  const phone = await browser.newContext(dutchPhone);
  const network = await switchableNetwork(phone);
  const manager = await phone.newPage();

  const link = await createVacancy(recruiter, 'Teamleider klantenservice', 'Reza', 'recruiter');
  await joinVacancy(manager, link, 'Marloes', 'hiring manager');
  const path = await planInterview(recruiter, 'Anna de Vries', ['Marloes']);

  // The recruiter is not interviewing: the page says who is, and that only they give feedback.
  await recruiter.goto(path);
  await expect(recruiter.getByRole('heading', { name: 'Interview with Anna de Vries' })).toBeVisible();
  await expect(recruiter.locator('.interviewer')).toHaveText([/Marloes.*no feedback yet/]);
  await expect(recruiter.getByText('Only the interviewers of this interview give feedback here.')).toBeVisible();
  await expect(recruiter.locator('form.feedback-form')).toHaveCount(0);

  // The hiring manager's kit, in Dutch: the stage's criteria with their scale and questions, and
  // how to interview well.
  await manager.goto(path);
  await expect(manager.getByRole('heading', { name: 'Gesprek met Anna de Vries' })).toBeVisible();
  const kit = manager.locator('section.kit');
  await expect(kit.locator('.kit-criterion h4')).toHaveText(['Communication', 'Ownership']);
  await expect(kit.locator('.kit-criterion').first()).toContainText('Tell me about a time you had to explain a hard decision');
  await expect(kit.locator('.kit-criterion').first().locator('.kit-scale li')).toHaveCount(4);
  await expect(kit.locator('.kit-criterion').first().locator('.kit-scale li').nth(2)).toContainText('3 · goed');
  await expect(kit.locator('.kit-criterion').first().locator('.kit-scale li').nth(2)).toContainText('Clear, recent examples');
  await expect(kit.getByText('Zo voer je een goed gesprek')).toBeVisible();
  await expect(kit.getByText(/^Halo-effect/)).toBeVisible();
  await expect(kit.getByText(/^Contrasteffect/)).toBeVisible();
  await expect(kit.getByText('Geen notities uit eerdere gesprekken.')).toBeVisible();
  await expect(kit.getByRole('button', { name: 'Afdrukken' })).toBeVisible();
  mkdirSync(SCREENS, { recursive: true });
  await manager.screenshot({ path: `${SCREENS}/feedback-kit-phone-nl.png`, fullPage: true });

  // On paper: the kit alone, with boxes and lines to write on.
  await manager.emulateMedia({ media: 'print' });
  await expect(manager.locator('form.feedback-form')).toBeHidden();
  await expect(manager.locator('.topbar')).toBeHidden();
  await expect(manager.locator('nav.sections')).toBeHidden();
  await expect(manager.locator('.share')).toBeHidden();
  await expect(kit.getByRole('button', { name: 'Afdrukken' })).toBeHidden();
  await expect(kit.locator('.kit-criterion').first().locator('.paper-lines')).toBeVisible();
  await manager.screenshot({ path: `${SCREENS}/feedback-kit-print.png`, fullPage: true });
  await manager.emulateMedia({ media: 'screen' });

  // The form: past the kit in one tap; one thumb, every target big enough, nothing sideways,
  // also at 360 px.
  const form = manager.locator('form.feedback-form');
  await manager.getByRole('button', { name: 'Naar het feedbackformulier' }).click();
  await expect(manager.getByRole('heading', { name: 'Jouw feedback' })).toBeInViewport();
  await expect(manager.getByRole('heading', { name: 'Jouw feedback' })).toBeFocused();
  await expect(rating(manager, 'Communication').getByRole('radio')).toHaveCount(4);
  await expect(form.locator('input[name^="score-"][value="3"]')).toHaveCount(2);
  await expect(form.locator('fieldset.verdict input[name="recommendation"]')).toHaveCount(4);
  await expect(form.locator('fieldset.verdict label')).toHaveText(['Zeker niet', 'Nee', 'Ja', 'Zeker wel']);
  await expectTouchFriendly(manager);
  await manager.setViewportSize({ width: 360, height: 800 });
  await expectTouchFriendly(manager);
  await manager.setViewportSize(dutchPhone.viewport);
  await manager.getByRole('button', { name: 'Naar het feedbackformulier' }).click();
  await manager.screenshot({ path: `${SCREENS}/feedback-form-phone-nl.png` });

  // Offline, she fills it in; without a recommendation it is refused, plainly.
  await network.offline();
  await expect(phoneSync(manager)).toContainText('Offline');
  await fillDutchForm(manager, {
    Communication: ['3 · goed', 'Legde de prijswijziging helder uit aan een boze klant.'],
    Ownership: ['4 · uitstekend', 'Zette zelf een terugbelronde op na de storing.'],
  }, null, 'Vraag door op leidinggeven: nog geen voorbeeld gehoord.');
  await form.getByRole('button', { name: 'Feedback versturen' }).click();
  await expect(form.getByRole('alert')).toHaveText('Kies eerst een eindadvies: zeker niet, nee, ja of zeker wel.');
  await form.locator('fieldset.verdict').getByRole('radio', { name: 'Ja', exact: true }).check();
  await expect(form.getByText('Kies eerst een eindadvies')).toHaveCount(0);
  await form.getByRole('button', { name: 'Feedback versturen' }).click();

  // Submitted: confirmed, and the form is replaced by what she sent.
  await expect(manager.getByRole('status').filter({ hasText: 'Feedback verstuurd. Dank je wel!' })).toBeVisible();
  await expect(manager.locator('form.feedback-form')).toHaveCount(0);
  const mine = manager.locator('.feedback-done .feedback-record');
  await expect(mine.locator('.recommendation-chip')).toHaveText('Ja');
  await expect(mine).toContainText('Legde de prijswijziging helder uit aan een boze klant.');
  await expect(mine).toContainText('4 · uitstekend');
  await manager.locator('.feedback-done').scrollIntoViewIfNeeded();
  await manager.screenshot({ path: `${SCREENS}/feedback-sent-phone-nl.png` });

  // Nothing reached the recruiter while the phone was offline …
  await expect(recruiter.getByText('No feedback from others yet.')).toBeVisible();
  await manager.waitForTimeout(500);
  await expect(recruiter.getByText('Legde de prijswijziging')).toHaveCount(0);

  // … and once it is back online, the recruiter's laptop shows her feedback.
  await network.online([manager]);
  await expect(phoneSync(manager)).toContainText('Bijgewerkt');
  const theirs = recruiter.locator('.others-feedback .feedback-record');
  await expect(theirs).toHaveCount(1);
  await expect(theirs).toContainText('Marloes');
  await expect(theirs.locator('.recommendation-chip')).toHaveText('Yes');
  await expect(theirs).toContainText('3 · good');
  await expect(theirs).toContainText('Legde de prijswijziging helder uit aan een boze klant.');
  await expect(theirs).toContainText('Vraag door op leidinggeven');
  await expect(recruiter.locator('.interviewer')).toHaveText([/Marloes.*feedback given/]);
  await recruiter.screenshot({ path: `${SCREENS}/feedback-laptop-en.png`, fullPage: true });
});

test('a second interviewer sees no ratings of the first until submitting their own', async ({ browser }) => {
  test.setTimeout(150_000);
  const recruiter = await (await browser.newContext(laptop)).newPage();
  const manager = await (await browser.newContext(dutchPhone)).newPage();
  const link = await createVacancy(recruiter, 'Backend developer', 'Reza', 'recruiter');
  await joinVacancy(manager, link, 'Marloes', 'hiring manager');
  const path = await planInterview(recruiter, 'Bram Jansen', ['Reza', 'Marloes']);

  // Reza interviews too, and submits first.
  await recruiter.goto(path);
  const form = recruiter.locator('form.feedback-form');
  await rating(recruiter, 'Communication').getByRole('radio', { name: /^4 · excellent/ }).check();
  await rating(recruiter, 'Communication').getByRole('textbox', { name: 'Evidence: what did you see or hear?' }).fill('Reza saw: explained the outage to the board in plain words.');
  await form.locator('fieldset.verdict').getByRole('radio', { name: 'Strong yes', exact: true }).check();
  await form.getByRole('button', { name: 'Submit feedback' }).click();
  await expect(recruiter.getByText('Feedback submitted. Thank you!')).toBeVisible();

  // Marloes, not yet submitted: how many have, but nothing of what.
  await manager.goto(path);
  const others = manager.locator('.others-feedback');
  await expect(others.getByText('1 van 2 hebben feedback gegeven; je ziet die van de anderen nadat je je eigen feedback hebt verstuurd.')).toBeVisible();
  await expect(manager.locator('.interviewer').filter({ hasText: 'Reza' })).toContainText('feedback gegeven');
  await expect(manager.locator('.feedback-record')).toHaveCount(0);
  await expect(manager.getByText('explained the outage')).toHaveCount(0);
  await expect(manager.getByText('Zeker wel', { exact: true })).toHaveCount(1); // only her own choice in the form

  // She submits her own; now she sees his.
  await fillDutchForm(manager, { Communication: ['2 · matig', 'Marloes zag: bleef vaag over zijn eigen rol.'] }, 'Nee');
  await manager.locator('form.feedback-form').getByRole('button', { name: 'Feedback versturen' }).click();
  await expect(manager.getByText('Feedback verstuurd. Dank je wel!')).toBeVisible();
  const his = others.locator('.feedback-record');
  await expect(his).toHaveCount(1);
  await expect(his).toContainText('Reza');
  await expect(his.locator('.recommendation-chip')).toHaveText('Zeker wel');
  await expect(his).toContainText('Reza saw: explained the outage to the board in plain words.');
  // And Reza, who had submitted, sees hers as it arrives.
  await expect(recruiter.locator('.others-feedback .feedback-record')).toContainText('Marloes zag: bleef vaag over zijn eigen rol.');
});

/** Document data a page sends to the relay: `Append` and `Snapshot` frames (see protocol/src/message.rs). */
function documentFrames(page: Page) {
  const sent: Buffer[] = [];
  page.on('websocket', (ws: WebSocket) => {
    ws.on('framesent', (frame) => {
      if (typeof frame.payload !== 'string') sent.push(Buffer.from(frame.payload));
    });
  });
  return {
    all: sent,
    // [protocol version 3][variant: 1 = Append, 2 = Snapshot]
    count: () => sent.filter((f) => f[0] === 3 && (f[1] === 1 || f[1] === 2)).length,
  };
}

/** The relay's stored data, by file size (the log is SQLite, and a stored change grows it). */
/**
 * A fingerprint of what the relay has stored: the hash of its database and write-ahead log. Any
 * committed write changes one of them (a write can reuse log space without changing any file's
 * size, so sizes are no measure); the shared-memory index is left out, as readers touch it too.
 */
function relayBytes() {
  const dir = process.env.TANDEM_E2E_DATA_DIR!;
  const hash = createHash('sha256');
  for (const f of readdirSync(dir).filter((f) => f === 'relay.sqlite3' || f === 'relay.sqlite3-wal').sort()) {
    hash.update(f);
    hash.update(readFileSync(join(dir, f)));
  }
  return hash.digest('hex');
}

test('a feedback draft stays on the device: not in the partner’s browser, not sent to the relay, kept across a reload', async ({ browser }) => {
  test.setTimeout(150_000);
  const recruiter = await (await browser.newContext(laptop)).newPage();
  const manager = await (await browser.newContext(dutchPhone)).newPage();
  const frames = documentFrames(manager);
  const link = await createVacancy(recruiter, 'Controller', 'Reza', 'recruiter');
  await joinVacancy(manager, link, 'Marloes', 'hiring manager');
  const path = await planInterview(recruiter, 'Carla Smit', ['Marloes']);
  await recruiter.goto(path);
  await manager.goto(path);
  await expect(manager.locator('form.feedback-form')).toBeVisible();
  await expect(phoneSync(manager)).toContainText('Bijgewerkt');
  await expect(syncStatus(recruiter)).toContainText('Up to date');

  const secret = 'Conceptnotitie: twijfel over referentie bij vorige werkgever';
  const sentBefore = frames.count();
  const storedBefore = relayBytes();
  const part = rating(manager, 'Communication');
  await part.getByRole('radio', { name: /^2 · matig/ }).check();
  await part.getByRole('textbox', { name: 'Bewijs: wat zag of hoorde je?' }).pressSequentially(secret, { delay: 5 });
  await expect(manager.getByText('Concept bewaard op dit apparaat')).toBeVisible();
  await manager.waitForTimeout(1_500);

  // Nothing of the draft left the phone: no change was sent or stored, and the partner has none.
  expect(frames.count()).toBe(sentBefore);
  expect(frames.all.some((f) => f.includes(Buffer.from('twijfel over referentie')))).toBe(false);
  expect(relayBytes()).toBe(storedBefore);
  await expect(recruiter.getByText('twijfel over referentie')).toHaveCount(0);
  await expect(recruiter.getByText('No feedback from others yet.')).toBeVisible();

  // A reload brings the draft back, from this device.
  await manager.reload();
  const again = rating(manager, 'Communication');
  await expect(again.getByRole('textbox', { name: 'Bewijs: wat zag of hoorde je?' })).toHaveValue(secret);
  await expect(again.getByRole('radio', { name: /^2 · matig/ })).toBeChecked();
  expect(frames.count()).toBe(sentBefore);

  // Submitted, it goes out as one change, and only now does the partner see it.
  await manager.locator('fieldset.verdict').getByRole('radio', { name: 'Nee', exact: true }).check();
  await manager.locator('form.feedback-form').getByRole('button', { name: 'Feedback versturen' }).click();
  await expect(manager.getByText('Feedback verstuurd. Dank je wel!')).toBeVisible();
  await expect(recruiter.locator('.others-feedback .feedback-record')).toContainText(secret);
  expect(frames.count()).toBeGreaterThan(sentBefore);
  expect(relayBytes()).not.toBe(storedBefore);

  // The draft is gone with the submission: a reload shows the submitted feedback, no form.
  await manager.reload();
  await expect(manager.locator('.feedback-done .feedback-record')).toContainText(secret);
  await expect(manager.locator('form.feedback-form')).toHaveCount(0);
});

test('feedback owed is listed with its state, and a nudge gives a link straight to that feedback form', async ({ browser }) => {
  test.setTimeout(150_000);
  const laptopContext = await browser.newContext(laptop);
  await laptopContext.grantPermissions(['clipboard-read', 'clipboard-write']);
  const recruiter = await laptopContext.newPage();
  const manager = await (await browser.newContext(dutchPhone)).newPage();
  const link = await createVacancy(recruiter, 'Accountmanager', 'Reza', 'recruiter');
  await joinVacancy(manager, link, 'Marloes', 'hiring manager');
  const path = await planInterview(recruiter, 'Dirk Bakker', ['Marloes', 'Reza']);

  // The interview ended an hour ago: both owe feedback, due within the agreed working hours.
  await openTab(recruiter, 'Candidates');
  const owed = recruiter.locator('.feedback-owed');
  await expect(owed.getByRole('heading', { name: 'Feedback owed' })).toBeVisible();
  const hers = owed.locator('.owed').filter({ hasText: 'Marloes' });
  await expect(hers).toContainText('Dirk Bakker');
  await expect(hers).toContainText(/Interview .+ · due .+/);
  await expect(hers.locator('.status-chip')).toHaveText(/On time|Due soon|Overdue/);
  // His own is no nudge but the way to his form.
  const his = owed.locator('.owed').filter({ hasText: 'Reza' });
  await expect(his.getByRole('link', { name: 'Give your feedback' })).toHaveAttribute('href', path);

  // The nudge copies a link to her form, with the vacancy's secret, and says so.
  await hers.getByRole('button', { name: 'Nudge (Marloes)' }).click();
  await expect(hers.getByText('Link copied')).toBeVisible();
  const nudge = await recruiter.evaluate(() => navigator.clipboard.readText());
  const secret = link.split('#')[1];
  expect(nudge).toBe(`${new URL(link).origin}${path}?feedback#${secret}`);

  // On her phone the link opens the interview at the form, and the secret leaves the address.
  await manager.goto(nudge);
  const heading = manager.getByRole('heading', { name: 'Jouw feedback' });
  await expect(heading).toBeFocused();
  await expect(heading).toBeInViewport();
  await expect.poll(() => manager.evaluate(() => location.hash)).toBe('');

  // A device that never had the vacancy joins by the same link.
  const stranger = await (await browser.newContext(laptop)).newPage();
  await joinVacancy(stranger, nudge, 'Iris', 'interviewer');
  await expect(stranger.getByRole('heading', { name: 'Interview with Dirk Bakker' })).toBeVisible();

  // Once she has submitted, her line leaves the list.
  await fillDutchForm(manager, { Communication: ['3 · goed', 'Noemde drie klanten die hij zelf binnenhaalde.'] }, 'Ja');
  await manager.locator('form.feedback-form').getByRole('button', { name: 'Feedback versturen' }).click();
  await expect(hers).toHaveCount(0);
  await expect(his).toHaveCount(1);
});
