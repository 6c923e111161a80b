// Candidates: the recruiter (laptop, English) adds a candidate, their details and an interview;
// the hiring manager (phone, Dutch) finds them in the pipeline, is made an interviewer, and a
// recorded decision moves the candidate on both screens.
import { test, expect } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { addCandidate, addStage, createVacancy, joinVacancy, dutchPhone, laptop, expectTouchFriendly, openSection } from './helpers';

test('candidates move through the pipeline with interviews and recorded decisions, on both screens', async ({ browser }) => {
  test.setTimeout(120_000);
  const recruiter = await (await browser.newContext(laptop)).newPage();
  const manager = await (await browser.newContext(dutchPhone)).newPage();
  const link = await createVacancy(recruiter, 'Product owner', 'Reza', 'recruiter');

  // Without stages there is nowhere to put a candidate: said so, with the way to the intake.
  await openSection(recruiter, 'Candidates');
  await expect(recruiter.getByText('Add the stages in the intake first.', { exact: false })).toBeVisible();
  await expect(recruiter.getByLabel('Name of the new candidate')).toHaveCount(0);
  await addStage(recruiter, 'First interview');
  await addStage(recruiter, 'Case');

  // Added, the candidate's page opens; details are typed and a bad CV link is refused visibly.
  await addCandidate(recruiter, 'Anna de Vries');
  await recruiter.getByLabel('E-mail or phone').fill('anna@example.org');
  await recruiter.getByLabel('Source').fill('LinkedIn');
  await recruiter.getByLabel('Source').press('Tab');
  await recruiter.getByLabel('Link to CV').fill('javascript:alert(1)');
  await recruiter.getByLabel('Link to CV').press('Tab');
  await expect(recruiter.getByRole('alert').filter({ hasText: 'A CV link starts with https://' })).toBeVisible();
  await expect(recruiter.getByRole('link', { name: 'Open CV' })).toHaveCount(0);
  await recruiter.getByLabel('Link to CV').fill('https://example.org/cv-anna.pdf');
  await recruiter.getByLabel('Link to CV').press('Tab');
  await expect(recruiter.getByRole('link', { name: 'Open CV' })).toHaveAttribute('href', 'https://example.org/cv-anna.pdf');
  await expect(recruiter.getByLabel('Current stage')).toHaveValue(/.+/);
  await expect(recruiter.locator('#candidate-stage option:checked')).toHaveText('First interview');

  // An interview in the first stage, on a date and time.
  await recruiter.locator('#new-interview-at').fill('2026-12-03T10:00');
  await recruiter.getByRole('button', { name: 'Plan interview' }).click();
  const entry = recruiter.locator('.interview-entry');
  await expect(entry).toHaveCount(1);
  await expect(entry.locator('.interview-title')).toContainText('First interview');
  await expect(entry.locator('.interview-title')).toContainText('3 Dec 2026');

  // The hiring manager joins on her phone and finds Anna in the pipeline.
  await joinVacancy(manager, link, 'Marloes', 'hiring manager');
  const nav = manager.getByRole('navigation', { name: 'Onderdelen van deze vacature' });
  await nav.getByRole('link', { name: 'Kandidaten', exact: true }).click();
  const firstColumn = manager.locator('.pipeline-column').first();
  await expect(firstColumn.locator('h3')).toContainText('First interview');
  await expect(firstColumn.locator('.candidate-card')).toContainText('Anna de Vries');
  await expect(firstColumn.locator('.candidate-card')).toContainText('Sinds vandaag in deze ronde');
  mkdirSync('test-results/screens', { recursive: true });
  await manager.screenshot({ path: 'test-results/screens/pipeline-phone-nl.png' });
  await expectTouchFriendly(manager);
  // The narrowest phone the product supports: the pipeline still fits, nothing scrolls sideways.
  await manager.setViewportSize({ width: 360, height: 640 });
  await expectTouchFriendly(manager);
  await manager.setViewportSize(dutchPhone.viewport);

  // The recruiter makes her an interviewer; she sees it on Anna's page.
  await entry.getByRole('checkbox', { name: 'Marloes' }).check();
  await firstColumn.locator('.candidate-card').click();
  await expect(manager.locator('#candidate-name')).toHaveValue('Anna de Vries');
  await expect(manager.locator('.interview-entry').getByRole('checkbox', { name: /Marloes/ })).toBeChecked();
  await expect(manager.locator('.interview-entry').getByRole('link', { name: 'Interviewkit en feedback' })).toHaveAttribute('href', /\/interview\/[0-9a-f]+$/);
  await manager.screenshot({ path: 'test-results/screens/candidate-phone-nl.png' });
  await manager.locator('section.interviews').screenshot({ path: 'test-results/screens/candidate-interviews-phone-nl.png' });
  await manager.locator('section.decisions').screenshot({ path: 'test-results/screens/candidate-decisions-phone-nl.png' });
  await expectTouchFriendly(manager);

  // A decision needs a reason; recorded, it moves Anna to the next stage on both screens.
  await manager.getByText('Door naar de volgende ronde').click();
  await manager.getByRole('button', { name: 'Besluit vastleggen' }).click();
  await expect(manager.getByRole('alert').filter({ hasText: 'Schrijf op waarom' })).toBeVisible();
  await manager.getByLabel('Waarom? (voor je collega, en om later terug te lezen)').fill('Sterke voorbeelden van stakeholdermanagement.');
  await manager.getByRole('button', { name: 'Besluit vastleggen' }).click();
  await expect(manager.locator('.decision-list li')).toContainText('Door naar de volgende ronde');
  await expect(manager.locator('#candidate-stage option:checked')).toHaveText('Case');
  await expect(recruiter.locator('#candidate-stage option:checked')).toHaveText('Case');
  await expect(recruiter.locator('.decision-list li')).toContainText('Advance to the next stage');
  await expect(recruiter.locator('.decision-list li')).toContainText('Marloes');
  await expect(recruiter.locator('.decision-list li')).toContainText('Sterke voorbeelden van stakeholdermanagement.');

  // Moving by hand works too; the pipeline follows.
  await recruiter.getByLabel('Current stage').selectOption({ label: 'Hired' });
  await openSection(recruiter, 'Candidates');
  await expect(recruiter.locator('.pipeline-column').filter({ hasText: 'Hired' }).locator('.candidate-card')).toContainText('Anna de Vries');
  await recruiter.screenshot({ path: 'test-results/screens/pipeline-laptop-en.png' });

  // Removing her asks first, and then she is gone from both.
  await recruiter.locator('.candidate-card').filter({ hasText: 'Anna de Vries' }).click();
  await recruiter.getByRole('button', { name: 'Remove candidate' }).click();
  await recruiter.getByRole('button', { name: 'Yes, remove' }).click();
  await expect(recruiter.locator('.candidate-card')).toHaveCount(0);
  await expect(manager.getByText('Deze kandidaat staat niet meer in de vacature')).toBeVisible();
});
