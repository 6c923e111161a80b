// Voice memos (issue 10): the hiring manager records one on a Dutch phone while offline and
// submits; back online, the memo goes to the relay in the background, sealed, and the
// recruiter's laptop plays it, in the feedback and in the comparison. The relay's files hold the
// sealed memo and none of the audio. And a refused microphone is said plainly.
//
// Chromium's fake microphone (`--use-fake-device-for-media-stream`) records a real test tone;
// `--use-fake-ui-for-media-stream` answers the permission question with yes. Both only here.
import { test, expect, chromium, type Page } from '@playwright/test';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import config from '../playwright.config';
import { audioBytes, watchAudio } from './audio';
import {
  addCandidateWithInterview,
  addCriterion,
  addStage,
  createVacancy,
  dutchPhone,
  expectNoSeriousA11yViolations,
  expectTouchFriendly,
  joinVacancy,
  laptop,
  switchableNetwork,
} from './helpers';

const SHOTS = process.env.MEMO_SHOTS ?? 'test-results/screens';
const base = config.use!.launchOptions!;
// For this file only: a browser with a fake microphone, whose prompt is answered for us.
test.use({
  launchOptions: {
    ...base,
    args: [...(base.args ?? []), '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
  },
});

/** The sealed blobs this page's device keeps in IndexedDB. */
async function sealedBlobs(page: Page): Promise<Buffer[]> {
  const all = await page.evaluate(
    () =>
      new Promise<number[][]>((resolve, reject) => {
        const open = indexedDB.open('tandem');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const get = open.result.transaction('blobs').objectStore('blobs').getAll();
          get.onsuccess = () => resolve(get.result.map((b: Uint8Array) => Array.from(b)));
          get.onerror = () => reject(get.error);
        };
      }),
  );
  return all.map((b) => Buffer.from(b));
}

/** Waits until the audio element under `selector` knows a finite duration, and returns it. */
async function duration(page: Page, selector: string) {
  await expect
    .poll(() => page.evaluate((sel) => {
      const d = document.querySelector<HTMLAudioElement>(sel)?.duration ?? 0;
      return Number.isFinite(d) ? d : 0;
    }, selector), { timeout: 15_000 })
    .toBeGreaterThan(0);
  return page.evaluate((sel) => document.querySelector<HTMLAudioElement>(sel)!.duration, selector);
}

