// The relay only ever holds ciphertext: what people type never reaches its disk readable.
import { test, expect } from '@playwright/test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { addCriterion, createVacancy, criterion, syncStatus } from './helpers';

test('the relay stores nothing readable of what was typed', async ({ page }) => {
  const title = 'Vertrouwelijk: interim CFO Zwolle';
  const secretWords = 'kandidaat Jansen vraagt 140k';
  const link = await createVacancy(page, title);
  const docId = Buffer.from(link.split('/v/')[1].split('#')[0], 'base64url');
  await addCriterion(page, 'Onderhandelingsvaardigheid');
  await criterion(page, 0).description.fill(secretWords);
  await expect(syncStatus(page)).toContainText('Up to date');

  const dir = process.env.TANDEM_E2E_DATA_DIR!;
  const files = readdirSync(dir).filter((f) => f.startsWith('relay.sqlite3'));
  expect(files).toContain('relay.sqlite3');
  const stored = Buffer.concat(files.map((f) => readFileSync(join(dir, f))));
  // The relay did store this vacancy (its id is a key in the file)…
  expect(stored.includes(docId)).toBe(true);
  // …but none of the words, in UTF-8 or UTF-16.
  for (const text of [title, secretWords, 'Onderhandelingsvaardigheid', 'Jansen']) {
    expect(stored.includes(Buffer.from(text, 'utf8'))).toBe(false);
    expect(stored.includes(Buffer.from(text, 'utf16le'))).toBe(false);
  }
});
