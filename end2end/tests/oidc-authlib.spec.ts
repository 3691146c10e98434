// Single sign-on with a second client library nobody here wrote: Python's
// authlib, as a small web application (rp_authlib.py) on loopback. The
// customer signs in on Gatehouse's pages in Chromium (JavaScript on and
// off); authlib exchanges the code with PKCE, verifies the ID token against
// JWKS with its own OpenID Connect checks, reads userinfo, rotates the
// refresh token (and sees the spent one refused), introspects, revokes, uses
// client credentials and signs the customer out (RP-initiated logout). Each
// session that ends, whether signed out through the application or from
// another device ("sign out every other device"), reaches the application's
// back-channel endpoint, where authlib verifies the logout token. The
// shop's support chat hands the customer to their phone in the same
// conversation: the phone signs in through the shop's own code flow, with
// no password.
import { test, expect, Page } from '@playwright/test';
import { execFileSync, spawn, ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { linkFromMail } from './mail';
import { phoneOf, signUpAndVerify } from './checks';

const password = 'lantern-orchard-velvet-92';
const binary = process.env.GATEHOUSE_BIN || resolve(__dirname, '../../target/release/gatehouse');
const issuer = `http://127.0.0.1:${process.env.E2E_APP_PORT}`;
const rpPort = Number(process.env.E2E_APP_PORT) + 3;
const rpURL = `http://127.0.0.1:${rpPort}`;

let rp: ChildProcess;

test.beforeAll(async () => {
  const out = execFileSync(binary, [
    'clients', 'create', '--name', 'Python Shop', '--first-party',
    '--redirect-uri', `${rpURL}/cb`, '--post-logout-redirect-uri', `${rpURL}/bye`,
    '--backchannel-logout-uri', `${rpURL}/backchannel-logout`,
    '--redirect-uri', `${rpURL}/chat/cb`, '--initiate-login-uri', `${rpURL}/initiate`,
    '--grant', 'authorization_code', '--grant', 'refresh_token', '--grant', 'client_credentials',
  ], { env: { ...process.env, GATEHOUSE_DATABASE_URL: `sqlite://${join(process.env.E2E_DIR!, 'gatehouse.db')}`, GATEHOUSE_LOG: 'error' } });
  const app = JSON.parse(out.toString());
  rp = spawn('python3', [resolve(__dirname, '../rp_authlib.py')], {
    env: { ...process.env, RP_ISSUER: issuer, RP_CLIENT_ID: app.client_id, RP_CLIENT_SECRET: app.client_secret, RP_PORT: String(rpPort) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((ready, failed) => {
    rp.stdout!.on('data', (d) => { if (d.toString().includes('ready')) ready(); });
    rp.on('exit', (code) => failed(new Error(`rp_authlib.py exited with ${code}`)));
  });
});

test.afterAll(() => { rp?.kill(); });

async function result(page: Page): Promise<any> {
  const error = page.locator('#error');
  if (await error.count()) throw new Error(`relying party: ${await error.textContent()}`);
  return JSON.parse((await page.locator('#result').textContent())!);
}

/** The logout token the application heard for session `sid`, once it has
 * (sent by Gatehouse's worker within seconds); a refused one fails. */
async function logoutHeard(sid: string): Promise<any> {
  let heard: any[] = [];
  await expect.poll(async () => {
    heard = await (await fetch(`${rpURL}/logouts`)).text().then((html) =>
      JSON.parse(html.match(/<pre id="result">(.*)<\/pre>/s)![1].replace(/&quot;/g, '"').replace(/&amp;/g, '&')));
    return heard.some((h) => h.error || h.claims.sid === sid);
  }, { timeout: 15_000 }).toBe(true);
  expect(heard.filter((h) => h.error)).toEqual([]);
  return heard.find((h) => h.claims.sid === sid).claims;
}

test('an authlib application signs a customer in, refreshes, introspects, revokes and signs out', async ({ page }, info) => {
  const email = `authlib-${info.project.name}-${Date.now()}@example.com`;
  await page.goto('/signup');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Name').fill('Python Customer');
  await page.getByLabel('Password').fill(password);
  await page.getByLabel(/I accept the/).check();
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.goto(await linkFromMail(email, 'Verify your email', '/verify-email?token='));
  await page.getByRole('button', { name: 'Verify my email' }).click();
  await page.getByRole('button', { name: 'Sign out' }).click();

  // The application sends the customer to sign in, and gets them back.
  await page.goto(`${rpURL}/login`);
  await expect(page).toHaveURL(/\/login\?request=\w+$/);
  // The sign-in page says which application the customer is signing in to.
  await expect(page.locator('[data-app-banner]')).toContainText('Python Shop');
  await page.screenshot({ path: info.outputPath('sign-in-for-app.png'), fullPage: true });
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Signed in to the shop' })).toBeVisible();
  const r = await result(page);
  expect(r.claims.email).toBe(email);
  expect(r.claims.email_verified).toBe(true);
  expect(r.claims.iss).toBe(issuer);
  expect(r.claims.amr).toEqual(['pwd']);
  expect(r.claims.sid).toBeTruthy();
  expect(r.userinfo.sub).toBe(r.claims.sub);
  expect(r.userinfo.name).toBe('Python Customer');
  expect(r.rotated).toBe(true);
  expect(r.refreshed_sub).toBe(r.claims.sub);
  expect(r.introspected_active).toBe(true);
  expect(r.introspected_sub).toBe(r.claims.sub);
  expect(r.replay).toBe('invalid_grant');
  expect(r.after_replay).toBe('invalid_grant');
  expect(r.after_replay_active).toBe(false);
  expect(r.revoke_status).toBe(200);

  // Signed out through the application: back at it with its state, and no
  // longer signed in to Gatehouse.
  await page.getByRole('link', { name: 'Sign out of the shop' }).click();
  await expect(page.getByRole('heading', { name: 'Signed out of the shop' })).toBeVisible();
  expect((await result(page)).state).toBe('bye-1');
  await page.goto('/account');
  await expect(page).toHaveURL(/\/login/);
  // The application heard of it by the back channel too.
  const logout = await logoutHeard(r.claims.sid);
  expect(logout.sub).toBe(r.claims.sub);
});

test('signing out every other device reaches the application by the back channel', async ({ page, browser }, info) => {
  const email = `authlib-bc-${info.project.name}-${Date.now()}@example.com`;
  await signUpAndVerify(page, email, password, 'Two Devices');

  // On a phone, the customer signs in to the shop.
  const phoneContext = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const phone = await phoneContext.newPage();
  await phone.goto(`${rpURL}/login`);
  await phone.getByLabel('Email').fill(email);
  await phone.getByLabel('Password').fill(password);
  await phone.getByRole('button', { name: 'Sign in' }).click();
  await expect(phone.getByRole('heading', { name: 'Signed in to the shop' })).toBeVisible();
  const signedIn = await result(phone);

  // On the laptop, every other device is signed out: the shop hears it.
  await page.goto('/account/devices');
  // (The shop revoked its tokens as part of its checks, so it holds no
  // access to list; its sign-in still belongs to the phone's session.)
  await expect(page.getByRole('heading', { name: /Chrome|Chromium/ }).first()).toBeVisible();
  await page.screenshot({ path: info.outputPath('devices-with-app.png'), fullPage: true });
  await page.getByRole('button', { name: 'Sign out the other device' }).click();
  await expect(page.getByText('The other device is signed out.')).toBeVisible();
  const logout = await logoutHeard(signedIn.claims.sid);
  expect(logout.sub).toBe(signedIn.claims.sub);
  expect(logout.aud).toBe(signedIn.claims.aud);
  await page.screenshot({ path: info.outputPath('devices-after-sign-out.png'), fullPage: true });
  await phone.goto('/account');
  await expect(phone).toHaveURL(/\/login/);
  await phoneContext.close();
});

test('an authlib service gets client credentials, and a wrong secret is refused', async ({ page }) => {
  await page.goto(`${rpURL}/service`);
  const r = await result(page);
  expect(r.token_type.toLowerCase()).toBe('bearer');
  expect(r.client_id).toBeTruthy();
  expect(r.wrong_secret).toBe('invalid_client');
});

test('the shop hands its support chat to a phone, which signs in without a password', async ({ page, browser }, info) => {
  const email = `authlib-chat-${info.project.name}-${Date.now()}@example.com`;
  await signUpAndVerify(page, email, password, 'Chatty Customer');

  // Signed in to Gatehouse, the laptop opens the chat: single sign-on.
  await page.goto(`${rpURL}/chat`);
  await expect(page.getByRole('heading', { name: 'Support chat' })).toBeVisible();
  await expect(page.locator('#who')).toContainText(email);
  await page.getByRole('button', { name: 'Continue on your phone' }).click();
  await expect(page.locator('#status')).toHaveText('waiting');
  await expect(page.getByRole('img', { name: 'QR code to continue on another device' })).toBeVisible();
  const code = (await page.locator('#match-code').textContent())!.trim();
  const link = await page.getByLabel('Or open this link on your phone').inputValue();
  await page.screenshot({ path: info.outputPath('chat-handoff.png'), fullPage: true });

  const phone = await phoneOf(browser);
  await phone.page.goto(link);
  await expect(phone.page.locator('[data-match-code]')).toHaveText(code);
  await phone.page.getByRole('button', { name: 'Continue on this device' }).click();
  await expect(phone.page.getByRole('heading', { name: 'Confirm on your other device' })).toBeVisible();

  // The chat's page looks again by itself and asks about the phone.
  await expect(page.locator('#device')).toContainText('Safari on iPhone', { timeout: 10_000 });
  await expect(page.locator('#match-code')).toHaveText(code);
  await page.getByRole('button', { name: 'Yes, continue on that device' }).click();
  await expect(page.locator('#status')).toHaveText('confirmed', { timeout: 10_000 });

  // The phone arrives in the same chat, signed in by the shop's own flow.
  await expect(phone.page).toHaveURL(`${rpURL}/chat`, { timeout: 10_000 });
  await expect(phone.page.getByRole('heading', { name: 'Support chat' })).toBeVisible();
  await expect(phone.page.locator('#who')).toContainText(email);
  await phone.page.screenshot({ path: info.outputPath('chat-on-phone.png'), fullPage: true });
  await phone.context.close();
});
