// The whole life of a customer account in a real browser: sign up, verify by
// the mailed link, sign out, sign in, forget the password, reset it, and sign
// in with the new one; change the email through a link to the new address.
// Runs once on a desktop with JavaScript and once on a phone-sized screen
// with JavaScript disabled.
import { test, expect, Page } from '@playwright/test';
import { linkFromMail } from './mail';
import { expectAccessible, signUpAndVerify } from './checks';

const firstPassword = 'lantern-orchard-velvet-92';
const newPassword = 'copper kettle moonlit harbour';

async function signIn(page: Page, email: string, password: string) {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function expectNoHorizontalScroll(page: Page) {
  // Measured by layout, not script, so it also works with JavaScript off.
  const box = await page.locator('main').boundingBox();
  const viewport = page.viewportSize()!;
  expect(box!.x + box!.width).toBeLessThanOrEqual(viewport.width + 1);
}

test('sign up, verify, sign out, sign in, reset the password, sign in again', async ({ page }, info) => {
  const email = `e2e-${info.project.name}-${Date.now()}@example.com`;

  await page.goto('/signup');
  await expectNoHorizontalScroll(page);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Name').fill('End To End');
  await page.getByLabel('Password').fill(firstPassword);
  await page.getByLabel(/I accept the/).check();
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('heading', { name: 'Check your inbox' })).toBeVisible();

  const verifyLink = await linkFromMail(email, 'Verify your email', '/verify-email?token=');
  await page.goto(verifyLink);
  await page.getByRole('button', { name: 'Verify my email' }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByText('Your email address is verified')).toBeVisible();
  await expect(page.getByText('Verified', { exact: true })).toBeVisible();
  await expectNoHorizontalScroll(page);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByText('You are signed out.')).toBeVisible();
  await page.goto('/account');
  await expect(page).toHaveURL(/\/login$/);

  await signIn(page, email, 'definitely not it');
  await expect(page.getByRole('alert')).toContainText('do not match an account');
  await signIn(page, email, firstPassword);
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByText(email)).toBeVisible();
  await page.getByRole('button', { name: 'Sign out' }).click();

  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Send reset link' }).click();
  await expect(page.getByText('If an account uses that address')).toBeVisible();

  const resetLink = await linkFromMail(email, 'Reset your password', '/reset-password?token=');
  await page.goto(resetLink);
  await page.getByLabel('New password').fill('password1');
  await page.getByRole('button', { name: 'Set new password' }).click();
  await expect(page.getByText('too common')).toBeVisible();
  await page.getByLabel('New password').fill(newPassword);
  await page.getByRole('button', { name: 'Set new password' }).click();
  await expect(page.getByText('Your password has been changed')).toBeVisible();

  await signIn(page, email, firstPassword);
  await expect(page.getByRole('alert')).toContainText('do not match an account');
  await signIn(page, email, newPassword);
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByRole('heading', { name: 'Your account' })).toBeVisible();
});

test('sign-up errors are shown next to the fields and keep what was typed', async ({ page }) => {
  await page.goto('/signup');
  await page.getByLabel('Email').fill('not-an-address');
  await page.getByLabel('Name').fill('Kept Name');
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByText('Enter a valid email address')).toBeVisible();
  await expect(page.getByText('Use at least 8 characters')).toBeVisible();
  await expect(page.getByText('You must accept the terms')).toBeVisible();
  await expect(page.getByLabel('Name')).toHaveValue('Kept Name');
  await expect(page.getByLabel('Email')).toHaveAttribute('aria-invalid', 'true');
});

test('change the email through a link sent to the new address', async ({ page }, info) => {
  const tag = `${info.project.name}-${Date.now()}`;
  const email = `e2e-move-${tag}@example.com`;
  const newEmail = `e2e-moved-${tag}@example.com`;
  await signUpAndVerify(page, email, firstPassword, 'Moving Customer');

  // Changing the address is folded away until asked for.
  await page.locator('summary', { hasText: 'Change email' }).click();
  const form = page.locator('form[action="/account/email"]');
  await form.getByLabel('New email').fill(email);
  await form.getByLabel('Password').fill(firstPassword);
  await form.getByRole('button', { name: 'Send the link' }).click();
  await expect(page.getByText('That is already your email address.')).toBeVisible();
  await expectAccessible(page, info);
  await expectNoHorizontalScroll(page);
  await form.getByLabel('New email').fill(newEmail);
  await form.getByLabel('Password').fill(firstPassword);
  await form.getByRole('button', { name: 'Send the link' }).click();
  await expect(page.getByText(`We sent a link to ${newEmail}`)).toBeVisible();

  await page.goto(await linkFromMail(newEmail, 'Confirm your new email address', '/account/email/confirm?token='));
  await expect(page.getByText(newEmail)).toBeVisible();
  await expectAccessible(page, info);
  await page.getByRole('button', { name: 'Use this address' }).click();
  await expect(page.getByRole('heading', { name: 'Your email is changed' })).toBeVisible();

  await signIn(page, newEmail, firstPassword);
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByText(newEmail)).toBeVisible();
});
