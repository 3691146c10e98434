// Single sign-on with a client library nobody here wrote: npm's
// openid-client plays the application. It discovers Gatehouse, sends the
// customer (in Chromium, with JavaScript on and off) through the
// authorization code flow with PKCE, checks the ID token's signature against
// JWKS with its own code, calls userinfo, refreshes (rotation), and uses
// client credentials. The applications are registered with the CLI.
import { test, expect, Page, TestInfo } from '@playwright/test';
import * as oidc from 'openid-client';
import { execFileSync } from 'node:child_process';
import { createServer, Server } from 'node:http';
import { join, resolve } from 'node:path';
import { writeFileSync } from 'node:fs';
import { signedInOwner } from './admin';
import { expectAccessible, signUpAndVerify } from './checks';

const password = 'lantern-orchard-velvet-92';
const binary = process.env.GATEHOUSE_BIN || resolve(__dirname, '../../target/release/gatehouse');

/** `gatehouse clients create ...` on the test server's database; its JSON. */
function createClient(args: string[]): { client_id: string; client_secret: string | null } {
  const out = execFileSync(binary, ['clients', 'create', ...args], {
    env: {
      ...process.env,
      GATEHOUSE_DATABASE_URL: `sqlite://${join(process.env.E2E_DIR!, 'gatehouse.db')}`,
      GATEHOUSE_LOG: 'error',
    },
  });
  return JSON.parse(out.toString());
}

async function discover(clientId: string, secret: string | null): Promise<oidc.Configuration> {
  const baseURL = `http://127.0.0.1:${process.env.E2E_APP_PORT}`;
  // A public client (a TV) has no secret to authenticate with.
  const auth = secret ? undefined : oidc.None();
  const config = await oidc.discovery(new URL(baseURL), clientId, secret ?? undefined, auth, {
    execute: [oidc.allowInsecureRequests],
  });
  // Verify ID token signatures against the published JWKS too.
  oidc.enableNonRepudiationChecks(config);
  return config;
}

/** A verified customer, signed out again: the application signs them in. */
async function signUp(page: Page, email: string) {
  await signUpAndVerify(page, email, password, 'Single Sign On');
  await page.getByRole('button', { name: 'Sign out' }).click();
}

/** The application's callback: a real server on loopback that notes where the browser arrived. */
let rp: Server;
let callback: string;
let arrived: string | undefined;
test.beforeAll(async () => {
  rp = createServer((req, res) => {
    if (req.url!.startsWith('/cb')) arrived = new URL(req.url!, callback).href;
    res.setHeader('content-type', 'text/html');
    // The shop's own page may send the authorization request as a form
    // (OpenID Connect Core §3.1.2.1): its fields come in the query here.
    if (req.url!.startsWith('/post-to')) {
      const target = new URL(req.url!, callback);
      const fields = [...target.searchParams.entries()]
        .filter(([name]) => name !== 'action')
        .map(([name, value]) => `<input type="hidden" name="${name}" value="${value.replace(/"/g, '&quot;')}">`)
        .join('');
      res.end(`<!doctype html><title>Shop</title><form method="post" action="${target.searchParams.get('action')}">${fields}<button>Sign in with Gatehouse</button></form>`);
      return;
    }
    res.end('<!doctype html><title>Shop</title><p>Back at the shop</p>');
  });
  await new Promise<void>((done) => rp.listen(0, '127.0.0.1', done));
  const port = (rp.address() as { port: number }).port;
  callback = `http://127.0.0.1:${port}/cb`;
});
test.afterAll(() => rp.close());

