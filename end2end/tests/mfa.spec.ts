// Second factors in a real browser: an authenticator app set up from the
// security page with codes computed here (RFC 6238, node:crypto, not the
// server's library), asked after the password, a recovery code, and a tier
// whose policy requires a factor forcing enrolment at sign-in, a remembered
// browser, the step-up a sensitive change asks for, and deleting the account. Every new page is
// checked with axe-core where JavaScript is on.
import { test, expect, Page, TestInfo } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { signedInOwner } from './admin';
import { base32, expectAccessible, signUpAndVerify, totp } from './checks';

const password = 'lantern-orchard-velvet-92';

async function signIn(page: Page, email: string) {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function signOut(page: Page) {
  await page.getByRole('button', { name: 'Sign out' }).first().click();
  await expect(page).toHaveURL(/\/login$/);
}

/** Reads the key from the setup page and turns the app on with its code. */
async function setUpApp(page: Page, info: TestInfo): Promise<Buffer> {
  await expect(page.locator('svg[role="img"]')).toBeVisible();
  await expectAccessible(page, info);
  const secret = base32(await page.locator('[data-totp-secret]').innerText());
  expect(secret.length).toBe(20);
  await page.getByLabel('Code from the app').fill('000000');
  await page.getByRole('button', { name: 'Turn on' }).click();
  await expect(page.getByText('That code is wrong')).toBeVisible();
  await page.getByLabel('Code from the app').fill(totp(secret));
  await page.getByRole('button', { name: 'Turn on' }).click();
  await expect(page.getByRole('heading', { name: 'Save your recovery codes' })).toBeVisible();
  return secret;
}

test('an authenticator app is asked after the password; a recovery code works once', async ({ page }, info) => {
  const email = `mfa-app-${info.project.name}-${Date.now()}@example.com`;
  await signUpAndVerify(page, email, password, 'Second Factor');
  await page.getByRole('link', { name: 'Manage sign-in security' }).click();
  await expect(page.getByRole('heading', { name: 'Sign-in security' })).toBeVisible();
  await expect(page.getByText('No second factor yet')).toBeVisible();
  await expectAccessible(page, info);
  await page.getByRole('link', { name: 'Set up an authenticator app' }).click();
  const secret = await setUpApp(page, info);
  const codes = await page.locator('[data-recovery-codes] li').allInnerTexts();
  expect(codes).toHaveLength(10);
  await expectAccessible(page, info);
  // Downloaded (without JavaScript too), copied and printed from the page.
  const scripted = info.project.use.javaScriptEnabled !== false;
  if (scripted) {
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.getByRole('button', { name: 'Copy' }).click();
    await expect(page.getByRole('button', { name: 'Copied' })).toBeVisible();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied.trim().split('\n')).toEqual(codes);
  }
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('recovery-codes.txt');
  const saved = readFileSync(await download.path(), 'utf8');
  for (const code of codes) expect(saved).toContain(code);
  expect(saved).toContain(email);
  await expect(page.getByRole('button', { name: 'Print' })).toBeVisible({ visible: scripted });
  await page.screenshot({ path: info.outputPath('recovery-codes.png'), fullPage: true });
  await page.getByRole('link', { name: 'I have saved them' }).click();
  await expect(page).toHaveURL(/\/account$/);
  await page.goto('/account/security');
  await expect(page.getByText('10 unused recovery codes left.')).toBeVisible();
  await expectAccessible(page, info);

  await signOut(page);
  await signIn(page, email);
  await expect(page).toHaveURL(/\/login\/verify$/);
  await expect(page.getByRole('heading', { name: 'Two-step verification' })).toBeVisible();
  await expectAccessible(page, info);
  await page.getByLabel('Code', { exact: true }).fill('123456');
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('alert').or(page.getByText('That code is wrong')).first()).toBeVisible();
  await expectAccessible(page, info);
  // The code of the next step (the one used to turn the app on is spent).
  await page.getByLabel('Code', { exact: true }).fill(totp(secret, 1));
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page).toHaveURL(/\/account$/);

  await signOut(page);
  await signIn(page, email);
  await page.getByLabel('Code', { exact: true }).fill(codes[0]);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page).toHaveURL(/\/account$/);
  // Told how many codes are left.
  await expect(page.getByText('You signed in with a recovery code. 9 unused recovery codes left.')).toBeVisible();
  await signOut(page);
  await signIn(page, email);
  await page.getByLabel('Code', { exact: true }).fill(codes[0]);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByText('That code is wrong, expired or already used')).toBeVisible();
});

