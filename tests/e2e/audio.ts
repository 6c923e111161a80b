// What a page does with audio, seen from a test: what its MediaRecorder records and the Blobs it
// makes URLs of (what it plays). The app's CSP keeps `fetch` away from blob: URLs, so the test
// keeps the Blobs themselves. Shared by the voice memo specs.
import type { BrowserContext, Page } from '@playwright/test';

/**
 * Watches the audio of every page of `context`. With `bitsPerSecond`, the page's MediaRecorder is
 * asked for that rate, constant (the app leaves the rate to the browser).
 */
export async function watchAudio(context: BrowserContext, opts: { bitsPerSecond?: number } = {}) {
  await context.addInitScript((opts: { bitsPerSecond?: number }) => {
    const w = window as unknown as { recorded: Blob[]; played: Blob[]; MediaRecorder: typeof MediaRecorder };
    w.recorded = [];
    w.played = [];
    const Recorder = w.MediaRecorder;
    w.MediaRecorder = class extends Recorder {
      constructor(stream: MediaStream, init?: MediaRecorderOptions) {
        const rate: MediaRecorderOptions = opts.bitsPerSecond
          ? { audioBitsPerSecond: opts.bitsPerSecond, audioBitrateMode: 'constant' }
          : {};
        super(stream, { ...init, ...rate });
        this.addEventListener('dataavailable', (e) => w.recorded.push((e as BlobEvent).data));
      }
    };
    const makeUrl = URL.createObjectURL.bind(URL);
    URL.createObjectURL = (obj: Blob | MediaSource) => {
      if (obj instanceof Blob) w.played.push(obj);
      return makeUrl(obj);
    };
  }, opts);
}

/** What the page recorded, or the last audio it made a URL of to play. */
export async function audioBytes(page: Page, which: 'recorded' | 'played'): Promise<Buffer> {
  const bytes = await page.evaluate(async (which) => {
    const w = window as unknown as { recorded: Blob[]; played: Blob[] };
    const blob = which === 'recorded' ? new Blob(w.recorded) : w.played[w.played.length - 1];
    return blob ? Array.from(new Uint8Array(await blob.arrayBuffer())) : [];
  }, which);
  return Buffer.from(bytes);
}
