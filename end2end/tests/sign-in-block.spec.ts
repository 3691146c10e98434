// A blocked sign-in in a real browser: wrong passwords from this browser's
// address block it from the account (the server runs with a lockout after 3
// failures); the page says why and what to do; the owner's mail carries a
// link that lifts the block after a confirmation; then the right password
// signs in. Screenshots of both new pages land in test-results/.
import { test, expect, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { linkFromMail } from './mail';

const password = 'lantern-orchard-velvet-92';

async function signIn(page: Page, email: string, attempt: string) {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(attempt);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('a blocked address is lifted from the owner\'s mail', async ({ page }, info) => {
  const accessible = async () => {
    if (info.project.use.javaScriptEnabled === false) return;
    const results = await new AxeBuilder({ page }).analyze();
    const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
  };
  const email = `blocked-${info.project.name}-${Date.now()}@example.com`;
  await page.goto('/signup');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Name').fill('Blocked Customer');
  await page.getByLabel('Password').fill(password);
  await page.getByLabel(/I accept the/).check();
  await page.getByRole('button', { name: 'Create account' }).click();
  const verifyLink = await linkFromMail(email, 'Verify your email', '/verify-email?token=');
  await page.goto(verifyLink);
  await page.getByRole('button', { name: 'Verify my email' }).click();
  await page.getByRole('button', { name: 'Sign out' }).click();

  for (let n = 0; n < 3; n++) {
    await signIn(page, email, 'not my password at all');
    await expect(page.getByRole('alert')).toContainText('do not match an account');
  }
  await signIn(page, email, password);
  await expect(page.getByRole('alert')).toContainText('Too many failed sign-ins');
  await expect(page.getByRole('alert')).toContainText('reset your password');
  await page.screenshot({ path: info.outputPath('held-back.png'), fullPage: true });
  await accessible();

  const unblock = await linkFromMail(email, 'Sign-ins to your account were blocked', '/unblock-sign-in?token=');
  await page.goto(unblock);
  await expect(page.getByRole('heading', { name: 'Lift the sign-in block' })).toBeVisible();
  await page.screenshot({ path: info.outputPath('unblock.png'), fullPage: true });
  await accessible();
  await page.getByRole('button', { name: 'Lift the block' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByText('The block is lifted')).toBeVisible();

  await signIn(page, email, password);
  await expect(page).toHaveURL(/\/account$/);
});
