// An owner for a console test: made with `gatehouse admin create` (the
// password typed on its standard input) and signed in (setting up the
// authenticator app the console requires), in a browser context
// like the test's project (viewport, JavaScript on or off).
import { Browser, Page, TestInfo } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { adminEnrols } from './checks';

const binary = process.env.GATEHOUSE_BIN || resolve(__dirname, '../../target/release/gatehouse');
export const adminPassword = 'granite-lighthouse-saffron-71';

export async function signedInOwner(browser: Browser, info: TestInfo, prefix: string): Promise<Page> {
  const email = `${prefix}-${info.project.name}-${Date.now()}@example.com`;
  execFileSync(binary, ['admin', 'create', '--email', email, '--role', 'owner'], {
    env: { ...process.env, GATEHOUSE_DATABASE_URL: `sqlite://${join(process.env.E2E_DIR!, 'gatehouse.db')}`, GATEHOUSE_LOG: 'error' },
    input: adminPassword,
  });
  const { viewport, javaScriptEnabled, isMobile, hasTouch } = info.project.use;
  const admin = await (await browser.newContext({ viewport, javaScriptEnabled, isMobile, hasTouch })).newPage();
  await admin.goto('/admin/login');
  await admin.getByLabel('Email').fill(email);
  await admin.getByLabel('Password').fill(adminPassword);
  await admin.getByRole('button', { name: 'Sign in' }).click();
  await adminEnrols(admin);
  return admin;
}
