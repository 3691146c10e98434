// Passkeys in Chromium with the DevTools virtual authenticator (a real
// CTAP2 authenticator in the browser, with user verification): register one
// from the security page, use it as a second factor, sign in with it alone
// (no email typed), remove it, and see a removed passkey refused; an admin
// takes a passkey as the console's second factor.
//
// Browsers refuse passkeys for IP addresses, so this spec runs its own
// Gatehouse whose public address is http://localhost:PORT (a fresh SQLite
// database, the same mail sink).
import { test, expect, Page } from '@playwright/test';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { adminEnrols, base32, expectAccessible, signUpAndVerify, totp } from './checks';
import { adminPassword } from './admin';

const binary = process.env.GATEHOUSE_BIN || resolve(__dirname, '../../target/release/gatehouse');
const port = Number(process.env.E2E_APP_PORT) + 2;
const origin = `http://localhost:${port}`;
const password = 'lantern-orchard-velvet-92';
let server: ChildProcess;
let database: string;

test.beforeAll(async () => {
  database = `sqlite://${join(process.env.E2E_DIR!, `passkeys-${Date.now()}.db`)}`;
  server = spawn(binary, ['serve'], {
    env: {
      ...process.env,
      GATEHOUSE_BIND: `127.0.0.1:${port}`,
      GATEHOUSE_DATABASE_URL: database,
      GATEHOUSE_PUBLIC_URL: origin,
      GATEHOUSE_SMTP_URL: `smtp://127.0.0.1:${process.env.E2E_SMTP_PORT}`,
      GATEHOUSE_LOG: 'warn',
    },
    stdio: 'ignore',
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) throw new Error('the passkey server did not start');
    await new Promise((r) => setTimeout(r, 200));
  }
});

test.afterAll(() => { server?.kill(); });

async function virtualAuthenticator(page: Page) {
  const client = await page.context().newCDPSession(page);
  await client.send('WebAuthn.enable');
  const { authenticatorId } = await client.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2', transport: 'internal', hasResidentKey: true,
      hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true,
    },
  });
  // Whether the authenticator answers by itself (a user touching it): off
  // while a page's passkey autofill should stay waiting.
  const presence = (enabled: boolean) =>
    client.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled });
  return { client, authenticatorId, presence };
}

async function signOut(page: Page) {
  await page.getByRole('button', { name: 'Sign out' }).first().click();
  await expect(page).toHaveURL(/\/login$/);
}