test.describe('with a microphone that says yes', () => {
  test('a memo recorded offline on a phone reaches the recruiter sealed, and plays there', async ({ browser }) => {
    test.setTimeout(180_000);
    const laptopContext = await browser.newContext(laptop);
    await watchAudio(laptopContext);
    const recruiter = await laptopContext.newPage();
    const phone = await browser.newContext(dutchPhone);
    await watchAudio(phone);
    const network = await switchableNetwork(phone);
    const manager = await phone.newPage();

    const link = await createVacancy(recruiter, 'Teamleider klantenservice', 'Reza', 'recruiter');
    const doc = new URL(link).pathname.split('/')[2];
    await joinVacancy(manager, link, 'Marloes', 'hiring manager');
    await addCriterion(recruiter, 'Klantgerichtheid');
    await addStage(recruiter, 'Eerste gesprek');
    const path = await addCandidateWithInterview(recruiter, 'Anna de Vries', '2026-11-30T09:00', ['Marloes']);

    await manager.goto(path);
    const form = manager.locator('form.feedback-form');
    const recorder = form.locator('fieldset.memo-recorder');
    await expect(form.getByRole('group', { name: 'Spraakmemo' })).toBeVisible();

    // Offline: the relay is out of reach, for the socket and for HTTP alike.
    await network.offline();
    await phone.setOffline(true);

    await recorder.getByRole('button', { name: 'Opnemen' }).click();
    await expect(recorder.getByRole('timer')).toContainText(/Opname 0:0\d van 3:00/);
    await expect(recorder.getByRole('timer')).toContainText('Opname 0:02 van 3:00', { timeout: 5_000 });
    mkdirSync(SHOTS, { recursive: true });
    await recorder.scrollIntoViewIfNeeded();
    await manager.screenshot({ path: `${SHOTS}/memo-recording-phone-nl.png` });
    await recorder.getByRole('button', { name: 'Stoppen' }).click();

    // Kept in the draft: listen back, record again or remove; all big enough for a thumb.
    const own = recorder.locator('.memo-player');
    await expect(own.locator('audio')).toHaveCount(1);
    await expect(own.locator('.memo-label')).toHaveText(/Spraakmemo · 0:0[23]/);
    await expect(recorder.getByRole('button', { name: 'Opnieuw opnemen' })).toBeVisible();
    await expect(recorder.getByRole('button', { name: 'Memo verwijderen' })).toBeVisible();
    expect(await duration(manager, '.memo-recorder audio')).toBeGreaterThan(1);
    // The recorded bytes, for the comparisons below; the player plays exactly those.
    const audio = await audioBytes(manager, 'recorded');
    expect((await audioBytes(manager, 'played')).equals(audio)).toBe(true);
    expect(audio.length).toBeGreaterThan(1000);
    await expectTouchFriendly(manager);
    await expectNoSeriousA11yViolations(manager, 'the feedback form with a recorded memo');
    await recorder.scrollIntoViewIfNeeded();
    await manager.screenshot({ path: `${SHOTS}/memo-recorded-phone-nl.png` });

    // Submitted offline: the memo waits on the phone.
    await form.locator('fieldset.verdict').getByRole('radio', { name: 'Ja', exact: true }).check();
    await form.getByRole('button', { name: 'Feedback versturen' }).click();
    await expect(manager.locator('form.feedback-form')).toHaveCount(0);
    const mine = manager.locator('.feedback-done .feedback-record');
    await expect(mine.locator('.memo-label')).toHaveText(/Spraakmemo · 0:0[23]/);
    await expect(mine.locator('.memo-upload')).toHaveText('De memo wacht op verzending; hij gaat zodra de server bereikbaar is.');
    await mine.scrollIntoViewIfNeeded();
    await manager.screenshot({ path: `${SHOTS}/memo-waiting-phone-nl.png` });

    // Online again: the feedback syncs and the memo goes up in the background.
    await phone.setOffline(false);
    await network.online([manager]);
    await expect(mine.locator('.memo-upload')).toHaveCount(0, { timeout: 30_000 });

    // The recruiter plays it (fetched ahead of time on a fast connection, or on the press).
    await recruiter.goto(path);
    const theirs = recruiter.locator('.others-feedback .feedback-record');
    await expect(theirs).toHaveCount(1);
    await expect(theirs.locator('.memo-label')).toHaveText(/Voice memo · 0:0[23]/);
    const play = theirs.getByRole('button', { name: 'Play voice memo' });
    // Fetched ahead on a fast connection, the button may turn into the player under the click.
    await play.click({ timeout: 3_000 }).catch(() => {});
    await expect(theirs.locator('audio')).toHaveCount(1);
    expect(await duration(recruiter, '.others-feedback audio')).toBeGreaterThan(1);
    // What the recruiter hears is exactly what was recorded.
    expect((await audioBytes(recruiter, 'played')).equals(audio)).toBe(true);
    await theirs.scrollIntoViewIfNeeded();
    await recruiter.screenshot({ path: `${SHOTS}/memo-recruiter-laptop-en.png` });

    // And in the comparison.
    await recruiter.goto(`/v/${doc}/compare`);
    const memos = recruiter.locator('section.compare-memos');
    await expect(memos.getByRole('heading', { name: 'Voice memos' })).toBeVisible();
    await expect(memos.locator('li')).toHaveCount(1);
    await expect(memos.locator('li')).toContainText('Anna de Vries · Marloes');
    const again = memos.getByRole('button', { name: 'Play voice memo' });
    await again.click({ timeout: 3_000 }).catch(() => {});
    expect(await duration(recruiter, '.compare-memos audio')).toBeGreaterThan(1);
    await memos.scrollIntoViewIfNeeded();
    await recruiter.screenshot({ path: `${SHOTS}/memo-compare-laptop-en.png` });

    // The relay's files hold the sealed memo, and no stretch of the audio.
    const sealed = await sealedBlobs(manager);
    expect(sealed).toHaveLength(1);
    const dir = process.env.TANDEM_E2E_DATA_DIR!;
    const files = readdirSync(dir).filter((f) => f.startsWith('relay.sqlite3'));
    const stored = Buffer.concat(files.map((f) => readFileSync(join(dir, f))));
    const middle = Math.floor(sealed[0].length / 2);
    expect(stored.includes(sealed[0].subarray(middle, middle + 64))).toBe(true);
    // Stretches of the audio that say something: a run of silence or padding (few distinct
    // bytes) also matches the zeros of any database page, plaintext or not.
    const stretches = [];
    for (let from = 0; from + 32 <= audio.length && stretches.length < 3; from += Math.floor(audio.length / 7)) {
      const piece = audio.subarray(from, from + 32);
      if (new Set(piece).size >= 16) stretches.push(piece);
    }
    expect(stretches.length).toBe(3);
    for (const piece of stretches) expect(stored.includes(piece)).toBe(false);
  });
});

