// Checks and steps several specs share.
import { expect, Page, TestInfo } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
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
