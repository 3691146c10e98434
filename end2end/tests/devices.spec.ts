// The customer's device list in a real browser: a laptop and a phone signed
// in to one account; the laptop lists both in words, signs the phone out,
// then every other device. Runs on the desktop and the phone-sized,
// JavaScript-off projects (the laptop's page is the project's).
import { test, expect, Page } from '@playwright/test';
import { expectAccessible, iPhone, signUpAndVerify } from './checks';

const password = 'lantern-orchard-velvet-92';

async function signIn(page: Page, email: string) {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/account$/);
}

test('a laptop lists the phone signed in to the same account and signs it out', async ({ page, browser }, info) => {
  const email = `devices-${info.project.name}-${Date.now()}@example.com`;
  await signUpAndVerify(page, email, password, 'Device Owner');
  const phoneContext = await browser.newContext({ userAgent: iPhone, viewport: { width: 390, height: 844 } });
  const phone = await phoneContext.newPage();
  await signIn(phone, email);

  await page.getByRole('link', { name: 'See your devices' }).click();
  await expect(page).toHaveURL(/\/account\/devices$/);
  await expect(page.getByRole('heading', { name: 'Your devices' })).toBeVisible();
  await expect(page.getByText('This device')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Safari on iPhone' })).toBeVisible();
  await expect(page.getByText('Signed in with password').first()).toBeVisible();
  await expectAccessible(page, info);
  await page.screenshot({ path: info.outputPath('devices.png'), fullPage: true });

  await page.getByRole('button', { name: /^Sign out Safari on iPhone/ }).click();
  await expect(page.getByText('That device is signed out.')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Safari on iPhone' })).toHaveCount(0);
  await phone.goto('/account');
  await expect(phone).toHaveURL(/\/login$/);

  await signIn(phone, email);
  await page.goto('/account/devices');
  await page.getByRole('button', { name: 'Sign out the other device' }).click();
  await expect(page.getByText('The other device is signed out.')).toBeVisible();
  await phone.goto('/account');
  await expect(phone).toHaveURL(/\/login$/);
  await page.goto('/account');
  await expect(page.getByRole('heading', { name: 'Your account' })).toBeVisible();
  await phoneContext.close();
});