test.describe('with a relay that is struggling', () => {
  test('a memo not sent yet says so to the recruiter; its author’s device keeps trying until it is', async ({ browser }) => {
    test.setTimeout(120_000);
    const recruiter = await (await browser.newContext(laptop)).newPage();
    const author = await browser.newContext(laptop);
    const manager = await author.newPage();
    const link = await createVacancy(recruiter, 'Data engineer', 'Rita', 'recruiter');
    await joinVacancy(manager, link, 'Henk', 'hiring manager');
    await addStage(recruiter, 'First interview');
    const path = await addCandidateWithInterview(recruiter, 'Ada Lovelace', '2026-11-30T09:00', ['Henk']);

    // Every upload the author's device tries is refused for now with a 503, as by a proxy in
    // front of a relay that is down.
    let refusedPuts = 0;
    await author.route('**/blobs/**', (route) => {
      if (route.request().method() !== 'PUT') return route.continue();
      refusedPuts += 1;
      return route.fulfill({ status: 503, contentType: 'text/plain', body: 'the relay is restarting' });
    });
    await manager.goto(path);
    const recorder = manager.locator('fieldset.memo-recorder');
    await recorder.getByRole('button', { name: 'Record' }).click();
    await expect(recorder.getByRole('timer')).toContainText('Recording 0:01 of 3:00');
    await recorder.getByRole('button', { name: 'Stop' }).click();
    await expect(recorder.locator('audio')).toHaveCount(1);
    await manager.locator('fieldset.verdict').getByRole('radio', { name: 'No', exact: true }).check();
    await manager.getByRole('button', { name: 'Submit feedback' }).click();
    const mine = manager.locator('.feedback-done .memo-player');
    await expect(mine.locator('.memo-upload')).toHaveText('The memo waits to be sent; it goes as soon as the server can be reached.');
    await expect.poll(() => refusedPuts).toBeGreaterThan(0);

    // The feedback reached the recruiter; the memo did not, and the player says so.
    await recruiter.goto(path);
    const theirs = recruiter.locator('.others-feedback .memo-player');
    await expect(theirs.locator('.memo-label')).toHaveText('Voice memo · 0:01');
    await theirs.getByRole('button', { name: 'Play voice memo' }).click();
    await expect(theirs.getByRole('status')).toHaveText(
      "This memo is not on the server yet: its author's device has not sent it. Try again later.",
    );
    await expect(theirs.locator('audio')).toHaveCount(0);

    // The relay is back: the author's device tries again by itself, and the memo plays.
    await author.unroute('**/blobs/**');
    await expect(mine.locator('.memo-upload')).toHaveCount(0, { timeout: 30_000 });
    await theirs.getByRole('button', { name: 'Play voice memo' }).click();
    await expect(theirs.locator('audio')).toHaveCount(1);
    expect(await duration(recruiter, '.others-feedback audio')).toBeGreaterThan(0);
    await expect(theirs.getByRole('status')).toHaveText('');
  });
});