test('register a passkey, use it as a second factor, sign in with it alone, remove it', async ({ page }, info) => {
  test.skip(info.project.use.javaScriptEnabled === false, 'passkeys need the browser API');
  const email = `passkey-${Date.now()}@example.com`;
  const { client, authenticatorId, presence } = await virtualAuthenticator(page);
  await signUpAndVerify(page, email, password, 'Pat Passkey', origin);

  // Register from the security page: the first factor brings recovery codes.
  await page.goto(`${origin}/account/security`);
  await page.getByRole('button', { name: 'Add a passkey' }).click();
  await expect(page.getByRole('heading', { name: 'Save your recovery codes' })).toBeVisible();
  await page.getByRole('link', { name: 'I have saved them' }).click();
  await page.goto(`${origin}/account/security`);
  await expect(page.getByText('Your passkey is added.')).toHaveCount(0);
  const factors = page.getByRole('list', { name: 'Second factors' });
  await expect(factors).toContainText('Passkey on Linux');
  await expectAccessible(page);
  const { credentials } = await client.send('WebAuthn.getCredentials', { authenticatorId });
  expect(credentials).toHaveLength(1);
  expect(credentials[0].isResidentCredential).toBe(true);

  // As a second factor after the password (the authenticator untouched
  // while the sign-in page offers it for autofill).
  await presence(false);
  await signOut(page);
  await expectAccessible(page);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page).toHaveURL(/\/login\/verify$/);
  await expectAccessible(page);
  await presence(true);
  await page.getByRole('button', { name: 'Use a passkey' }).click();
  await expect(page).toHaveURL(/\/account$/);

  // Alone, with the button: no email typed, the browser names the account.
  // The page's autofill is switched off for this step (through this tab's
  // sessionStorage): with the authenticator answering, it would otherwise
  // sign in before the button is pressed.
  await page.addInitScript(() => {
    if (sessionStorage.getItem('e2e-no-autofill')) {
      PublicKeyCredential.isConditionalMediationAvailable = async () => false;
    }
  });
  await page.evaluate(() => sessionStorage.setItem('e2e-no-autofill', '1'));
  await signOut(page);
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByText(email)).toBeVisible();
  await page.evaluate(() => sessionStorage.removeItem('e2e-no-autofill'));

  // Alone, by autofill: the sign-in page's email field offers the passkey,
  // and choosing it (the authenticator answering) signs in: signing out
  // lands on that page, which signs straight back in.
  const signCount = async () =>
    (await client.send('WebAuthn.getCredentials', { authenticatorId })).credentials[0].signCount;
  const before = await signCount();
  await page.getByRole('button', { name: 'Sign out' }).first().click();
  await expect.poll(signCount).toBeGreaterThan(before);
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByText(email)).toBeVisible();

  // Removed (a passkey sign-in is a fresh second factor: no step-up asked).
  await page.goto(`${origin}/account/security`);
  // Removing asks first: the quiet button opens the question.
  await page.locator('summary[aria-label^="Remove Passkey on"]').click();
  await page.getByRole('button', { name: 'Yes, remove it' }).click();
  await expect(page.getByText(/^Passkey on .* is removed\.$/)).toBeVisible();
  await expect(page.getByText('No second factor yet')).toBeVisible();

  // The authenticator still holds it, but Gatehouse refuses it now.
  await presence(false);
  await signOut(page);
  await presence(true);
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expect(page.getByText('That passkey could not be verified')).toBeVisible();
  await expect(page).toHaveURL(/\/login$/);
});