test('a remembered browser skips the code; a sensitive change still asks for a factor', async ({ page }, info) => {
  const email = `mfa-remember-${info.project.name}-${Date.now()}@example.com`;
  await signUpAndVerify(page, email, password, 'Remembered Browser');
  await page.goto('/account/security/app');
  const secret = await setUpApp(page, info);
  const codes = await page.locator('[data-recovery-codes] li').allInnerTexts();
  await page.getByRole('link', { name: 'I have saved them' }).click();

  // Remembered at the second step: the next sign-in asks only the password.
  await signOut(page);
  await signIn(page, email);
  await page.getByLabel('Code', { exact: true }).fill(totp(secret, 1));
  await page.getByLabel('Remember this browser for 30 days').check();
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page).toHaveURL(/\/account$/);
  await signOut(page);
  await signIn(page, email);
  await expect(page).toHaveURL(/\/account$/);

  // Remembering skipped the factor, so new recovery codes ask for one first,
  // then return to the page that asked.
  await page.goto('/account/security');
  await page.getByRole('button', { name: 'Make new recovery codes' }).click();
  await expect(page).toHaveURL(/\/account\/verify\?next=/);
  await expect(page.getByRole('heading', { name: "Confirm it's you" })).toBeVisible();
  await expect(page.getByLabel(/Remember this browser/)).toHaveCount(0);
  await expectAccessible(page, info);
  await page.getByLabel('Code', { exact: true }).fill('000000');
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByText('That code is wrong, expired or already used')).toBeVisible();
  await expectAccessible(page, info);
  await page.getByLabel('Code', { exact: true }).fill(codes[0]);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page).toHaveURL(/\/account\/security$/);
  await page.getByRole('button', { name: 'Make new recovery codes' }).click();
  await expect(page.getByRole('heading', { name: 'Save your recovery codes' })).toBeVisible();

  // Deleting the account (the factor shown just now still counts) asks for
  // the password, then nothing of the customer is left to sign in with.
  await page.goto('/account');
  await page.getByRole('link', { name: 'Delete your account' }).click();
  await expect(page.getByRole('heading', { name: 'Delete your account' })).toBeVisible();
  await expectAccessible(page, info);
  await page.getByLabel('Password').fill('not-the-password-at-all');
  await page.getByRole('button', { name: 'Delete my account' }).click();
  await expect(page.getByText('That is not your current password.')).toBeVisible();
  await expectAccessible(page, info);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Delete my account' }).click();
  await expect(page.getByRole('heading', { name: 'Your account is deleted' })).toBeVisible();
  await expectAccessible(page, info);
  await signIn(page, email);
  await expect(page).toHaveURL(/\/login$/);
});

test('a tier that requires MFA makes its customers set up a factor at sign-in', async ({ browser, page }, info) => {
  const tag = `${info.project.name}-${Date.now()}`;
  const email = `mfa-tier-${tag}@example.com`;
  await signUpAndVerify(page, email, password, 'Second Factor');
  await signOut(page);

  // An owner makes a tier that requires MFA, and moves the customer into it.
  const admin = await signedInOwner(browser, info, 'mfa-owner');
  await admin.getByRole('link', { name: 'Tiers' }).click();
  const tierName = `Secure ${tag}`;
  await admin.getByLabel('Name').fill(tierName);
  await admin.getByLabel('Slug').fill(`secure-${Date.now()}`);
  await admin.getByLabel('Rank').fill('40');
  await admin.getByRole('button', { name: 'Create tier' }).click();
  await expect(admin.getByText(`The tier ${tierName} is created.`)).toBeVisible();
  const tierPage = admin.url();
  await admin.getByLabel('MFA policy').selectOption('required');
  await admin.getByRole('button', { name: 'Save MFA policy' }).click();
  await expect(admin.getByText("The tier's MFA policy is saved.")).toBeVisible();
  await expectAccessible(admin, info);
  await admin.getByRole('link', { name: 'MFA', exact: true }).click();
  await expect(admin.getByRole('heading', { name: 'Sign-in security (MFA)' })).toBeVisible();
  await expectAccessible(admin, info);
  await admin.goto(`/admin/customers?q=${encodeURIComponent(email)}`);
  await admin.getByRole('link', { name: email }).click();
  await admin.getByLabel('Move to tier').selectOption({ label: tierName });
  await admin.getByRole('button', { name: 'Change tier' }).click();

  // At the next sign-in the customer sets up an app before going on.
  await signIn(page, email);
  await expect(page).toHaveURL(/\/login\/enrol$/);
  await expect(page.getByRole('heading', { name: 'Protect your account' })).toBeVisible();
  await page.goto('/account');
  await expect(page).toHaveURL(/\/login$/);
  await signIn(page, email);
  await setUpApp(page, info);
  await page.getByRole('link', { name: 'I have saved them' }).click();
  await expect(page).toHaveURL(/\/account$/);

  // The tier's page counts the customer as covered.
  await admin.goto(tierPage);
  await expect(admin.getByText('1 (100.0%)').first()).toBeVisible();

  // Support resets MFA from the customer's page: set up again next time.
  await admin.goto(`/admin/customers?q=${encodeURIComponent(email)}`);
  await admin.getByRole('link', { name: email }).click();
  await expect(admin.getByRole('table', { name: 'Second factors' })).toContainText('Authenticator app');
  await admin.getByRole('button', { name: /Reset MFA/ }).click();
  await expect(admin.getByText('MFA is reset')).toBeVisible();
  await signOut(page);
  await signIn(page, email);
  await expect(page).toHaveURL(/\/login\/enrol$/);
});
