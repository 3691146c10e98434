# The sign-in journey's own pages: sign in, sign up, forgotten password.

sign-in-title = Sign in
sign-in-submit = Sign in
sign-in-passkey = Sign in with a passkey
sign-in-forgot = Forgot your password?
sign-in-create-account = Create an account
sign-in-shared-screen = On a shared screen?
sign-in-with-phone = Sign in with your phone

sign-up-title = Create your account
# The terms line is three parts around the link: "I accept the" [terms of service] "(version 3)."
sign-up-terms-before = I accept the
sign-up-terms-link = terms of service
sign-up-terms-after = (version { $version }).
sign-up-submit = Create account
sign-up-have-account = Already have an account?

forgot-title = Reset your password
forgot-intro = Enter the email address of your account and we will send you a link to choose a new password.
forgot-submit = Send reset link
reset-title = Choose a new password
reset-submit = Set new password
password-reset-done = Your password has been changed. Sign in with your new password.

verify-title = Verify your email
verify-text = Confirm that this email address is yours.
verify-submit = Verify my email
verified = Your email address is verified.
verified-welcome = Your email address is verified. Welcome!
verified-sign-in = Your email address is verified. Sign in to continue.
verification-sent = We sent a verification link to { $email }.
resend-title = Resend verification email
resend-submit = Send a new link
resend-sent-title = Check your inbox
resend-sent = If that address belongs to an account that still needs verifying, a new link is on its way.

unblock-title = Lift the sign-in block
unblock-text = Sign-ins to your account were blocked from one address after several wrong passwords. If that was you, lift the block and sign in again.
unblock-submit = Lift the block

# Why a sign-in did not go on, shown above its form.
refused-credentials = That email and password do not match an account.
refused-credentials-admin = That email and password do not match an admin account.
refused-disabled = This account is disabled. Contact support if you think this is a mistake.
code-wrong = That code is wrong, expired or already used. Wait for the next code and try again.
sign-in-expired = Your sign-in has expired. Sign in again.
held-back = Too many failed sign-ins. Try again in { $wait }, or reset your password to sign in now.
held-back-admin = Too many failed sign-ins. Try again in { $wait }, or ask an owner to check the audit trail.
held-back-code = Too many wrong codes. Try again in { $wait }.

# The second step of a sign-in, and the same question before a sensitive change.
second-factor-title = Two-step verification
step-up-title = Confirm it's you
second-factor-intro = Your password was right. One more step:
second-factor-intro-before-enrol = Your account now needs a passkey. Before you set one up, confirm it's you:
step-up-intro = This change needs a recent second factor:
second-factor-how-passkey = use your passkey.
second-factor-how-app = enter the 6-digit code from your authenticator app, or one of your recovery codes.
second-factor-how-passkey-or-code = use your passkey, or one of your recovery codes.
second-factor-use-passkey = Use a passkey
passkeys-need-javascript = Passkeys need JavaScript.
# The page script's words, when a passkey ceremony does not end well.
passkey-cancelled = The passkey request was cancelled or timed out. Try again.
passkey-failed = That did not work. Try again.
page-failed = Something went wrong. Reload the page and try again.
second-factor-remember = Remember this browser for { $days ->
        [one] { $days } day
       *[other] { $days } days
    }
second-factor-remember-hint = Only on a device you alone use.
second-factor-code = Code
second-factor-code-hint = 6 digits, or a recovery code like 7kq2m-9xp4t
second-factor-submit = Verify
second-factor-cancel = Cancel and sign out

# Setting up a second factor: at sign-in when required, or from the security page.
enrol-title = Protect your account
totp-setup-title = Set up an authenticator app
enrol-required-passkey = Your account requires a passkey before you continue.
enrol-required = Your account requires a second sign-in step before you continue. Add a passkey, or an authenticator app.
enrol-passkey-heading = A passkey
enrol-passkey-text = Sign in with your fingerprint, face or screen lock. Nothing to type, and it cannot be phished.
enrol-passkey-add = Add a passkey
totp-heading = An authenticator app
totp-step-open = Open your authenticator app (Google Authenticator, 1Password, Authy, ...).
totp-step-scan = Scan this QR code, or type the key below.
totp-step-enter = Enter the 6-digit code the app shows.
totp-key = Key
totp-open-here = Open in an authenticator app on this device
totp-code = Code from the app
totp-submit = Turn on
back-to-security = Back to security
recovery-codes-title = Save your recovery codes
recovery-codes-text = Each code signs you in once if you lose your phone or passkey. They are shown only now: print them or keep them in a password manager.
recovery-codes-saved = I have saved them

# An application asks to know the customer (consent), on the web or from a device.
consent-title = Continue to { $app }?
consent-asks = { $app } asks to sign you in as { $email } and to see:
consent-device-code = Only allow this if your device shows this code:
consent-take-back = You can take this back at any time from your account.
consent-allow = Allow
consent-deny = Deny
scope-profile = Your name
scope-email = Your email address, and whether it is verified
scope-tier = Your membership tier and what it includes
scope-offline = Stay connected while you are away