test('an admin sets up a passkey at the first console sign-in and uses it after', async ({ page }, info) => {
  test.skip(info.project.use.javaScriptEnabled === false, 'passkeys need the browser API');
  const email = `console-passkey-${Date.now()}@example.com`;
  execFileSync(binary, ['admin', 'create', '--email', email, '--role', 'owner'], {
    env: { ...process.env, GATEHOUSE_DATABASE_URL: database, GATEHOUSE_LOG: 'error' },
    input: adminPassword,
  });
  const { client, authenticatorId, presence } = await virtualAuthenticator(page);
  const signIn = async () => {
    await page.goto(`${origin}/admin/login`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };

  // The first sign-in offers a passkey or an app; the passkey opens the console.
  await signIn();
  await expect(page).toHaveURL(/\/admin\/login\/enrol$/);
  await expect(page.getByRole('heading', { name: 'Or an authenticator app' })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Add a passkey' }).click();
  await expect(page).toHaveURL(/\/admin\/customers$/);
  const { credentials } = await client.send('WebAuthn.getCredentials', { authenticatorId });
  expect(credentials).toHaveLength(1);
  await page.goto(`${origin}/admin/admins`);
  await expect(page.getByRole('row', { name: new RegExp(email) })).toContainText('Passkey');

  // The next sign-in asks for it, and no code: the admin has no app.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await signIn();
  await expect(page).toHaveURL(/\/admin\/login\/verify$/);
  await expect(page.getByLabel('Code', { exact: true })).toHaveCount(0);
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Use your passkey' }).click();
  await expect(page).toHaveURL(/\/admin\/customers$/);

  // The admin's passkey does not open a customer account.
  await presence(false);
  await page.goto(`${origin}/login`);
  await presence(true);
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expect(page.getByText('That passkey could not be verified')).toBeVisible();
  await expect(page).toHaveURL(/\/login$/);
});

test('an admin with an app adds a passkey from their sign-in page, then drops the app', async ({ page }, info) => {
  test.skip(info.project.use.javaScriptEnabled === false, 'passkeys need the browser API');
  const email = `console-switch-${Date.now()}@example.com`;
  execFileSync(binary, ['admin', 'create', '--email', email, '--role', 'support'], {
    env: { ...process.env, GATEHOUSE_DATABASE_URL: database, GATEHOUSE_LOG: 'error' },
    input: adminPassword,
  });
  await virtualAuthenticator(page);
  const signIn = async () => {
    await page.goto(`${origin}/admin/login`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };
  await signIn();
  await adminEnrols(page);

  // The admin's name in the console's header leads to their sign-in page.
  await page.getByRole('link', { name: /\(support\)/ }).click();
  await expect(page.getByRole('heading', { name: 'Your sign-in' })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Add a passkey' }).click();
  await expect(page.getByText('Your passkey is added.')).toBeVisible();
  const factors = page.getByRole('list', { name: 'Second factors' });
  await expect(factors).toContainText('Passkey on Linux');
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Remove Authenticator app' }).click();
  await expect(page.getByText('Removed.')).toBeVisible();
  await expect(factors).not.toContainText('Authenticator app');
  await expect(page.getByRole('button', { name: /^Remove/ })).toHaveCount(0);

  // The next sign-in asks for the passkey alone.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await signIn();
  await expect(page).toHaveURL(/\/admin\/login\/verify$/);
  await expect(page.getByLabel('Code', { exact: true })).toHaveCount(0);
  await page.getByRole('button', { name: 'Use your passkey' }).click();
  await expect(page).toHaveURL(/\/admin\/customers$/);
});

test('a customer whose policy turns to passkeys proves their app before adding one', async ({ browser, page }, info) => {
  test.skip(info.project.use.javaScriptEnabled === false, 'passkeys need the browser API');
  const tag = Date.now();
  const email = `prove-first-${tag}@example.com`;
  const { client, authenticatorId } = await virtualAuthenticator(page);
  await signUpAndVerify(page, email, password, 'Pat Prover', origin);
  await page.goto(`${origin}/account/security`);
  await page.getByRole('link', { name: 'Set up an authenticator app' }).click();
  const secret = base32(await page.locator('[data-totp-secret]').innerText());
  await page.getByLabel('Code from the app').fill(totp(secret));
  await page.getByRole('button', { name: 'Turn on' }).click();
  await page.getByRole('link', { name: 'I have saved them' }).click();
  await signOut(page);

  // An owner makes passkeys the only second factor that counts.
  const ownerEmail = `prove-owner-${tag}@example.com`;
  execFileSync(binary, ['admin', 'create', '--email', ownerEmail, '--role', 'owner'], {
    env: { ...process.env, GATEHOUSE_DATABASE_URL: database, GATEHOUSE_LOG: 'error' },
    input: adminPassword,
  });
  const admin = await (await browser.newContext()).newPage();
  await admin.goto(`${origin}/admin/login`);
  await admin.getByLabel('Email').fill(ownerEmail);
  await admin.getByLabel('Password').fill(adminPassword);
  await admin.getByRole('button', { name: 'Sign in' }).click();
  await adminEnrols(admin);
  const policy = async (value: string) => {
    await admin.goto(`${origin}/admin/mfa`);
    await admin.getByLabel('Policy for every tier without its own').selectOption(value);
    await admin.getByRole('button', { name: 'Save policy' }).click();
    await expect(admin.getByText('The MFA policy is saved.')).toBeVisible();
  };
  await policy('phishing_resistant');

  try {
    // The password leads to the app's code first, never straight to a passkey.
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page).toHaveURL(/\/login\/verify$/);
    await expect(page.getByText(/Before you set one up, confirm it/)).toBeVisible();
    await expect(page.getByRole('checkbox')).toHaveCount(0);
    await expectAccessible(page);
    await page.screenshot({ path: info.outputPath('prove-first-desktop.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: info.outputPath('prove-first-phone.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${origin}/login/enrol`);
    await expect(page).toHaveURL(/\/login\/verify$/);
    await page.getByLabel('Code', { exact: true }).fill(totp(secret, 1));
    await page.getByRole('button', { name: 'Verify' }).click();

    // Then the passkey, and on: the customer kept their recovery codes.
    await expect(page).toHaveURL(/\/login\/enrol$/);
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await expect(page).toHaveURL(/\/account$/);
    const { credentials } = await client.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).toHaveLength(1);
  } finally {
    await policy('optional');
  }
});