test.describe('with a microphone that says yes, for a long time', () => {
  test('a recording stops at the 3-minute limit and says so; the memo stays in the draft across a reload', async ({ browser }) => {
    test.setTimeout(90_000);
    const page = await (await browser.newContext(laptop)).newPage();
    // The page's clock, so that three minutes pass at once.
    await page.clock.install();
    await createVacancy(page, 'Data engineer', 'Henk', 'hiring manager');
    await addStage(page, 'First interview');
    const path = await addCandidateWithInterview(page, 'Ada Lovelace', '2026-11-30T09:00', ['Henk']);
    await page.goto(path);
    const recorder = page.locator('fieldset.memo-recorder');
    await recorder.getByRole('button', { name: 'Record' }).click();
    await expect(recorder.getByRole('timer')).toContainText('Recording 0:00 of 3:00');
    await page.waitForTimeout(1_000);
    await page.clock.fastForward('03:01');
    await expect(recorder.getByRole('alert')).toHaveText('The recording stopped at the 3-minute limit; what you said is kept.');
    await expect(recorder.locator('.memo-label')).toHaveText('Voice memo · 3:00');
    await expect(recorder.getByRole('timer')).toHaveCount(0);
    mkdirSync(SHOTS, { recursive: true });
    await recorder.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/memo-limit-laptop-en.png` });

    // A draft's memo stays on the device with the draft.
    await expect(page.getByText('Draft saved on this device')).toBeVisible();
    await page.reload();
    await expect(recorder.locator('.memo-label')).toHaveText('Voice memo · 3:00');
    await expect(recorder.locator('audio')).toHaveCount(1);
    // Removed, it is gone from the draft, and Record is offered again.
    await recorder.getByRole('button', { name: 'Remove memo' }).click();
    await expect(recorder.locator('.memo-player')).toHaveCount(0);
    await expect(recorder.getByRole('button', { name: 'Record' })).toBeVisible();
  });
});

test.describe('with a microphone that is refused', () => {
  test('the recorder says plainly that the microphone was not allowed', async ({ baseURL }) => {
    // A browser of its own, whose prompt is not answered for us; and the person said no to
    // this site's microphone before.
    const browser = await chromium.launch({ ...base, args: [...(base.args ?? []), '--use-fake-device-for-media-stream'] });
    const context = await browser.newContext(laptop);
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    const { targetInfo } = await cdp.send('Target.getTargetInfo');
    await cdp.send('Browser.setPermission', {
      permission: { name: 'microphone' },
      setting: 'denied',
      origin: baseURL!,
      browserContextId: targetInfo.browserContextId,
    });
    await createVacancy(page, 'Data engineer', 'Henk', 'hiring manager');
    await addStage(page, 'First interview');
    const path = await addCandidateWithInterview(page, 'Ada Lovelace', '2026-11-30T09:00', ['Henk']);
    await page.goto(path);
    const recorder = page.locator('fieldset.memo-recorder');
    await recorder.getByRole('button', { name: 'Record' }).click();
    await expect(recorder.getByRole('alert')).toHaveText(
      "The microphone was not allowed. Allow it for this site in your browser's settings, then press Record again.",
    );
    // Nothing recorded, and it can be tried again.
    await expect(recorder.locator('audio')).toHaveCount(0);
    await expect(recorder.getByRole('button', { name: 'Record' })).toBeVisible();
    await expectNoSeriousA11yViolations(page, 'the feedback form after a refused microphone');
    mkdirSync(SHOTS, { recursive: true });
    await recorder.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/memo-refused-laptop-en.png` });
    await browser.close();
  });
});

