// Erasing a candidate for good (the right to erasure): the creator erases one candidate with
// their history; both browsers move to the vacancy's new link with everything else, the erased
// candidate's name is in neither browser's storage afterwards, the relay's files no longer hold
// the old vacancy's sealed changes, and the old link leads to the new one.
import { test, expect, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import config from '../playwright.config';
import { addCandidate, addCandidateWithInterview, addCriterion, addStage, createVacancy, dutchPhone, expectNoSeriousA11yViolations, expectTouchFriendly, joinVacancy, laptop, relayFiles, sealedChanges, syncStatus } from './helpers';

// A fake microphone (a test tone), whose prompt is answered yes: for the memo that must survive
// an erase. The first test records nothing.
const base = config.use!.launchOptions!;
test.use({
  launchOptions: {
    ...base,
    args: [...(base.args ?? []), '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
  },
});

const SCREENS = process.env.TANDEM_SCREENS ?? 'test-results/screens';
const ERASED = 'Wilhelmina Oosterhout';
const KEPT = 'Grace Hopper';

/**
 * Everything this origin keeps in IndexedDB, every key and value of every store, as text: bytes
 * read as Latin-1 (so any UTF-8 name in them reads back as the same bytes), the rest as JSON.
 */
async function deviceStorage(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const names = (await indexedDB.databases()).map((d) => d.name!).filter(Boolean);
    const out: string[] = [];
    const text = (v: unknown): string => {
      if (v instanceof Uint8Array || v instanceof ArrayBuffer) {
        const bytes = v instanceof Uint8Array ? v : new Uint8Array(v);
        let s = '';
        for (const b of bytes) s += String.fromCharCode(b);
        return s;
      }
      if (v && typeof v === 'object') return Object.entries(v).map(([k, x]) => `${k}=${text(x)}`).join(';');
      return String(v);
    };
    for (const name of names) {
      const db = await new Promise<IDBDatabase>((ok, fail) => {
        const r = indexedDB.open(name);
        r.onsuccess = () => ok(r.result);
        r.onerror = () => fail(r.error);
      });
      for (const store of Array.from(db.objectStoreNames)) {
        const tx = db.transaction(store, 'readonly');
        const [keys, values] = await Promise.all(
          ['getAllKeys', 'getAll'].map(
            (m) => new Promise<unknown[]>((ok, fail) => {
              const r = (tx.objectStore(store) as any)[m]();
              r.onsuccess = () => ok(r.result);
              r.onerror = () => fail(r.error);
            }),
          ),
        );
        keys.forEach((k, i) => out.push(`${store}:${text(k)}:${text(values[i])}`));
      }
      db.close();
    }
    return out.join('\n');
  });
}

/** The sync state on the Dutch phone. */
const syncStatusNl = (page: Page) => page.getByRole('status', { name: 'Synchronisatiestatus' });

async function shot(page: Page, name: string) {
  mkdirSync(SCREENS, { recursive: true });
  await page.screenshot({ path: `${SCREENS}/${name}.png`, fullPage: true });
}

