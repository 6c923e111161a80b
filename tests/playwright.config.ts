// Browser end-to-end tests: Debian's Chromium driven by Playwright, against the relay started
// exactly as the README's run command starts it (scripts/run.sh), with a fresh data folder.
import { defineConfig } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const port = Number(process.env.TANDEM_E2E_PORT ?? 8787);
// Workers load this file again; the environment carries the main process's choice to them, so
// tests can look into the relay's data folder.
process.env.TANDEM_E2E_DATA_DIR ??= mkdtempSync(join(tmpdir(), 'tandem-e2e-'));
const dataDir = process.env.TANDEM_E2E_DATA_DIR;

export default defineConfig({
  testDir: './e2e',
  // Two cores: one test at a time, each with its own browser contexts.
  workers: 1,
  fullyParallel: false,
  forbidOnly: true,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['json', { outputFile: 'test-results/results.json' }]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
    trace: 'retain-on-failure',
  },
  webServer: {
    command: 'bash ../scripts/run.sh',
    url: `http://127.0.0.1:${port}/healthz`,
    // Every browser of every test reaches the relay from 127.0.0.1, and the browsers of earlier
    // tests in a worker stay open, so the per-address cap (64, meant for one person's devices)
    // would be met by the suite's own traffic and refuse the hostile-peer tests' members. Here,
    // as behind a proxy, one address is many people: the cap is raised, not removed.
    env: {
      TANDEM_LISTEN: `127.0.0.1:${port}`,
      TANDEM_DATA_DIR: dataDir,
      TANDEM_MAX_CONNECTIONS_PER_ADDRESS: '512',
      RUST_LOG: 'warn',
    },
    reuseExistingServer: false,
    timeout: 20 * 60_000,
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
