// Checks and steps several specs share.
import { Browser, expect, Page, TestInfo } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { createHmac } from 'node:crypto';
import { linkFromMail } from './mail';

/** Nothing widens the page beyond the screen (a phone would zoom out), and
 * axe-core finds no serious or critical violation (where JavaScript is on:
 * axe runs as a script in the page). */
export async function expectAccessible(page: Page, info?: TestInfo) {
  const [contentWidth, screenWidth] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  expect(contentWidth).toBeLessThanOrEqual(screenWidth);
  if (info?.project.use.javaScriptEnabled === false) return;
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
}

/** Signs up at `origin` (the test's server when empty) and verifies by the
 * mailed link, which signs in. */
export async function signUpAndVerify(page: Page, email: string, password: string, name: string, origin = '') {
  await page.goto(`${origin}/signup`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Password').fill(password);
  await page.getByLabel(/I accept the/).check();
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.goto(await linkFromMail(email, 'Verify your email', '/verify-email?token='));
  await page.getByRole('button', { name: 'Verify my email' }).click();
  await expect(page).toHaveURL(/\/account$/);
}

/** An authenticator app's key, from the base32 a setup page shows. */
export function base32(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text.replace(/[\s=]/g, '').toUpperCase()) {
    bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** The 6-digit code an authenticator app shows `steps` steps from now:
 * RFC 6238 computed here with node:crypto, not with the server's library. */
export function totp(secret: Buffer, steps = 0): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30) + steps));
  const mac = createHmac('sha1', secret).update(counter).digest();
  const at = mac[mac.length - 1] & 0xf;
  const value = ((mac[at] & 0x7f) << 24) | (mac[at + 1] << 16) | (mac[at + 2] << 8) | mac[at + 3];
  return String(value % 1_000_000).padStart(6, '0');
}

/** The console's first sign-in: sets up the admin's authenticator app from
 * the page (admins always use one) and returns its key. */
export async function adminEnrols(admin: Page): Promise<Buffer> {
  await expect(admin).toHaveURL(/\/admin\/login\/enrol$/);
  const secret = base32(await admin.locator('[data-totp-secret]').innerText());
  await admin.getByLabel('Code', { exact: true }).fill(totp(secret));
  await admin.getByRole('button', { name: 'Continue' }).click();
  await expect(admin).toHaveURL(/\/admin\/customers$/);
  return secret;
}

export const iPhone = 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1';

/** A second device beside the project's page: a phone-sized iPhone context
 * that never runs script. */
export async function phoneOf(browser: Browser) {
  const context = await browser.newContext({
    userAgent: iPhone, viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true,
    javaScriptEnabled: false,
  });
  return { context, page: await context.newPage() };
}