test('the creator erases a candidate for good: both browsers move on, and the name is gone from their storage and the relay', async ({ browser }) => {
  test.setTimeout(150_000);
  const creator = await (await browser.newContext(laptop)).newPage();
  const oldTails = sealedChanges(creator);
  const title = 'Data engineer Zwolle';
  const link = await createVacancy(creator, title, 'Reza', 'recruiter');
  await addStage(creator, 'First talk');
  await addCandidate(creator, KEPT);
  await creator.getByLabel('E-mail or phone').fill('grace@example.org');
  await creator.getByLabel('E-mail or phone').press('Tab');
  await addCandidate(creator, ERASED);
  await creator.getByLabel('E-mail or phone').fill('wilhelmina@example.org');
  await creator.getByLabel('E-mail or phone').press('Tab');
  await expect(syncStatus(creator)).toContainText('Up to date');

  const partner = await (await browser.newContext(dutchPhone)).newPage();
  const partnerTails = sealedChanges(partner);
  await joinVacancy(partner, link, 'Marloes', 'hiring manager');
  const nav = partner.getByRole('navigation', { name: 'Onderdelen van deze vacature' });
  await nav.getByRole('link', { name: 'Kandidaten', exact: true }).click();
  await expect(partner.locator('.candidate-card').filter({ hasText: ERASED })).toBeVisible();
  await expect(syncStatusNl(partner)).toContainText('Bijgewerkt');

  // The partner may not erase: only the creator holds the owner secret.
  await partner.locator('.candidate-card').filter({ hasText: ERASED }).click();
  await expect(partner.locator('#candidate-name')).toHaveValue(ERASED);
  await expect(partner.getByText('Alleen wie deze vacature heeft aangemaakt, kan een kandidaat definitief wissen')).toBeVisible();
  await expect(partner.getByRole('button', { name: 'Definitief wissen…' })).toHaveCount(0);

  // Before: the name is on both devices (the check below can fail), and the relay holds the
  // creator's sealed changes.
  for (const page of [creator, partner]) expect(await deviceStorage(page)).toContain('Oosterhout');
  const before = relayFiles();
  const sentBefore = [...oldTails, ...partnerTails];
  expect(sentBefore.some((tail) => before.includes(tail))).toBe(true);

  // The name typed into other text stays there when the candidate is erased: the erase says
  // where, and the creator clears it first.
  const sections = creator.getByRole('navigation', { name: 'Sections of this vacancy' });
  const openCandidate = async (name: string) => {
    await sections.getByRole('link', { name: 'Candidates', exact: true }).click();
    await creator.locator('.candidate-card').filter({ hasText: name }).click();
    await expect(creator.locator('#candidate-name')).toHaveValue(name);
  };
  await openCandidate(KEPT);
  await creator.getByLabel('Notes').fill(`Knows ${ERASED} from a previous job`);
  await creator.getByLabel('Notes').press('Tab');
  await openCandidate(ERASED);
  const erase = creator.locator('.erase-candidate');
  await erase.getByRole('button', { name: 'Erase for good…' }).click();
  await expect(erase.getByRole('heading', { name: `Erase ${ERASED} for good` })).toBeVisible();
  await expect(erase).toContainText('Tandem keeps the history of every change');
  await expect(erase).toContainText('copies on devices that never come online again');
  await expect(erase.getByRole('note')).toContainText(`The name ${ERASED} is also typed in: other candidates`);
  await openCandidate(KEPT);
  await creator.getByLabel('Notes').fill('Knows a former colleague of ours');
  await creator.getByLabel('Notes').press('Tab');
  await expect(syncStatus(creator)).toContainText('Up to date');
  await expect(syncStatusNl(partner)).toContainText('Bijgewerkt');
  await openCandidate(ERASED);
  await erase.getByRole('button', { name: 'Erase for good…' }).click();
  await expect(erase.getByRole('note')).toHaveCount(0);
  const confirm = erase.getByRole('button', { name: 'Erase for good', exact: true });
  await expect(confirm).toBeDisabled();
  await erase.getByLabel("Type the candidate's name to confirm").fill('Wilhelmina');
  await expect(confirm).toBeDisabled();
  await erase.getByLabel("Type the candidate's name to confirm").fill(ERASED);
  await expectNoSeriousA11yViolations(creator, 'erase a candidate');
  await shot(creator, 'erase-confirm-laptop');
  await confirm.click();

  // The creator lands on the candidates of the vacancy's new address, without the candidate.
  const oldId = new URL(link).pathname.split('/')[2];
  await expect(creator).toHaveURL(/\/v\/[^/]+\/candidates$/);
  expect(creator.url()).not.toContain(oldId);
  await expect(creator.getByRole('status').filter({ hasText: 'The candidate is erased' })).toBeVisible();
  await expect(creator.locator('.candidate-card').filter({ hasText: KEPT })).toBeVisible();
  await expect(creator.locator('.candidate-card').filter({ hasText: ERASED })).toHaveCount(0);
  await expect(creator.locator('#vacancy-title')).toHaveValue(title);
  await expect(syncStatus(creator)).toContainText('Up to date');
  const newId = new URL(creator.url()).pathname.split('/')[2];

  // The partner, connected, is taken along and told why.
  await expect(partner).toHaveURL(new RegExp(`/v/${newId}`));
  await expect(partner.getByRole('status').filter({ hasText: 'definitief gewist' })).toBeVisible();
  await expect(partner.locator('#vacancy-title')).toHaveValue(title);
  await shot(partner, 'erase-followed-phone');
  await expectTouchFriendly(partner);
  await nav.getByRole('link', { name: 'Kandidaten', exact: true }).click();
  await expect(partner.locator('.candidate-card').filter({ hasText: KEPT })).toBeVisible();
  await expect(partner.locator('.candidate-card').filter({ hasText: ERASED })).toHaveCount(0);
  // The vacancy goes on: the partner's edits reach the creator at the new address.
  await partner.locator('.candidate-card').filter({ hasText: KEPT }).click();
  await partner.getByLabel('Notities').fill('Sterke kandidaat');
  await partner.getByLabel('Notities').press('Tab');
  await creator.locator('.candidate-card').filter({ hasText: KEPT }).click();
  await expect(creator.getByLabel('Notes')).toHaveValue('Sterke kandidaat');

  // After: the name is in neither browser's storage, and the relay's files hold none of the
  // old vacancy's sealed changes.
  for (const page of [creator, partner]) {
    const stored = await deviceStorage(page);
    expect(stored).not.toContain('Oosterhout');
    expect(stored).not.toContain('wilhelmina@example.org');
    expect(stored).toContain('Hopper');
  }
  const after = relayFiles();
  for (const tail of sentBefore) expect(after.includes(tail)).toBe(false);

  // Someone with only the old link (a fresh browser) is taken to the new address.
  const stranger = await (await browser.newContext(laptop)).newPage();
  await stranger.goto(link);
  await expect(stranger).toHaveURL(new RegExp(`/v/${newId}`));
  await expect(stranger.getByRole('status').filter({ hasText: 'erased a candidate for good' })).toBeVisible();
  expect(await deviceStorage(stranger)).not.toContain('Oosterhout');
});

