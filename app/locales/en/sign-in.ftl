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