test.describe('with a microphone that says yes, on a phone that is replaced', () => {
  test('a memo not sent yet travels in the device backup, and the new device sends it', async ({ browser }) => {
    test.setTimeout(180_000);
    const recruiter = await (await browser.newContext(laptop)).newPage();
    await watchAudio(recruiter.context());
    const oldPhone = await browser.newContext(laptop);
    await watchAudio(oldPhone);
    const network = await switchableNetwork(oldPhone);
    const manager = await oldPhone.newPage();
    const link = await createVacancy(recruiter, 'Data engineer', 'Rita', 'recruiter');
    await joinVacancy(manager, link, 'Henk', 'hiring manager');
    await addStage(recruiter, 'First interview');
    const path = await addCandidateWithInterview(recruiter, 'Ada Lovelace', '2026-11-30T09:00', ['Henk']);

    // Recorded and submitted offline: the memo and the feedback exist only on this phone.
    await manager.goto(path);
    // The phone must know it interviews before it goes offline: until the assignment has
    // synced, the page has no feedback form (a loaded machine showed "nobody is listed").
    const recorder = manager.locator('fieldset.memo-recorder');
    await expect(recorder).toBeVisible();
    await network.offline();
    await oldPhone.setOffline(true);
    await recorder.getByRole('button', { name: 'Record' }).click();
    await expect(recorder.getByRole('timer')).toContainText('Recording 0:02 of 3:00', { timeout: 5_000 });
    await recorder.getByRole('button', { name: 'Stop' }).click();
    await expect(recorder.locator('audio')).toHaveCount(1);
    const audio = await audioBytes(manager, 'recorded');
    expect(audio.length).toBeGreaterThan(1000);
    await manager.locator('fieldset.verdict').getByRole('radio', { name: 'Yes', exact: true }).check();
    await manager.getByRole('button', { name: 'Submit feedback' }).click();
    await expect(manager.locator('.feedback-done .memo-upload')).toHaveText(
      'The memo waits to be sent; it goes as soon as the server can be reached.',
    );

    // Still offline, the phone is backed up; then it is lost.
    await manager.goto('/');
    await manager.getByLabel('Passphrase', { exact: true }).fill('four random words here');
    await manager.getByLabel('Passphrase again').fill('four random words here');
    const [download] = await Promise.all([
      manager.waitForEvent('download'),
      manager.getByRole('button', { name: 'Download backup' }).click(),
    ]);
    // Kept apart from the old phone's browser, which deletes its downloads when it is closed.
    const file = test.info().outputPath('phone.tandem');
    await download.saveAs(file);
    // Sealed twice over: no stretch of the audio is readable in the file.
    const backup = readFileSync(file);
    expect(backup.length).toBeGreaterThan(audio.length);
    const middle = Math.floor(audio.length / 2);
    expect(backup.includes(audio.subarray(middle, middle + 32))).toBe(false);
    await oldPhone.close();

    // The new phone is restored from the file, online, and sends what the old one owed.
    const newPhone = await (await browser.newContext(laptop)).newPage();
    await newPhone.goto('/');
    await newPhone.getByLabel('Backup file').setInputFiles(file);
    await newPhone.getByLabel('Passphrase of the backup').fill('four random words here');
    await newPhone.getByRole('button', { name: 'Restore' }).click();
    await expect(newPhone.getByRole('status').filter({ hasText: 'Backup restored' })).toContainText('1 vacancies added');
    await newPhone.goto(path);
    const mine = newPhone.locator('.feedback-done .memo-player');
    await expect(mine.locator('.memo-label')).toHaveText(/Voice memo · 0:0[23]/);
    await expect(mine.locator('.memo-upload')).toHaveCount(0, { timeout: 30_000 });

    // The recruiter gets the feedback and hears exactly what was recorded on the old phone.
    await recruiter.goto(path);
    const theirs = recruiter.locator('.others-feedback .feedback-record');
    await expect(theirs).toHaveCount(1, { timeout: 30_000 });
    // Fetched ahead on a fast connection, the button may turn into the player under the click.
    await theirs.getByRole('button', { name: 'Play voice memo' }).click({ timeout: 3_000 }).catch(() => {});
    expect(await duration(recruiter, '.others-feedback audio')).toBeGreaterThan(1);
    expect((await audioBytes(recruiter, 'played')).equals(audio)).toBe(true);
  });
});

