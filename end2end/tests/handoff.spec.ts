// "Continue on another device" in a real browser, with two contexts: a
// signed-in laptop shows a QR code, a link and a match code; a phone opens
// the link, shows the same code and waits; the laptop sees which device
// asks and confirms, and the phone's waiting page signs it in by itself
// (no script: the pages reload on their own). A refused handoff and a
// stale link leave the phone signed out, with a page that says what next.
// Runs on the desktop and the phone-sized, JavaScript-off projects (the
// laptop's page is the project's; the phone's never runs script).
import { test, expect } from '@playwright/test';
import { expectAccessible, phoneOf, signUpAndVerify } from './checks';

const password = 'lantern-orchard-velvet-92';

test('a laptop hands its session to a phone, which signs in by itself once confirmed', async ({ page, browser }, info) => {
  const email = `handoff-${info.project.name}-${Date.now()}@example.com`;
  await signUpAndVerify(page, email, password, 'Hand Off');
  await page.getByRole('button', { name: /Continue on another device|Other device/ }).first().click();
  await expect(page).toHaveURL(/\/account\/handoff$/);
  await expect(page.getByRole('heading', { name: 'Continue on another device' })).toBeVisible();
  await expect(page.getByRole('img', { name: 'QR code to continue on another device' })).toBeVisible();
  const code = (await page.locator('[data-match-code]').textContent())!.trim();
  expect(code).toMatch(/^\d{2}$/);
  const link = await page.getByLabel('Or copy this link').inputValue();
  expect(link).toContain('/handoff/open?token=');
  await expectAccessible(page, info);
  await page.screenshot({ path: info.outputPath('handoff-offer.png'), fullPage: true });

  const phone = await phoneOf(browser);
  await phone.page.goto(link);
  await expect(phone.page.getByRole('heading', { name: 'Continue on this device?' })).toBeVisible();
  await expect(phone.page.locator('[data-match-code]')).toHaveText(code);
  await expect(phone.page.getByText(/offers to continue its signed-in session/)).toBeVisible();
  await phone.page.screenshot({ path: info.outputPath('handoff-phone-open.png'), fullPage: true });
  await phone.page.getByRole('button', { name: 'Continue on this device' }).click();
  await expect(phone.page.getByRole('heading', { name: 'Confirm on your other device' })).toBeVisible();
  await phone.page.screenshot({ path: info.outputPath('handoff-phone-waiting.png'), fullPage: true });

  // The laptop's page reloads by itself and asks about the phone.
  await expect(page.getByText('Safari on iPhone')).toBeVisible({ timeout: 10_000 });
  await expect(page.locator('[data-match-code]')).toHaveText(code);
  await expectAccessible(page, info);
  await page.screenshot({ path: info.outputPath('handoff-confirm.png'), fullPage: true });
  await page.getByRole('button', { name: 'Yes, continue on that device' }).click();

  // The phone's waiting page reloads by itself into the account.
  await expect(phone.page).toHaveURL(/\/account$/, { timeout: 10_000 });
  await expect(phone.page.getByRole('heading', { name: 'Your account' })).toBeVisible();
  await expect(page.getByText('Safari on iPhone is signed in.')).toBeVisible({ timeout: 10_000 });
  await page.screenshot({ path: info.outputPath('handoff-done.png'), fullPage: true });
  await phone.page.goto('/account/devices');
  await expect(phone.page.getByText(/Handed off from Chrome on Linux|Handed off from/).first()).toBeVisible();
  await phone.page.screenshot({ path: info.outputPath('handoff-phone-devices.png'), fullPage: true });
  await phone.context.close();
});

test('a refused handoff and a stale link leave the phone signed out, told what to do', async ({ page, browser }, info) => {
  const email = `handoff-no-${info.project.name}-${Date.now()}@example.com`;
  await signUpAndVerify(page, email, password, 'Not Me');
  await page.goto('/account');
  await page.getByRole('button', { name: 'Continue on another device' }).last().click();
  const link = await page.getByLabel('Or copy this link').inputValue();

  const phone = await phoneOf(browser);
  await phone.page.goto(link);
  await phone.page.getByRole('button', { name: 'Continue on this device' }).click();
  await expect(page.getByRole('button', { name: 'No, this is not my device' })).toBeVisible({ timeout: 10_000 });
  await page.getByRole('button', { name: 'No, this is not my device' }).click();
  await expect(page.getByText('Refused. Safari on iPhone was not signed in.')).toBeVisible();
  await expectAccessible(page, info);
  await page.screenshot({ path: info.outputPath('handoff-refused.png'), fullPage: true });
  await expect(phone.page.getByText('The other device refused.')).toBeVisible({ timeout: 10_000 });
  await expect(phone.page.getByRole('link', { name: 'Sign in with your password instead' })).toBeVisible();
  await phone.page.screenshot({ path: info.outputPath('handoff-phone-refused.png'), fullPage: true });
  await phone.page.goto('/account');
  await expect(phone.page).toHaveURL(/\/login$/);

  // The same link again, or a made-up one: gone, with the way on.
  await phone.page.goto(link);
  await expect(phone.page.getByRole('heading', { name: 'This link no longer works' })).toBeVisible();
  await phone.page.goto('/handoff/open?token=made-up');
  await expect(phone.page.getByText('choose “Continue on another device” again')).toBeVisible();
  await phone.page.screenshot({ path: info.outputPath('handoff-phone-gone.png'), fullPage: true });
  await phone.context.close();
});
