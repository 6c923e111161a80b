// The relay's attachment endpoints as the app's page reaches them: a `fetch` from the page, under
// the relay's own Content-Security-Policy, with the access token in the Authorization header and
// the upload's progress read from `Upload-Offset`. The app's memo tests cover the interface; this
// one pins the HTTP contract in a real browser.
import { test, expect } from '@playwright/test';
import { createHash, hkdfSync, randomBytes } from 'node:crypto';

/** A document id and its access token, derived from a fresh secret as protocol/src/crypto.rs does. */
function newDocument() {
  const secret = randomBytes(32);
  // HKDF-SHA256 without salt (RFC 5869: a salt of zeros, which HMAC treats as an empty key).
  const token = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'tandem/v3/access-token', 32));
  const tokenHash = createHash('sha256').update(token).digest();
  const doc = createHash('sha256').update('tandem/v3/doc-id').update(tokenHash).digest().subarray(0, 16);
  return { doc: doc.toString('base64url'), token: token.toString('base64url') };
}

test('the page uploads an attachment in chunks, resumes, and reads it back under the policy', async ({ page }) => {
  const violations: string[] = [];
  await page.exposeBinding('reportViolation', (_source, text: string) => violations.push(text));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      (window as unknown as { reportViolation: (t: string) => void }).reportViolation(
        `${e.effectiveDirective} blocked ${e.blockedURI}`,
      ),
    );
  });
  await page.goto('/');
  const { doc, token } = newDocument();
  const other = newDocument();

  const result = await page.evaluate(
    async ({ doc, token, otherToken }) => {
      // 600 KiB of random bytes stand in for a sealed memo: three chunks, the last one short.
      const sealed = new Uint8Array(600 * 1024);
      for (let i = 0; i < sealed.length; i += 65536) {
        crypto.getRandomValues(sealed.subarray(i, i + 65536));
      }
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', sealed));
      const hash = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
      const path = `/blobs/${doc}/${hash}`;
      const auth = { Authorization: `Bearer ${token}` };
      const chunk = 256 * 1024;
      const put = (offset: number, end: number, headers = auth) =>
        fetch(`${path}?offset=${offset}&total=${sealed.length}`, {
          method: 'PUT',
          headers,
          body: sealed.subarray(offset, end),
        });

      const answers: [number, string | null][] = [];
      const first = await put(0, chunk);
      answers.push([first.status, first.headers.get('Upload-Offset')]);
      // Sent again, as after a lost answer: the relay says where it got to.
      const again = await put(0, chunk);
      answers.push([again.status, again.headers.get('Upload-Offset')]);
      const status = await fetch(path, { method: 'HEAD', headers: auth });
      let offset = Number(again.headers.get('Upload-Offset'));
      while (offset < sealed.length) {
        const answer = await put(offset, Math.min(offset + chunk, sealed.length));
        answers.push([answer.status, answer.headers.get('Upload-Offset')]);
        offset = Number(answer.headers.get('Upload-Offset'));
      }
      const download = await fetch(path, { headers: auth });
      const bytes = new Uint8Array(await download.arrayBuffer());
      const same = bytes.length === sealed.length && bytes.every((b, i) => b === sealed[i]);
      const wrong = await fetch(path, { headers: { Authorization: `Bearer ${otherToken}` } });
      return {
        answers,
        headStatus: status.status,
        headOffset: status.headers.get('Upload-Offset'),
        download: download.status,
        same,
        wrong: wrong.status,
        wrongText: await wrong.text(),
        total: sealed.length,
      };
    },
    { doc, token, otherToken: other.token },
  );

  expect(result.answers).toEqual([
    [204, String(256 * 1024)],
    [409, String(256 * 1024)],
    [204, String(512 * 1024)],
    [204, String(result.total)],
  ]);
  expect([result.headStatus, result.headOffset]).toEqual([404, String(256 * 1024)]);
  expect(result.download).toBe(200);
  expect(result.same).toBe(true);
  expect(result.wrong).toBe(403);
  expect(result.wrongText).toContain('does not open this vacancy');
  expect(violations).toEqual([]);
});