test.describe('with a microphone that says yes, and a vacancy imported from its export', () => {
  test('the device that holds a memo carries it into the imported vacancy; another says it could not', async ({ browser }) => {
    test.setTimeout(150_000);
    const context = await browser.newContext(laptop);
    await watchAudio(context);
    const page = await context.newPage();
    const link = await createVacancy(page, 'Data engineer', 'Henk', 'hiring manager');
    const doc = new URL(link).pathname.split('/')[2];
    await addStage(page, 'First interview');
    const path = await addCandidateWithInterview(page, 'Ada Lovelace', '2026-11-30T09:00', ['Henk']);
    await page.goto(path);
    const recorder = page.locator('fieldset.memo-recorder');
    await recorder.getByRole('button', { name: 'Record' }).click();
    await expect(recorder.getByRole('timer')).toContainText('Recording 0:02 of 3:00', { timeout: 5_000 });
    await recorder.getByRole('button', { name: 'Stop' }).click();
    await expect(recorder.locator('audio')).toHaveCount(1);
    const audio = await audioBytes(page, 'recorded');
    await page.locator('fieldset.verdict').getByRole('radio', { name: 'Yes', exact: true }).check();
    await page.getByRole('button', { name: 'Submit feedback' }).click();
    await expect(page.locator('.feedback-done .memo-player .memo-label')).toHaveText(/Voice memo · 0:0[23]/);

    // Exported: the file names the memo, and holds none of its audio.
    await page.goto(`/v/${doc}`);
    await page.getByRole('link', { name: 'Export, back up or remove this vacancy' }).click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download JSON' }).click(),
    ]);
    const file = test.info().outputPath('export.json');
    await download.saveAs(file);
    const exported = readFileSync(file, 'utf8');
    const feedback = JSON.parse(exported).vacancy.feedback as Record<string, { memo?: { hash: string } }>;
    expect(Object.values(feedback).filter((f) => f.memo?.hash)).toHaveLength(1);

    // Imported on the same device: a new vacancy whose feedback plays the same recording,
    // sealed anew for it and sent to the relay under it.
    await page.goto('/');
    await page.getByLabel('Import a vacancy').setInputFiles(file);
    await expect(page.getByLabel('Vacancy title')).toHaveValue('Data engineer');
    const newDoc = page.url().split('/v/')[1].split(/[/#?]/)[0];
    expect(newDoc).not.toBe(doc);
    await page.goto(path.replace(doc, newDoc));
    const carried = page.locator('.feedback-done .memo-player');
    await expect(carried.locator('.memo-label')).toHaveText(/Voice memo · 0:0[23]/);
    await expect(carried.locator('.memo-upload')).toHaveCount(0, { timeout: 30_000 });
    const play = carried.getByRole('button', { name: 'Play voice memo' });
    // Fetched ahead on a fast connection, the button may turn into the player under the click.
    await play.click({ timeout: 3_000 }).catch(() => {});
    expect(await duration(page, '.feedback-done audio')).toBeGreaterThan(1);
    expect((await audioBytes(page, 'played')).equals(audio)).toBe(true);
    await expect(page.getByText('not carried over', { exact: false })).toHaveCount(0);

    // Imported on a device that never had the audio: said plainly, and no memo that cannot play.
    const other = await (await browser.newContext(laptop)).newPage();
    await other.goto('/');
    await other.getByLabel('Import a vacancy').setInputFiles(file);
    await expect(other.getByText(
      '1 voice memo was not carried over: its audio is not in the export file and not on this device. It stays in the original vacancy.',
    )).toBeVisible();
  });
});
