// The one script Gatehouse serves (from the binary, under a CSP without inline
// script): passkey ceremonies, and copying and printing recovery codes.
// The passkey part wires the buttons the pages mark with data-passkey-action,
// and passkey autofill on the sign-in email field.
// Everything else works without it; pages say so in <noscript>.
'use strict';
(function () {
  if (!window.PublicKeyCredential) return;

  const decode = (text) => {
    const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
    const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0)).buffer;
  };
  const encode = (buffer) => {
    let binary = '';
    for (const byte of new Uint8Array(buffer)) binary += String.fromCharCode(byte);
    return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  };

  // The page's language: hosted pages carry the script's words on <body>
  // (the console's are English, the fallback).
  const words = (name, english) => document.body.dataset[name] || english;

  // Every state-changing request carries the page's CSRF token as a form field.
  async function post(path, fields) {
    const token = document.querySelector('input[name="csrf_token"]');
    const body = new URLSearchParams(Object.assign({ csrf_token: token ? token.value : '' }, fields));
    const response = await fetch(path, {
      method: 'POST', body, credentials: 'same-origin', headers: { accept: 'application/json' },
    });
    let answer = {};
    try { answer = await response.json(); } catch (_) { /* an error page */ }
    // A ceremony may start the browser's session, which has its own token.
    if (answer.csrf) document.querySelectorAll('input[name="csrf_token"]').forEach((i) => { i.value = answer.csrf; });
    if (answer.redirect) { window.location.assign(answer.redirect); return null; }
    if (!response.ok) throw new Error(answer.error || words('pageFailed', 'Something went wrong. Reload the page and try again.'));
    return answer;
  }

  function creationOptions(options) {
    const key = options.publicKey;
    key.challenge = decode(key.challenge);
    key.user.id = decode(key.user.id);
    (key.excludeCredentials || []).forEach((c) => { c.id = decode(c.id); });
    return key;
  }

  function requestOptions(options) {
    const key = options.publicKey;
    key.challenge = decode(key.challenge);
    (key.allowCredentials || []).forEach((c) => { c.id = decode(c.id); });
    return key;
  }

  const registration = (credential) => JSON.stringify({
    id: credential.id,
    rawId: encode(credential.rawId),
    type: credential.type,
    response: {
      attestationObject: encode(credential.response.attestationObject),
      clientDataJSON: encode(credential.response.clientDataJSON),
      transports: credential.response.getTransports ? credential.response.getTransports() : undefined,
    },
    extensions: {},
  });

  const assertion = (credential) => JSON.stringify({
    id: credential.id,
    rawId: encode(credential.rawId),
    type: credential.type,
    response: {
      authenticatorData: encode(credential.response.authenticatorData),
      clientDataJSON: encode(credential.response.clientDataJSON),
      signature: encode(credential.response.signature),
      userHandle: credential.response.userHandle ? encode(credential.response.userHandle) : null,
    },
    extensions: {},
  });

  function showError(button, error) {
    const box = button.closest('[data-passkey-register],[data-passkey-verify],[data-passkey-sign-in]');
    const slot = box && (box.querySelector('[data-passkey-error]') || box.parentElement.querySelector('[data-passkey-error]'));
    const message = error && error.name === 'NotAllowedError'
      ? words('passkeyCancelled', 'The passkey request was cancelled or timed out. Try again.')
      : (error && error.message) || words('passkeyFailed', 'That did not work. Try again.');
    if (slot) { slot.textContent = message; slot.classList.remove('hidden'); }
  }

  // Where the ceremonies are: the customers' pages, or the console's
  // (its pages name their own, with data-passkey-base on the body).
  const base = () => document.body.dataset.passkeyBase || '/passkeys';

  // The field a step-up form sends back, so the answer returns there.
  const next = () => { const field = document.querySelector('input[name="next"]'); return field ? field.value : ''; };
  // The application's request a sign-in page serves, if any.
  const request = () => { const field = document.querySelector('input[name="request"]'); return field ? field.value : ''; };

  let autofill = null;

  const actions = {
    async register() {
      const options = await post(`${base()}/register/options`, {});
      if (!options) return;
      const credential = await navigator.credentials.create({ publicKey: creationOptions(options) });
      await post(`${base()}/register`, { credential: registration(credential) });
    },
    async verify() {
      const options = await post(`${base()}/verify/options`, {});
      if (!options) return;
      const credential = await navigator.credentials.get({ publicKey: requestOptions(options) });
      await post(`${base()}/verify`, { credential: assertion(credential), next: next() });
    },
    async 'sign-in'() {
      if (autofill) autofill.abort();
      const options = await post(`${base()}/sign-in/options`, {});
      if (!options) return;
      delete options.mediation;
      const credential = await navigator.credentials.get({ publicKey: requestOptions(options) });
      await post(`${base()}/sign-in`, { credential: assertion(credential), request: request() });
    },
  };

  document.addEventListener('click', (event) => {
    const button = event.target.closest('[data-passkey-action]');
    if (!button) return;
    event.preventDefault();
    const action = actions[button.dataset.passkeyAction];
    if (!action) return;
    button.disabled = true;
    action().catch((error) => showError(button, error)).finally(() => { button.disabled = false; });
  });

  // Show passkey buttons only where the browser can use them.
  document.querySelectorAll('[data-passkey-sign-in],[data-passkey-register],[data-passkey-verify]')
    .forEach((box) => box.classList.remove('hidden'));

  // Passkey autofill: the email field offers the passkeys this browser holds.
  async function offerAutofill() {
    const field = document.querySelector('input[autocomplete~="webauthn"]');
    if (!field || !PublicKeyCredential.isConditionalMediationAvailable) return;
    if (!(await PublicKeyCredential.isConditionalMediationAvailable())) return;
    const options = await post(`${base()}/sign-in/options`, {});
    if (!options) return;
    autofill = new AbortController();
    const credential = await navigator.credentials.get({
      publicKey: requestOptions(options), mediation: 'conditional', signal: autofill.signal,
    });
    await post(`${base()}/sign-in`, { credential: assertion(credential), request: request() });
  }
  offerAutofill().catch(() => { /* cancelled, or replaced by the button */ });
})();

// Recovery codes: copy them and print them. The page shows these buttons only
// when this script runs; downloading needs no script.
(function () {
  const copy = document.querySelector('[data-copy-codes]');
  const codes = document.querySelector('[data-recovery-codes]');
  if (copy && codes && navigator.clipboard) {
    copy.classList.remove('hidden');
    copy.addEventListener('click', async () => {
      const text = Array.from(codes.querySelectorAll('li'), (li) => li.textContent.trim()).join('\n');
      await navigator.clipboard.writeText(`${text}\n`);
      copy.textContent = copy.dataset.copied;
    });
  }
  const print = document.querySelector('[data-print]');
  if (print) {
    print.classList.remove('hidden');
    print.addEventListener('click', () => window.print());
  }
})();
