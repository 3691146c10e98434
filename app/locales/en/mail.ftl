# Mails to customers. Links stand on lines of their own.

mail-verify-subject = Verify your email address
mail-verify-body =
    Hello,

    Please confirm that this is your email address by opening this link:

    { $link }

    The link works once and expires in 24 hours. If you did not create an account, ignore this message.

mail-registered-subject = You already have an account
mail-registered-body =
    Hello,

    Someone tried to create an account with this email address, but you already have one.

    Sign in: { $sign_in }
    Forgot your password? { $reset }

    If this was not you, you can ignore this message.

mail-blocked-subject = Sign-ins to your account were blocked
mail-blocked-body =
    Hello,

    Someone entered a wrong password for your account several times from the address { $source }, so sign-ins from that address are blocked for a while. Your password has not been changed, and you can still sign in from elsewhere.

    If this was you, lift the block here:

    { $link }

    If it was not you, nothing else is needed; choosing a new password also lifts the block.

mail-email-change-subject = Confirm your new email address
mail-email-change-body =
    Hello,

    Someone asked to move an account to this email address. If it was you, confirm it here:

    { $link }

    The link works once and expires in 24 hours. Until then the account keeps its old address. If it was not you, ignore this message.

mail-email-changed-subject = Your email address was changed
mail-email-changed-body =
    Hello,

    The email address of your account was changed, so this address no longer signs in and links sent to it earlier no longer work. Every device was signed out.

    If you did not ask for this, contact support at once.

mail-reset-subject = Reset your password
mail-reset-body =
    Hello,

    To choose a new password, open this link:

    { $link }

    The link works once and expires in 1 hour. Setting a new password signs you out everywhere.
    If you did not ask for this, ignore this message; your password stays as it is.
