// A shared screen (a kiosk, a TV) signed in from a phone, in a real
// browser with two contexts: the screen shows a QR code, a link and a match
// code; the signed-in phone opens the link, sees the screen and the same
// number, and says yes; the screen's page signs it in by itself, for a few
// minutes (one here), after which it is signed out. A phone that was
// signed out signs in first and is brought back to the question; saying no
// leaves the screen signed out, told so.
// Runs on the desktop and the phone-sized, JavaScript-off projects (the
// screen's page is the project's; the phone's never runs script).
import { test, expect, Page } from '@playwright/test';
import { expectAccessible, phoneOf, signUpAndVerify } from './checks';

const password = 'harbour-quilt-meadow-47';

/** The screen asks for a code from the sign-in page: its link and number. */
async function screenCode(screen: Page, shots?: (name: string) => Promise<void>) {
  await screen.goto('/login');
  await screen.getByRole('link', { name: 'Sign in with your phone' }).click();
  await expect(screen).toHaveURL(/\/login\/screen$/);
  await expect(screen.getByText(/stays signed in for 1 minute,/)).toBeVisible();
  await shots?.('screen-intro');
  await screen.getByRole('button', { name: 'Show a code to scan' }).click();
  await expect(screen.getByRole('img', { name: 'QR code to sign in this screen from your phone' })).toBeVisible();
  const code = (await screen.locator('[data-match-code]').textContent())!.trim();
  expect(code).toMatch(/^\d{2}$/);
  const link = await screen.getByLabel('Or open this link on the phone').inputValue();
  expect(link).toContain('/handoff/approve?token=');
  return { code, link };
}

test('a signed-in phone signs a shared screen in for a minute, after which it is signed out', async ({ page, browser }, info) => {
  test.setTimeout(120_000);
  const email = `screen-${info.project.name}-${Date.now()}@example.com`;
  const phone = await phoneOf(browser);
  await signUpAndVerify(phone.page, email, password, 'Screen Owner');

  const shot = async (name: string) => {
    await expectAccessible(page, info);
    await page.screenshot({ path: info.outputPath(`${name}.png`), fullPage: true });
  };
  const { code, link } = await screenCode(page, shot);
  await shot('screen-code');

  await phone.page.goto(link);
  await expect(phone.page.getByRole('heading', { name: 'Sign in a shared screen?' })).toBeVisible();
  await expect(phone.page.locator('[data-match-code]')).toHaveText(code);
  await expect(phone.page.locator('[data-handoff-device]')).not.toBeEmpty();
  await phone.page.screenshot({ path: info.outputPath('screen-phone-asked.png'), fullPage: true });
  await phone.page.getByRole('button', { name: 'Yes, sign in that screen' }).click();
  const signedInAt = Date.now();
  await expect(phone.page).toHaveURL(/\/account\/devices$/);
  await expect(phone.page.getByText(/The screen is signing in/)).toBeVisible();

  // The screen's page reloads by itself into the account, and the phone
  // lists it as a shared screen.
  await expect(page).toHaveURL(/\/account$/, { timeout: 10_000 });
  await expect(page.getByRole('heading', { name: 'Your account' })).toBeVisible();
  await phone.page.reload();
  await expect(phone.page.getByText(/Shared screen: signs itself out/)).toBeVisible();
  await phone.page.screenshot({ path: info.outputPath('screen-phone-devices.png'), fullPage: true });
  await page.goto('/account/devices');
  await expect(page.getByText(/Shared screen: signs itself out/)).toBeVisible();
  await shot('screen-devices');

  // A minute on, the screen is signed out whatever it does; the phone is
  // not. (Waited for once: the server's clock is the same for both sizes.)
  if (info.project.name === 'desktop') {
    await page.waitForTimeout(Math.max(0, signedInAt + 62_000 - Date.now()));
    await page.goto('/account');
    await expect(page).toHaveURL(/\/login$/);
    await phone.page.goto('/account');
    await expect(phone.page).toHaveURL(/\/account$/);
  }
  await phone.context.close();
});

test('a signed-out phone signs in first, comes back to the question, and says no', async ({ page, browser }, info) => {
  const email = `screen-no-${info.project.name}-${Date.now()}@example.com`;
  const phone = await phoneOf(browser);
  await signUpAndVerify(phone.page, email, password, 'Not My Screen');
  await phone.context.clearCookies();

  const { code, link } = await screenCode(page);
  await phone.page.goto(link);
  await expect(phone.page.getByRole('heading', { name: 'Sign in on this phone first' })).toBeVisible();
  await phone.page.screenshot({ path: info.outputPath('screen-phone-sign-in-first.png'), fullPage: true });
  await phone.page.getByRole('link', { name: 'Sign in' }).click();
  await phone.page.getByLabel('Email').fill(email);
  await phone.page.getByLabel('Password').fill(password);
  await phone.page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(phone.page.getByRole('heading', { name: 'Sign in a shared screen?' })).toBeVisible();
  await expect(phone.page.locator('[data-match-code]')).toHaveText(code);
  await phone.page.getByRole('button', { name: 'No, this is not my screen' }).click();
  await expect(phone.page.getByText('The screen was not signed in.')).toBeVisible();

  await expect(page.getByText('The phone said no: this screen was not signed in.')).toBeVisible({ timeout: 10_000 });
  await expect(page.getByRole('button', { name: 'Show a new code' })).toBeVisible();
  await expectAccessible(page, info);
  await page.screenshot({ path: info.outputPath('screen-refused.png'), fullPage: true });
  await page.goto('/account');
  await expect(page).toHaveURL(/\/login$/);
  await phone.context.close();
});
