// A voice memo's upload cut off in the middle (issue 10): the app, not a hand-written fetch,
// sends the memo; the connection drops after the relay stored a chunk but before its answer got
// back, so the device does not know how far the relay got. The app asks (HEAD) and goes on from
// there: no chunk is sent twice and none from the start again, the relay ends up with the whole
// sealed memo, and the recruiter hears exactly what was recorded.
//
// A memo is sent in chunks of 256 KiB, so this one must be longer than two. Chromium's fake
// microphone records a test tone that Opus packs small at the rate the browser picks; the test
// asks the browser's MediaRecorder for a high rate, constant, as a recorder on another phone
// might (the app leaves the rate to the browser, and has no knob for it), and records for
// half a minute: about 22 kB a second here, so about 600 kB, three chunks. Only the test's own
// page script changes; the app is the shipped one.
import { test, expect } from '@playwright/test';
import config from '../playwright.config';
import { audioBytes, watchAudio } from './audio';
import { addCandidateWithInterview, addStage, createVacancy, joinVacancy, laptop } from './helpers';

const CHUNK = 256 * 1024;
const base = config.use!.launchOptions!;
test.use({
  launchOptions: {
    ...base,
    args: [...(base.args ?? []), '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
  },
});

test('a memo upload cut off mid-way goes on from where the relay got to, and the recruiter plays it', async ({
  browser,
  request,
}) => {
  test.setTimeout(180_000);
  const recruiterContext = await browser.newContext(laptop);
  await watchAudio(recruiterContext);
  const recruiter = await recruiterContext.newPage();
  const author = await browser.newContext(laptop);
  await watchAudio(author, { bitsPerSecond: 510_000 });
  const manager = await author.newPage();
  const link = await createVacancy(recruiter, 'Data engineer', 'Rita', 'recruiter');
  await joinVacancy(manager, link, 'Henk', 'hiring manager');
  await addStage(recruiter, 'First interview');
  const path = await addCandidateWithInterview(recruiter, 'Ada Lovelace', '2026-11-30T09:00', ['Henk']);

  // Every blob request of the author's device goes to the real relay through here. The first
  // chunk after the start reaches the relay and is stored, but its connection drops before the
  // answer is back: the app sees a network error, as on a train going into a tunnel.
  const sent: string[] = [];
  const puts: { offset: number; total: number; status: number | 'dropped'; held: number }[] = [];
  let blobUrl = '';
  let authorization = '';
  await author.route('**/blobs/**', async (route) => {
    const req = route.request();
    const query = new URL(req.url()).searchParams;
    if (req.method() !== 'PUT') {
      const response = await route.fetch();
      sent.push(`${req.method()} ${response.status()} ${response.headers()['upload-offset'] ?? ''}`.trim());
      return route.fulfill({ response });
    }
    blobUrl = req.url().split('?')[0];
    authorization = req.headers()['authorization'];
    const offset = Number(query.get('offset'));
    const total = Number(query.get('total'));
    const response = await route.fetch();
    const held = Number(response.headers()['upload-offset']);
    const drop = offset > 0 && !puts.some((p) => p.status === 'dropped');
    puts.push({ offset, total, status: drop ? 'dropped' : response.status(), held });
    sent.push(`PUT ${offset} ${drop ? 'dropped' : response.status()} ${held}`);
    return drop ? route.abort('connectionreset') : route.fulfill({ response });
  });

  await manager.goto(path);
  const recorder = manager.locator('fieldset.memo-recorder');
  await recorder.getByRole('button', { name: 'Record' }).click();
  await expect(recorder.getByRole('timer')).toContainText('Recording 0:28 of 3:00', { timeout: 40_000 });
  await recorder.getByRole('button', { name: 'Stop' }).click();
  await expect(recorder.locator('audio')).toHaveCount(1);
  const audio = await audioBytes(manager, 'recorded');
  await manager.locator('fieldset.verdict').getByRole('radio', { name: 'Yes', exact: true }).check();
  await manager.getByRole('button', { name: 'Submit feedback' }).click();
  const mine = manager.locator('.feedback-done .memo-player');
  await expect(mine.locator('.memo-label')).toHaveText(/Voice memo · 0:(2[89]|30)/);

  // The app retries by itself after the drop, and finishes.
  await expect(mine.locator('.memo-upload')).toHaveCount(0, { timeout: 60_000 });
  const total = puts[0].total;
  // More than two chunks, so that there is something left to send after the dropped one.
  expect(total, `the sealed memo is ${total} bytes`).toBeGreaterThan(2 * CHUNK);
  expect(total).toBeGreaterThan(audio.length);

  // What the relay was sent, in order: the first chunk; the second, stored although its answer
  // was lost; then, after asking, the rest from where the relay was, each chunk once.
  const dropped = puts.findIndex((p) => p.status === 'dropped');
  expect(dropped, sent.join('\n')).toBe(1);
  expect(puts[0]).toMatchObject({ offset: 0, status: 204, held: CHUNK });
  expect(puts[1]).toMatchObject({ offset: CHUNK, held: 2 * CHUNK });
  const after = puts.slice(2);
  const expected = [];
  for (let at = 2 * CHUNK; at < total; at += CHUNK) expected.push(at);
  expect(after.map((p) => p.offset), sent.join('\n')).toEqual(expected);
  expect(after.every((p) => p.status === 204), sent.join('\n')).toBe(true);
  expect(after[after.length - 1].held).toBe(total);
  // Between the drop and the rest, the app asked the relay how far it got, and was told.
  const resumed = sent.indexOf(`PUT ${2 * CHUNK} 204 ${Math.min(3 * CHUNK, total)}`);
  expect(sent.slice(2, resumed), sent.join('\n')).toContain(`HEAD 404 ${2 * CHUNK}`);

  // The relay holds the whole sealed memo, complete, under its name.
  const head = await request.head(blobUrl, { headers: { authorization } });
  expect(head.status()).toBe(200);
  expect(Number(head.headers()['content-length'])).toBe(total);
  const stored = await request.get(blobUrl, { headers: { authorization } });
  expect((await stored.body()).length).toBe(total);

  // And the recruiter hears exactly what was recorded.
  await recruiter.goto(path);
  const theirs = recruiter.locator('.others-feedback .feedback-record');
  await expect(theirs).toHaveCount(1, { timeout: 30_000 });
  // Fetched ahead on a fast connection, the button may turn into the player under the click.
  await theirs.getByRole('button', { name: 'Play voice memo' }).click({ timeout: 3_000 }).catch(() => {});
  await expect(theirs.locator('audio')).toHaveCount(1);
  await expect
    .poll(() => recruiter.evaluate(() => {
      const d = document.querySelector<HTMLAudioElement>('.others-feedback audio')?.duration ?? 0;
      return Number.isFinite(d) ? d : 0;
    }), { timeout: 15_000 })
    .toBeGreaterThan(25);
  expect((await audioBytes(recruiter, 'played')).equals(audio)).toBe(true);
});
