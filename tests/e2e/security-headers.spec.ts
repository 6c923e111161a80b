// The app under the relay's own Content-Security-Policy: it must really work (start the wasm,
// sync over the WebSocket, draw the partners' colours) without a single violation.
import { test, expect, type BrowserContext, type Page } from '@playwright/test';
import { addCriterion, createVacancy, criterion, openScorecard, syncStatus, joinVacancy } from './helpers';

/**
 * Collects into `complaints` every policy complaint from the pages of `context`:
 * `securitypolicyviolation` events (reported by an init script, which survives navigations) and
 * console messages about the Content-Security-Policy or Permissions-Policy (a malformed header is
 * only logged).
 */
async function watchPolicies(context: BrowserContext, complaints: string[]) {
  await context.exposeBinding('reportPolicyViolation', (_source, text: string) => {
    complaints.push(text);
  });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      const report = (window as unknown as { reportPolicyViolation: (t: string) => void })
        .reportPolicyViolation;
      report(`${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} ${e.sample}`);
    });
  });
  const watch = (page: Page) =>
    page.on('console', (message) => {
      if (/Content.Security.Policy|Permissions.Policy/i.test(message.text())) {
        complaints.push(`console: ${message.text()}`);
      }
    });
  context.pages().forEach(watch);
  context.on('page', watch);
}

test('the app works under its Content-Security-Policy without a single violation', async ({ browser }) => {
  const recruiterContext = await browser.newContext();
  const managerContext = await browser.newContext();
  const complaints: string[] = [];
  await watchPolicies(recruiterContext, complaints);
  await watchPolicies(managerContext, complaints);
  const a = await recruiterContext.newPage();
  const b = await managerContext.newPage();

  // The policy is there and names the build's three inline scripts by their hashes: the shell's
  // choice of language (index.html), the start of the wasm's compiling in a worker
  // (scripts/compile-off-main.mjs) and Trunk's loader of the wasm.
  const response = await a.goto('/');
  const policy = response!.headers()['content-security-policy'] ?? '';
  expect(policy).toMatch(/script-src 'self'( 'sha256-[A-Za-z0-9+/]{43}='){3} 'wasm-unsafe-eval'/);
  // The worker was allowed to compile the wasm, rather than the page falling back to doing it.
  const compiledInWorker = await a.evaluate(async () => {
    const started = (window as unknown as { tandemWasm: Promise<unknown> }).tandemWasm;
    return (await started) instanceof WebAssembly.Module;
  });
  expect(compiledInWorker, 'the wasm was compiled by app/wasm-compile.js').toBe(true);
  expect(policy).toContain("style-src 'self';");

  // Create, edit, share: wasm compiled, the WebSocket opened, IndexedDB written.
  const link = await createVacancy(a, 'Security officer');
  await a.getByLabel('Vacancy title').fill('Security officer (m/f/x)');
  await addCriterion(a, 'Threat modelling');
  await criterion(a, 0).description.fill('Thinks like an attacker.');
  await a.locator('.settings summary').click();
  await a.getByLabel('Your name').fill('Reza');

  // A partner: presence colours are set through `style:` bindings.
  await joinVacancy(b, link, 'Marloes', 'hiring manager');
  await expect(b.getByLabel('Vacancy title')).toHaveValue('Security officer (m/f/x)');
  await openScorecard(b);
  await expect(criterion(b, 0).description).toHaveValue('Thinks like an attacker.');
  await expect(b.locator('.presence')).toContainText('Reza');
  await a.getByLabel('Vacancy title').focus();
  await expect(b.locator('.vacancy-header .peer-tag')).toHaveText('Reza');
  await criterion(b, 0).description.fill('Thinks like an attacker. Writes it down.');
  await expect(criterion(a, 0).description).toHaveValue('Thinks like an attacker. Writes it down.');
  await expect(syncStatus(a)).toContainText('Up to date');

  // A reload starts the inline script again, from the cached build.
  await a.reload();
  await expect(criterion(a, 0).name).toHaveValue('Threat modelling');

  expect(complaints).toEqual([]);

  // The watch is real: an injected inline script, what cross-site scripting would add, is
  // refused and reported.
  const ran = await a.evaluate(() => {
    const script = document.createElement('script');
    script.textContent = 'window.injectedScriptRan = true;';
    document.head.append(script);
    return 'injectedScriptRan' in window;
  });
  expect(ran).toBe(false);
  await expect.poll(() => complaints.some((c) => c.startsWith('script-src'))).toBe(true);
});

// The page's WebSocket goes to its own host: `connect-src 'self'` must cover ws: on an http page
// and wss: on an https one (CSP Level 3), and nothing else. Pages on a made-up host carry the
// relay's real policy; the sockets need not connect, only get past the policy.
test("connect-src 'self' allows ws: and wss: to the page's own host only", async ({ browser, request }) => {
  const policy = (await request.get('/')).headers()['content-security-policy'];
  expect(policy).toContain("connect-src 'self'");
  const context = await browser.newContext();
  await context.route(/^https?:\/\/tandem\.test\//, (route) =>
    route.fulfill({
      contentType: 'text/html',
      headers: { 'content-security-policy': policy },
      body: '<!doctype html><title>policy check</title>',
    }),
  );
  const page = await context.newPage();
  const blocked = (url: string) =>
    page.evaluate(
      (url) =>
        new Promise<boolean>((resolve) => {
          let violated = false;
          document.addEventListener('securitypolicyviolation', () => (violated = true));
          // The socket fails either way (no such host, or refused by the policy, which Chromium
          // reports before the error); settle once the report would have arrived.
          new WebSocket(url).onerror = () => setTimeout(() => resolve(violated), 300);
        }),
      url,
    );

  for (const [origin, same, other] of [
    ['http://tandem.test', 'ws://tandem.test/sync', 'ws://elsewhere.test/sync'],
    ['https://tandem.test', 'wss://tandem.test/sync', 'wss://elsewhere.test/sync'],
  ]) {
    await page.goto(`${origin}/`);
    expect(await blocked(same), same).toBe(false);
    expect(await blocked(other), other).toBe(true);
  }
});