test('an openid-client application signs a customer in, refreshes and reads userinfo', async ({ page }, info) => {
  const email = `sso-${info.project.name}-${Date.now()}@example.com`;
  const app = createClient(['--name', 'Interop Shop', '--redirect-uri', callback, '--first-party']);
  const config = await discover(app.client_id, app.client_secret);
  await signUp(page, email);
  arrived = undefined;

  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: callback,
    scope: 'openid email profile',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  await page.goto(url.href);
  await expect(page).toHaveURL(/\/login\?request=\w+$/);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByText('Back at the shop')).toBeVisible();
  expect(arrived).toBeDefined();

  const tokens = await oidc.authorizationCodeGrant(config, new URL(arrived!), {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
    idTokenExpected: true,
  });
  const claims = tokens.claims()!;
  expect(claims.email).toBe(email);
  expect(claims.amr).toEqual(['pwd']);
  expect(tokens.refresh_token).toBeTruthy();

  const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
  expect(userinfo.email).toBe(email);
  expect(userinfo.name).toBe('Single Sign On');

  const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
  expect(refreshed.refresh_token).toBeTruthy();
  expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
  expect(refreshed.claims()!.sub).toBe(claims.sub);
  // The spent token is refused, and its replay ends the family.
  await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  await expect(oidc.refreshTokenGrant(config, refreshed.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });

  // Signed in now: another request comes straight back, without a page.
  arrived = undefined;
  const again = oidc.buildAuthorizationUrl(config, {
    redirect_uri: callback,
    scope: 'openid',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  });
  await page.goto(again.href);
  await expect(page.getByText('Back at the shop')).toBeVisible();
  expect(new URL(arrived!).searchParams.get('code')).toBeTruthy();
});

test('client credentials, and an unregistered redirect address is refused on a page of ours', async ({ page }) => {
  const service = createClient(['--name', 'Batch Job', '--grant', 'client_credentials']);
  const config = await discover(service.client_id, service.client_secret);
  const tokens = await oidc.clientCredentialsGrant(config);
  expect(tokens.token_type.toLowerCase()).toBe('bearer');
  expect(tokens.expires_in).toBeGreaterThan(0);

  const wrong = await discover(service.client_id, 'not-the-secret');
  // 401 with a Basic challenge, which the library reports as such.
  const refused = await oidc.clientCredentialsGrant(wrong).then(() => undefined, (e) => e);
  expect(refused).toBeInstanceOf(oidc.WWWAuthenticateChallengeError);
  expect(refused.response.status).toBe(401);

  const app = createClient(['--name', 'Interop Shop', '--redirect-uri', callback, '--first-party']);
  const shop = await discover(app.client_id, app.client_secret);
  const url = oidc.buildAuthorizationUrl(shop, {
    redirect_uri: 'https://evil.example.com/cb',
    scope: 'openid',
    code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
    code_challenge_method: 'S256',
  });
  const response = await page.goto(url.href);
  expect(response!.status()).toBe(400);
  await expect(page.getByRole('heading', { name: 'This sign-in request cannot be used' })).toBeVisible();
  await expect(page.getByText('not registered')).toBeVisible();
});

