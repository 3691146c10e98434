# What is wrong with a form or a link, shown beside the field or above the form.

problem-email-missing = Enter your email address.
problem-email-too-long = Email addresses are at most 254 characters.
problem-email-not-plain-latin = Enter the address in plain Latin letters, digits and punctuation (an internationalised domain in its xn-- form).
problem-email-malformed = Enter a valid email address, like name@example.com.
problem-name-missing = Enter your name.
problem-name-too-long = Names are at most 100 characters.
problem-name-control-characters = Names cannot contain control characters.
problem-password-missing = Enter your password.
problem-password-too-short = Use at least { $min ->
        [one] { $min } character
       *[other] { $min } characters
    }.
problem-password-too-long = Use at most { $max } characters.
problem-password-common = This password is too common: it is on the list of passwords attackers try first. Choose another.
problem-password-guessable = This password is too common or easy to guess. Try a few unrelated words.

# $label is the organisation's own name for one of its fields ("Phone", "Date of birth").
problem-value-missing = { $label } is required.
problem-value-too-long = { $label }: at most { $max } characters, on one line.
problem-value-not-number = { $label } must be a number, like 42 or 3.5.
problem-value-not-yes-no = { $label } is yes or no.
problem-value-not-date = { $label } is a date, like 1990-04-25.
problem-value-not-a-choice = Choose one of the listed options for { $label }.
problem-value-not-email = { $label } must be an email address, like name@example.com.
problem-value-not-phone = { $label } is an international number starting with + and the country code, like +44 20 7946 0958.

problem-terms-not-accepted = You must accept the terms of service to create an account.
problem-current-password-missing = Enter your current password.
problem-current-password-wrong = That is not your current password.
problem-email-unchanged = That is already your email address.
problem-email-change-link-invalid = This link is invalid, expired or already used, or your address changed since. Ask for a new one on your account page.
problem-email-change-taken = Another account uses that address now, so your address stays as it was.
problem-verification-link-invalid = This verification link is invalid, expired or already used. Sign in and ask for a new one.
problem-verification-link-incomplete = This verification link is incomplete. Copy the whole link from the email.
problem-reset-link-invalid = This reset link is invalid, expired or already used. Ask for a new one.
problem-unblock-link-invalid = This unblock link is invalid, expired or already used. Resetting your password also lifts a block.
problem-session-gone = That session has already ended, or belongs to someone else.
problem-device-code-unknown = That code is not valid or has expired. Check the code on your device's screen, or start again there.
# $reason is technical (from the form reader) and stays in English.
problem-unreadable-form = The form could not be read ({ $reason }). Go back, reload the page and try again.

problem-code-missing = Enter the code from your authenticator app, or a recovery code.
problem-code-format = A code is the 6 digits your authenticator app shows, or a recovery code such as 7kq2m-9xp4t.
problem-six-digits = Enter the 6 digits your authenticator app shows.
problem-setup-expired = This setup has expired. Start again: a new code will be shown for your app.
problem-app-already-set = An authenticator app is already set up. Remove it first to set up another.
problem-factor-name = Give it a name of 1 to 60 characters.
problem-factor-gone = That sign-in method has already been removed.
problem-sign-in-again = Changing your second factors needs a recent sign-in. Sign out, sign in again, then come back.
problem-held-factor-first = First confirm it's you with your authenticator app or a recovery code, then set up your passkey.
problem-passkey-refused = That passkey could not be verified (it may have been removed). Try again, or use another method.
problem-passkey-required = Your account requires a passkey for this.
problem-ceremony-expired = That took too long, or began in another tab. Try again.
problem-passkeys-unavailable = Passkeys are not available here: this site must be reached by a domain name (GATEHOUSE_PUBLIC_URL), not an IP address.
