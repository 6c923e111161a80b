// The anchored scorecard: a new criterion starts with a described scale in its maker's language,
// both partners edit the anchors live, and questions are picked from the example bank or written.
// Recruiter on a laptop (English), hiring manager on a phone (Dutch).
import { test, expect } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { createVacancy, joinVacancy, openScorecard, dutchPhone, laptop, expectTouchFriendly } from './helpers';

test('a criterion gets an anchored scale and questions that both partners edit live', async ({ browser }, testInfo) => {
  test.setTimeout(90_000);
  const recruiter = await (await browser.newContext(laptop)).newPage();
  const manager = await (await browser.newContext(dutchPhone)).newPage();
  const link = await createVacancy(recruiter, 'Product owner', 'Reza', 'recruiter');
  await openScorecard(recruiter);
  await recruiter.getByLabel('Name of the new criterion').fill('Stakeholder management');
  await recruiter.getByRole('button', { name: 'Add criterion' }).click();

  // The scale starts described, in the recruiter's language, level by level.
  const row = recruiter.locator('.criterion').first();
  await row.getByText('Rating scale and questions').click();
  await expect(row.getByLabel('1 · weak')).toHaveValue(/^No concrete example/);
  await expect(row.getByLabel('3 · good')).toHaveValue(/^Clear, recent examples/);
  await expect(row.getByRole('button', { name: 'Use starting text for the empty levels' })).toHaveCount(0);
  await row.getByLabel('3 · good').fill('Names the stakeholders, what each needed, and how they agreed in the end.');

  // The hiring manager sees the same words on the phone, under Dutch labels.
  await joinVacancy(manager, link, 'Marloes', 'hiring manager');
  await manager.getByRole('navigation', { name: 'Onderdelen van deze vacature' }).getByRole('link', { name: 'Scorecard', exact: true }).click();
  const rowNl = manager.locator('.criterion').first();
  await rowNl.getByText('Beoordelingsschaal en vragen').click();
  await expect(rowNl.getByLabel('3 · goed')).toHaveValue('Names the stakeholders, what each needed, and how they agreed in the end.');

  // She empties a level; the offer to fill it with starting text comes back, in Dutch.
  await rowNl.getByLabel('4 · uitstekend').fill('');
  await rowNl.getByRole('button', { name: 'Vul de lege niveaus met voorbeeldtekst' }).click();
  await expect(rowNl.getByLabel('4 · uitstekend')).toHaveValue(/^Meerdere sterke voorbeelden/);
  await expect(rowNl.getByLabel('3 · goed')).toHaveValue(/^Names the stakeholders/);

  // A question from the Dutch example bank, and one of her own.
  await rowNl.getByText('Kies uit voorbeeldvragen').click();
  const bankQuestion = rowNl.locator('.question-bank li').first();
  const picked = (await bankQuestion.locator('p').innerText()).trim();
  await bankQuestion.getByRole('button', { name: 'Toevoegen' }).click();
  await expect(bankQuestion.getByRole('button', { name: 'Toegevoegd' })).toBeDisabled();
  await rowNl.getByLabel('Nieuwe vraag').fill('Wie moest je als laatste overtuigen, en hoe?');
  await rowNl.getByRole('button', { name: 'Vraag toevoegen' }).click();
  await expect(rowNl.locator('.questions .question textarea')).toHaveCount(2);

  mkdirSync('test-results/screens', { recursive: true });
  await manager.screenshot({ path: 'test-results/screens/scorecard-phone-nl.png' });
  await expectTouchFriendly(manager);

  // Both reach the recruiter, in order; a removal there can be undone.
  await expect(row.getByText('Rating scale and questions (2)')).toBeVisible();
  const questions = row.locator('.questions .question textarea');
  await expect(questions).toHaveCount(2);
  await expect(questions.nth(0)).toHaveValue(picked);
  await expect(questions.nth(1)).toHaveValue('Wie moest je als laatste overtuigen, en hoe?');
  await row.getByRole('button', { name: 'Remove question' }).first().click();
  await expect(questions).toHaveCount(1);
  await expect(rowNl.locator('.questions .question textarea')).toHaveCount(1);
  await recruiter.locator('.toast').getByRole('button', { name: 'Undo' }).click();
  const questionsNl = rowNl.locator('.questions .question textarea');
  await expect(questionsNl).toHaveCount(2);
  await expect(questionsNl.nth(0)).toHaveValue(picked);
  await recruiter.screenshot({ path: 'test-results/screens/scorecard-laptop-en.png' });
  void testInfo;
});