test('a TV signs in with the device grant while the customer approves on /device', async ({ page }, info) => {
  const email = `tv-${info.project.name}-${Date.now()}@example.com`;
  const tv = createClient([
    '--name', 'Living Room TV', '--public', '--first-party',
    '--grant', 'urn:ietf:params:oauth:grant-type:device_code', '--grant', 'refresh_token',
  ]);
  const config = await discover(tv.client_id, tv.client_secret);
  await signUp(page, email);

  const started = await oidc.initiateDeviceAuthorization(config, { scope: 'openid email' });
  const tokens = oidc.pollDeviceAuthorizationGrant(config, started);

  // On the phone: the code typed by hand, the sign-in on the way, the answer.
  await page.goto('/device');
  await expectAccessible(page, info);
  await page.getByLabel('Code').fill(started.user_code.toLowerCase());
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Continue to Living Room TV?' })).toBeVisible();
  await expect(page.getByText(started.user_code)).toBeVisible();
  await expectAccessible(page, info);
  await page.getByRole('button', { name: 'Allow' }).click();
  await expect(page.getByRole('heading', { name: 'Device connected' })).toBeVisible();

  const granted = await tokens;
  expect(granted.claims()!.email).toBe(email);
  expect(granted.refresh_token).toBeTruthy();

  // The account lists the TV, and removing it ends its refresh token.
  await page.goto('/account/apps');
  await expectAccessible(page, info);
  await page.locator('summary', { hasText: 'Remove access for Living Room TV' }).click();
  await page.getByRole('button', { name: 'Yes, remove access' }).click();
  await expect(page.getByText('no longer has access')).toBeVisible();
  await expect(oidc.refreshTokenGrant(config, granted.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
});

test('a service authenticates with private_key_jwt: tokens, introspection and revocation', async () => {
  // The application's key pair: the private half never leaves it.
  const { privateKey, publicKey } = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const jwk = { ...(await crypto.subtle.exportKey('jwk', publicKey)), kid: 'ledger-1', alg: 'ES256', use: 'sig' };
  const file = join(process.env.E2E_DIR!, `ledger-${Date.now()}.jwks.json`);
  writeFileSync(file, JSON.stringify({ keys: [jwk] }));
  const ledger = createClient(['--name', 'Ledger', '--grant', 'client_credentials', '--jwks-file', file]);
  expect(ledger.client_secret).toBeNull();

  const baseURL = `http://127.0.0.1:${process.env.E2E_APP_PORT}`;
  const config = await oidc.discovery(new URL(baseURL), ledger.client_id, undefined, oidc.PrivateKeyJwt({ key: privateKey, kid: 'ledger-1' }), {
    execute: [oidc.allowInsecureRequests],
  });
  expect(config.serverMetadata().token_endpoint_auth_methods_supported).toContain('private_key_jwt');
  const tokens = await oidc.clientCredentialsGrant(config);
  expect(tokens.access_token).toBeTruthy();
  // Each request carries a new assertion; Gatehouse takes each once.
  const again = await oidc.clientCredentialsGrant(config);
  expect(again.access_token).not.toBe(tokens.access_token);
  expect((await oidc.tokenIntrospection(config, tokens.access_token)).active).toBe(true);

  // Another key pair, not registered: refused.
  const stranger = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const impostor = await oidc.discovery(new URL(baseURL), ledger.client_id, undefined, oidc.PrivateKeyJwt({ key: stranger.privateKey, kid: 'ledger-1' }), {
    execute: [oidc.allowInsecureRequests],
  });
  const refused = await oidc.clientCredentialsGrant(impostor).then(() => undefined, (e) => e);
  expect(refused).toBeInstanceOf(oidc.WWWAuthenticateChallengeError);
  expect(refused.response.status).toBe(401);

  // The revocation endpoint takes the same proof (RFC 7009 answers 200).
  await oidc.tokenRevocation(config, tokens.access_token);
});

test('an owner registers an application in the console and openid-client uses its secret', async ({ browser }, info) => {
  const tag = `${info.project.name}-${Date.now()}`;
  const admin = await signedInOwner(browser, info, 'apps-owner');

  await admin.getByRole('link', { name: 'Applications' }).click();
  await expect(admin.getByRole('heading', { name: 'Register an application' })).toBeVisible();
  await expectAccessible(admin, info);
  // A mistake first: it is named beside its field and nothing is registered.
  await admin.getByLabel('Name', { exact: true }).fill(`Warehouse ${tag}`);
  await admin.getByLabel('Redirect URIs', { exact: true }).fill('http://warehouse.example.com/cb');
  await admin.getByRole('button', { name: 'Register application' }).click();
  await expect(admin.getByText('http://warehouse.example.com/cb').last()).toBeVisible();
  await expect(admin.getByLabel('Name', { exact: true })).toHaveValue(`Warehouse ${tag}`);
  await expectAccessible(admin, info);
  await admin.screenshot({ path: info.outputPath('apps-error.png'), fullPage: true });

  await admin.getByLabel('Redirect URIs', { exact: true }).fill(callback);
  await admin.getByLabel('Client credentials (service to service)').check();
  await admin.getByRole('button', { name: 'Register application' }).click();
  await expect(admin.getByRole('heading', { name: 'The client secret, shown this once' })).toBeVisible();
  await expectAccessible(admin, info);
  await admin.screenshot({ path: info.outputPath('app-registered.png'), fullPage: true });
  const secret = (await admin.getByTestId('client-secret').textContent())!.trim();
  const clientId = (await admin.locator('dt:text-is("Client id") + dd').textContent())!.trim();

  const config = await discover(clientId, secret);
  const tokens = await oidc.clientCredentialsGrant(config);
  expect(tokens.access_token).toBeTruthy();

  // Disabled in the console: the library is refused at once.
  await admin.getByRole('button', { name: 'Disable application' }).click();
  await expect(admin.getByText('The application is disabled')).toBeVisible();
  const refused = await oidc.clientCredentialsGrant(config).then(() => undefined, (e) => e);
  expect(refused.response.status).toBe(401);
  await admin.getByRole('link', { name: 'All applications' }).click();
  await expect(admin.getByRole('link', { name: `Warehouse ${tag}` })).toBeVisible();
  await expectAccessible(admin, info);
  await admin.screenshot({ path: info.outputPath('apps-list.png'), fullPage: true });
});

test('two applications ask in two tabs, one by a POSTed form: each consent answers its own', async ({ page }, info) => {
  const email = `tabs-${info.project.name}-${Date.now()}@example.com`;
  const shop = createClient(['--name', 'Tab Shop', '--redirect-uri', callback]);
  const broker = createClient(['--name', 'Tab Broker', '--redirect-uri', callback]);
  const [shopConfig, brokerConfig] = await Promise.all([
    discover(shop.client_id, shop.client_secret),
    discover(broker.client_id, broker.client_secret),
  ]);
  await signUp(page, email);
  const request = async (config: oidc.Configuration) => {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: callback,
      scope: 'openid email',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    return { url, verifier, state };
  };
  const forShop = await request(shopConfig);
  const forBroker = await request(brokerConfig);

  // Tab one: the shop's page posts the request; the customer signs in.
  const form = new URL('/post-to', callback);
  form.searchParams.set('action', `${forShop.url.origin}${forShop.url.pathname}`);
  forShop.url.searchParams.forEach((value, name) => form.searchParams.set(name, value));
  await page.goto(form.href);
  await page.getByRole('button', { name: 'Sign in with Gatehouse' }).click();
  await expect(page).toHaveURL(/\/login\?request=\w+$/);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Continue to Tab Shop?' })).toBeVisible();

  // Tab two, opened meanwhile: the broker asks too.
  const second = await page.context().newPage();
  await second.goto(forBroker.url.href);
  await expect(second.getByRole('heading', { name: 'Continue to Tab Broker?' })).toBeVisible();
  await expectAccessible(second, info);

  // "Allow" in tab one answers the shop, and only the shop.
  arrived = undefined;
  await page.getByRole('button', { name: 'Allow' }).click();
  await expect(page.getByText('Back at the shop')).toBeVisible();
  const shopTokens = await oidc.authorizationCodeGrant(shopConfig, new URL(arrived!), {
    pkceCodeVerifier: forShop.verifier,
    expectedState: forShop.state,
  });
  expect(shopTokens.claims()!.aud).toBe(shop.client_id);
  expect(shopTokens.refresh_token).toBeUndefined();

  // Tab two still waits, and its "Deny" goes to the broker alone.
  arrived = undefined;
  await second.getByRole('button', { name: 'Deny' }).click();
  await expect(second.getByText('Back at the shop')).toBeVisible();
  const denied = new URL(arrived!);
  expect(denied.searchParams.get('error')).toBe('access_denied');
  expect(denied.searchParams.get('state')).toBe(forBroker.state);
});
