// Browser tests run Debian's Chromium (never a downloaded browser) against the
// gatehouse binary on a fresh SQLite database, with mail delivered over SMTP
// to a real server on loopback (smtp_sink.py) whose messages the tests read.
import { defineConfig } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// The config is evaluated by the runner and again by each worker; the values
// chosen by the runner travel to the workers through the environment.
process.env.E2E_DIR ||= mkdtempSync(join(tmpdir(), 'gatehouse-e2e-'));
process.env.E2E_APP_PORT ||= String(20000 + Math.floor(Math.random() * 20000));
process.env.E2E_SMTP_PORT ||= String(Number(process.env.E2E_APP_PORT) + 1);
process.env.E2E_MAIL_FILE ||= join(process.env.E2E_DIR, 'mail.jsonl');

const baseURL = `http://127.0.0.1:${process.env.E2E_APP_PORT}`;
const binary = process.env.GATEHOUSE_BIN || resolve(__dirname, '../target/release/gatehouse');

export default defineConfig({
  testDir: './tests',
  timeout: 60_000,
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  reporter: [['list']],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ],
    },
  },
  projects: [
    { name: 'desktop', use: { viewport: { width: 1280, height: 800 } } },
    { name: 'phone-no-javascript', use: { viewport: { width: 390, height: 844 }, javaScriptEnabled: false, isMobile: true, hasTouch: true } },
  ],
  webServer: [
    {
      command: `python3 smtp_sink.py --port ${process.env.E2E_SMTP_PORT} --out ${process.env.E2E_MAIL_FILE}`,
      port: Number(process.env.E2E_SMTP_PORT),
      reuseExistingServer: false,
      stdout: 'ignore',
    },
    {
      command: `${binary} serve`,
      url: `${baseURL}/readyz`,
      reuseExistingServer: false,
      stdout: 'pipe',
      env: {
        GATEHOUSE_BIND: `127.0.0.1:${process.env.E2E_APP_PORT}`,
        GATEHOUSE_DATABASE_URL: `sqlite://${join(process.env.E2E_DIR, 'gatehouse.db')}`,
        GATEHOUSE_PUBLIC_URL: baseURL,
        GATEHOUSE_SMTP_URL: `smtp://127.0.0.1:${process.env.E2E_SMTP_PORT}`,
        GATEHOUSE_LOG: 'warn',
        // A block after three wrong passwords, so a test reaches it quickly.
        GATEHOUSE_LOCKOUT_FAILURES: '3',
        // A shared screen signs itself out after a minute, so a test sees it.
        GATEHOUSE_SHARED_SCREEN_MINUTES: '1',
      },
    },
  ],
});