/** The sealed blobs a page's device keeps, by their IndexedDB key (`<doc>:<hash>`). */
async function sealedBlobs(page: Page): Promise<Map<string, Buffer>> {
  const all = await page.evaluate(
    () =>
      new Promise<[string, number[]][]>((resolve, reject) => {
        const open = indexedDB.open('tandem');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const store = open.result.transaction('blobs').objectStore('blobs');
          const keys = store.getAllKeys();
          const values = store.getAll();
          values.onsuccess = () =>
            resolve(keys.result.map((k, i) => [String(k), Array.from(values.result[i] as Uint8Array)]));
          values.onerror = () => reject(values.error);
        };
      }),
  );
  return new Map(all.map(([k, v]) => [k, Buffer.from(v)]));
}

test('erasing a candidate keeps the other candidates\' voice memos: sealed anew, uploaded and played in the new vacancy', async ({ browser }) => {
  test.setTimeout(180_000);
  const creator = await (await browser.newContext(laptop)).newPage();
  const link = await createVacancy(creator, 'Backend developer Enschede', 'Reza', 'recruiter');
  const oldId = new URL(link).pathname.split('/')[2];
  await addCriterion(creator, 'SQL');
  await addStage(creator, 'First talk');
  const path = await addCandidateWithInterview(creator, KEPT, '2026-11-30T09:00', ['Reza']);

  // The recruiter interviewed Grace and leaves feedback with a memo.
  await creator.goto(path);
  const form = creator.locator('form.feedback-form');
  const recorder = form.locator('fieldset.memo-recorder');
  await recorder.getByRole('button', { name: 'Record' }).click();
  await expect(recorder.getByRole('timer')).toContainText('0:02', { timeout: 5_000 });
  await recorder.getByRole('button', { name: 'Stop' }).click();
  await expect(recorder.locator('audio')).toHaveCount(1);
  await form.locator('fieldset.verdict').getByRole('radio', { name: 'Yes', exact: true }).check();
  await form.getByRole('button', { name: 'Submit feedback' }).click();
  const mine = creator.locator('.feedback-done .feedback-record');
  await expect(mine.locator('.memo-upload')).toHaveCount(0, { timeout: 30_000 });
  const before = await sealedBlobs(creator);
  expect([...before.keys()].every((k) => k.startsWith(`${oldId}:`))).toBe(true);
  expect(before.size).toBe(1);
  const oldSealed = [...before.values()][0];

  await addCandidate(creator, ERASED);
  await expect(syncStatus(creator)).toContainText('Up to date');
  const erase = creator.locator('.erase-candidate');
  await erase.getByRole('button', { name: 'Erase for good…' }).click();
  await erase.getByLabel("Type the candidate's name to confirm").fill(ERASED);
  await erase.getByRole('button', { name: 'Erase for good', exact: true }).click();
  await expect(creator).toHaveURL(/\/v\/[^/]+\/candidates$/);
  const newId = new URL(creator.url()).pathname.split('/')[2];
  expect(newId).not.toBe(oldId);

  // The memo now lives under the new vacancy, sealed with its key: new bytes, new name.
  const after = await sealedBlobs(creator);
  expect(after.size).toBe(1);
  const [[key, newSealed]] = [...after.entries()];
  expect(key.startsWith(`${newId}:`)).toBe(true);
  expect(newSealed.equals(oldSealed)).toBe(false);

  // It reaches the relay, and the old sealed memo is gone from the relay's files.
  const slice = (b: Buffer) => b.subarray(Math.floor(b.length / 2), Math.floor(b.length / 2) + 64);
  await expect.poll(() => relayFiles().includes(slice(newSealed)), { timeout: 30_000 }).toBe(true);
  expect(relayFiles().includes(slice(oldSealed))).toBe(false);

  // A colleague joining the new vacancy with a fresh browser fetches it from the relay and plays it.
  const newLink = await creator.getByLabel('Share link').inputValue();
  const colleague = await (await browser.newContext(laptop)).newPage();
  await joinVacancy(colleague, newLink, 'Iris', 'recruiter');
  await colleague.goto(`/v/${newId}/compare`);
  const memos = colleague.locator('section.compare-memos');
  await expect(memos.locator('li')).toHaveCount(1);
  // On a fast connection the player fetches ahead and replaces its button by the audio, maybe
  // while the click is on its way: the duration below is what counts.
  const play = memos.getByRole('button', { name: 'Play voice memo' });
  if (await play.isVisible()) await play.click({ timeout: 3_000 }).catch(() => {});
  await expect
    .poll(() => colleague.evaluate(() => {
      const d = document.querySelector<HTMLAudioElement>('.compare-memos audio')?.duration ?? 0;
      return Number.isFinite(d) ? d : 0;
    }), { timeout: 15_000 })
    .toBeGreaterThan(1);
});
