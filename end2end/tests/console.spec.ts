// The console in a real browser: an owner is set up from the one-time link,
// signs out and in, finds a customer, edits them, disables them (their
// sign-in then fails) and enables them again. Every console page is checked with axe-core for serious or critical
// accessibility violations.
import { test, expect, Page, TestInfo } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { linkFromMail } from './mail';
import { adminPassword, signedInOwner } from './admin';
import { adminEnrols, expectAccessible, totp } from './checks';

const binary = process.env.GATEHOUSE_BIN || resolve(__dirname, '../../target/release/gatehouse');
const customerPassword = 'lantern-orchard-velvet-92';

async function customerSignIn(page: Page, email: string) {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(customerPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('owner set-up, sign-in, search, edit, disable and enable a customer', async ({ browser, page }, info) => {
  const tag = `${info.project.name}-${Date.now()}`;
  const customerEmail = `console-${tag}@example.com`;

  // A customer to look after.
  await page.goto('/signup');
  await page.getByLabel('Email').fill(customerEmail);
  await page.getByLabel('Name').fill(`Console Customer ${tag}`);
  await page.getByLabel('Password').fill(customerPassword);
  await page.getByLabel(/I accept the/).check();
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.goto(await linkFromMail(customerEmail, 'Verify your email', '/verify-email?token='));
  await page.getByRole('button', { name: 'Verify my email' }).click();
  await expect(page).toHaveURL(/\/account$/);

  // The owner's one-time link, as `gatehouse admin create` prints it.
  const output = execFileSync(binary, ['admin', 'create', '--email', `owner-${tag}@example.com`, '--role', 'owner'], {
    env: {
      ...process.env,
      GATEHOUSE_DATABASE_URL: `sqlite://${join(process.env.E2E_DIR!, 'gatehouse.db')}`,
      GATEHOUSE_PUBLIC_URL: `http://127.0.0.1:${process.env.E2E_APP_PORT}`,
      GATEHOUSE_LOG: 'error',
    },
    input: '',
  }).toString();
  const setupLink = output.match(/https?:\/\/\S+\/admin\/setup\?token=\S+/)![0];

  const { viewport, javaScriptEnabled, isMobile, hasTouch } = info.project.use;
  const admin = await (await browser.newContext({ viewport, javaScriptEnabled, isMobile, hasTouch })).newPage();
  await admin.goto(setupLink);
  await expectAccessible(admin, info);
  await admin.getByLabel('Name').fill('Olive Owner');
  await admin.getByLabel('Password').fill(adminPassword);
  await admin.getByRole('button', { name: 'Create admin account' }).click();
  // The console requires a second factor: set up at the first sign-in.
  await expectAccessible(admin, info);
  const secret = await adminEnrols(admin);
  await expect(admin.getByText('Olive Owner (owner)')).toBeVisible();
  await expectAccessible(admin, info);

  // Sign out and back in at the console's own sign-in page.
  await admin.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(admin).toHaveURL(/\/admin\/login$/);
  await expectAccessible(admin, info);
  await admin.getByLabel('Email').fill(`owner-${tag}@example.com`);
  await admin.getByLabel('Password').fill(adminPassword);
  await admin.getByRole('button', { name: 'Sign in' }).click();
  await expect(admin).toHaveURL(/\/admin\/login\/verify$/);
  await expectAccessible(admin, info);
  await admin.getByLabel('Code', { exact: true }).fill(totp(secret, 1));
  await admin.getByRole('button', { name: 'Continue' }).click();
  await expect(admin).toHaveURL(/\/admin\/customers$/);

  await admin.getByLabel('Search').fill(customerEmail);
  await admin.getByRole('button', { name: 'Search' }).click();
  await admin.getByRole('link', { name: customerEmail }).click();
  await expect(admin.getByRole('heading', { name: `Console Customer ${tag}` })).toBeVisible();
  await expectAccessible(admin, info);
  // The customer's browser in the words of their own device list.
  await expect(admin.getByRole('cell', { name: /^Chrome on / }).first()).toBeVisible();
  await admin.screenshot({ path: info.outputPath('customer.png'), fullPage: true });

  await admin.getByLabel('Name').fill(`Edited Customer ${tag}`);
  await admin.getByRole('button', { name: 'Save profile' }).click();
  await expect(admin.getByText('The profile is saved.')).toBeVisible();
  await expect(admin.getByRole('heading', { name: `Edited Customer ${tag}` })).toBeVisible();
  await expect(admin.getByRole('cell', { name: 'customer.profile_edited' })).toBeVisible();

  // Found again by the words of the new name, in any order and case.
  await admin.goto('/admin/customers');
  await admin.getByLabel('Search').fill(`${tag} CUSTOMER edited`);
  await admin.getByLabel('In', { exact: true }).selectOption('name');
  await admin.getByRole('button', { name: 'Search' }).click();
  await expect(admin.getByText('1 customer', { exact: true })).toBeVisible();
  await admin.getByRole('link', { name: customerEmail }).click();

  await admin.getByRole('button', { name: 'Disable customer' }).click();
  await expect(admin.getByText('signed out everywhere')).toBeVisible();
  await expect(admin.getByRole('cell', { name: 'customer.disabled' })).toBeVisible();

  // The customer is signed out and cannot sign in.
  await page.goto('/account');
  await expect(page).toHaveURL(/\/login$/);
  await customerSignIn(page, customerEmail);
  await expect(page.getByRole('alert')).toContainText('disabled');

  await admin.getByRole('button', { name: 'Enable customer' }).click();
  await expect(admin.getByText('can sign in again')).toBeVisible();
  await customerSignIn(page, customerEmail);
  await expect(page).toHaveURL(/\/account$/);

  // The customer's session is listed with its device; ending it signs them out.
  await admin.reload();
  await expect(admin.getByRole('table', { name: 'Active sessions' }).getByRole('row')).toHaveCount(2);
  await admin.getByRole('button', { name: /^Sign out the session started/ }).click();
  await expect(admin.getByText('That session has ended.')).toBeVisible();
  await page.goto('/account');
  await expect(page).toHaveURL(/\/login$/);
});

test('audit trail filters and admin invitations', async ({ browser }, info) => {
  const tag = `${info.project.name}-${Date.now()}`;
  const output = execFileSync(binary, ['admin', 'create', '--email', `audit-owner-${tag}@example.com`, '--role', 'owner'], {
    env: {
      ...process.env,
      GATEHOUSE_DATABASE_URL: `sqlite://${join(process.env.E2E_DIR!, 'gatehouse.db')}`,
      GATEHOUSE_LOG: 'error',
    },
    input: adminPassword,
  }).toString();
  expect(output).toContain('Created owner admin');
  const { viewport, javaScriptEnabled, isMobile, hasTouch } = info.project.use;
  const admin = await (await browser.newContext({ viewport, javaScriptEnabled, isMobile, hasTouch })).newPage();
  await admin.goto('/admin/login');
  await admin.getByLabel('Email').fill(`audit-owner-${tag}@example.com`);
  await admin.getByLabel('Password').fill(adminPassword);
  await admin.getByRole('button', { name: 'Sign in' }).click();
  await adminEnrols(admin);

  // Invite a support admin; the invitation is open until withdrawn.
  await admin.getByRole('link', { name: 'Admins' }).click();
  await expectAccessible(admin, info);
  const invitee = `support-${tag}@example.com`;
  await admin.getByLabel('Email').fill(invitee);
  await admin.getByLabel('Role', { exact: true }).selectOption('support');
  await admin.getByRole('button', { name: 'Send invitation' }).click();
  await expect(admin.getByText(`An invitation is on its way to ${invitee}.`)).toBeVisible();
  expect(await linkFromMail(invitee, 'You are invited to the Gatehouse console', '/admin/setup?token=')).toContain('token=');
  await expectAccessible(admin, info);
  await admin.getByRole('button', { name: `Withdraw the invitation for ${invitee}` }).click();
  await expect(admin.getByText('The invitation is withdrawn.')).toBeVisible();

  // The trail shows both, and narrows to one action.
  await admin.getByRole('link', { name: 'Audit trail' }).click();
  await expect(admin.getByRole('cell', { name: 'admin.invite_revoked' }).first()).toBeVisible();
  await expectAccessible(admin, info);
  await admin.getByLabel('Action').selectOption('admin.invited');
  await admin.getByLabel('By admin (email or id)').fill(`audit-owner-${tag}@example.com`);
  await admin.getByRole('button', { name: 'Filter' }).click();
  const rows = admin.getByRole('table', { name: 'Audit events' }).getByRole('row');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(1)).toContainText(invitee);
});

test('owner defines a tier', async ({ browser }, info) => {
  const tag = `${info.project.name}-${Date.now()}`;
  const admin = await signedInOwner(browser, info, 'tier-owner');

  await admin.getByRole('link', { name: 'Tiers' }).click();
  await expect(admin.getByRole('cell', { name: 'Default for new customers' })).toBeVisible();
  await expectAccessible(admin, info);
  const slug = `gold-${Date.now()}`;
  await admin.getByLabel('Name').fill('Gold');
  await admin.getByLabel('Slug').fill(slug);
  await admin.getByLabel('Rank').fill('20');
  await admin.getByLabel('Colour').fill('#b8860b');
  await admin.getByLabel('Entitlements').fill('priority-support, free-shipping');
  await admin.getByRole('button', { name: 'Create tier' }).click();
  await expect(admin.getByText('The tier Gold is created.')).toBeVisible();
  const tierPage = admin.url();
  await expect(admin.getByText('priority-support, free-shipping').first()).toBeVisible();
  await expectAccessible(admin, info);

  // Move everyone a search finds (here: nobody) to the tier, in the background.
  await admin.goto(`/admin/customers?q=nobody-${tag}`);
  await admin.getByText('Move everyone this search finds to a tier').click();
  await admin.getByLabel('Tier', { exact: true }).last().selectOption({ label: 'Gold' });
  await admin.getByLabel('Reason').fill('End-to-end check');
  await admin.getByRole('button', { name: 'Start moving' }).click();
  await expect(admin.getByText('The tier change has started.')).toBeVisible();
  await expectAccessible(admin, info);
  // Refreshed by hand (a self-reloading page fails axe) until done.
  await expect(async () => {
    if ((await admin.getByText(/^Finished /).count()) === 0) {
      await admin.getByRole('link', { name: 'Refresh to see progress' }).click();
    }
    await expect(admin.getByText(/^Finished /)).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  await admin.goto(tierPage);
  await admin.getByRole('button', { name: 'Archive tier' }).click();
  await expect(admin.getByText('The tier is archived.')).toBeVisible();
});

test('owner defines an attribute and customers give it at sign-up', async ({ browser, page }, info) => {
  const tag = `${info.project.name}-${Date.now()}`;
  const admin = await signedInOwner(browser, info, 'attr-owner');

  // A required choice, unique to this run (tests share one database).
  await admin.getByRole('link', { name: 'Attributes' }).click();
  await expectAccessible(admin, info);
  const n = Date.now();
  const label = `Favourite season ${n}`;
  await admin.getByLabel('Key').fill(`season_${n}`);
  await admin.getByLabel('Type').selectOption('choice');
  await admin.getByLabel('Label').fill(label);
  await admin.getByLabel('Choices').fill('Spring\nSummer\nAutumn\nWinter');
  await admin.getByLabel('Required').check();
  await admin.getByLabel('Searchable').check();
  await admin.getByRole('button', { name: 'Define attribute' }).click();
  await expect(admin.getByText(`The attribute ${label} is defined.`)).toBeVisible();
  await expectAccessible(admin, info);

  // Sign-up now asks for it, and will not go on without it.
  const email = `attr-${tag}@example.com`;
  await page.goto('/signup');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Name').fill(`Attribute Customer ${tag}`);
  await page.getByLabel('Password').fill(customerPassword);
  await page.getByLabel(/I accept the/).check();
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByText(`${label} is required.`)).toBeVisible();
  await page.getByLabel('Password').fill(customerPassword);
  await page.getByLabel(label).selectOption('Autumn');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.goto(await linkFromMail(email, 'Verify your email', '/verify-email?token='));
  await page.getByRole('button', { name: 'Verify my email' }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByLabel(label)).toHaveValue('Autumn');

  // The console finds the customer by it.
  await admin.goto('/admin/customers');
  await admin.getByLabel('Attribute', { exact: true }).selectOption({ label });
  await admin.getByLabel('Attribute is').fill('autumn');
  await admin.getByRole('button', { name: 'Search' }).click();
  await expect(admin.getByRole('link', { name: email })).toBeVisible();
  await expectAccessible(admin, info);
  await admin.getByRole('link', { name: email }).click();
  await expect(admin.getByLabel(label)).toHaveValue('Autumn');
  await expectAccessible(admin, info);

  // Archived, it leaves the sign-up page (and the other tests' customers).
  await admin.getByRole('link', { name: 'Attributes' }).click();
  await admin.getByRole('link', { name: label }).click();
  await admin.getByRole('button', { name: 'Archive attribute' }).click();
  await expect(admin.getByText('The attribute is archived.')).toBeVisible();
  const { viewport, javaScriptEnabled, isMobile, hasTouch } = info.project.use;
  const fresh = await (await browser.newContext({ viewport, javaScriptEnabled, isMobile, hasTouch })).newPage();
  await fresh.goto('/signup');
  await expect(fresh.getByLabel(label)).toHaveCount(0);
});
