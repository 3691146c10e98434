# The customer's own pages once signed in: the account, its security,
# devices and apps.

account-title = Your account
account-notice-profile-saved = Your profile is saved.
account-notice-password-changed = Your password is changed. Other devices have been signed out.
account-notice-email-link-sent = We sent a link to { $new }. Open it within 24 hours to finish the change; until then your address stays { $old }.

account-profile = Profile
account-email-verified = Verified
account-email-unverified = Not verified
account-resend-verification = Send a new verification link
account-member-since = Member since
account-save-profile = Save profile
account-change-email = Change email
account-new-email = New email
account-new-email-hint = We send a link to the new address; your address changes when you open it.
account-send-link = Send the link

account-security = Security
account-security-none = No second factor yet: your password alone signs you in.
account-factors = { $count ->
        [one] 1 second factor
       *[other] { $count } second factors
    }
account-manage-security = Manage sign-in security
account-change-password = Change password
account-current-password = Current password

account-devices = Devices
account-devices-count = { $count ->
        [one] Signed in on 1 device.
       *[other] Signed in on { $count } devices.
    }
account-see-devices = See your devices

account-apps = Apps
account-apps-none = No application holds access to your account.
account-apps-count = { $count ->
        [one] 1 application holds access to your account.
       *[other] { $count } applications hold access to your account.
    }
account-see-apps = Review app access

account-delete = Delete account
account-delete-text = Removes your account and everything we keep about you.
account-delete-link = Delete your account
back-to-account = Back to your account

complete-profile-title = A little more about you
complete-profile-text = Before you continue, we need these details for your account.
complete-profile-submit = Continue

confirm-email-title = Confirm your new email
confirm-email-text = Your account's address becomes { $email }. Every device is signed out, and you sign in with the new address.
confirm-email-submit = Use this address
email-changed-title = Your email is changed
email-changed = Your account's address is now { $email }. Every device was signed out: sign in with the new address.

delete-title = Delete your account
delete-text = This deletes the account { $email }: your profile, second factors and sessions, and every application's access. It cannot be undone.
delete-confirm-text = Type your password to confirm.
delete-submit = Delete my account
delete-keep = Keep my account
deleted-title = Your account is deleted
deleted = Your account and the data we kept about you are gone. Thank you for having been with us.
deleted-create = Create a new account

# A destructive button shows its confirmation first (works without JavaScript).
confirm-cancel = Cancel

# The security page.
security-title = Sign-in security
security-factors = Second factors
security-factor-added = Added { $added } · last used { $used }
security-factor-never-used = never
security-remove = Remove
security-remove-named = Remove { $name }
security-remove-confirm = Remove { $name }? You can no longer sign in with it.
security-remove-yes = Yes, remove it
security-add-passkey = Add a passkey
security-add-app = Set up an authenticator app
security-passkey-needs-javascript = Adding a passkey needs JavaScript.
recovery-codes = Recovery codes
recovery-codes-left = { $count ->
        [0] You have no unused recovery codes.
        [one] 1 unused recovery code left.
       *[other] { $count } unused recovery codes left.
    }
recovery-codes-renew-text = Making new ones stops the old ones working.
recovery-codes-renew = Make new recovery codes
recovery-code-used = You signed in with a recovery code. { recovery-codes-left }
recovery-codes-copy = Copy
recovery-codes-copied = Copied
recovery-codes-download = Download
recovery-codes-print = Print
recovery-codes-file = Recovery codes for { $email }. Each signs in once.
factor-passkey = Passkey
factor-app = Authenticator app
factor-recovery-code = Recovery code
factor-app-on = Your authenticator app is on.
factor-passkey-added = Your passkey is added.
factor-removed = { $name } is removed.
# What the customer's membership tier requires of their sign-in.
policy-off = Your account signs in with your password or a passkey.
policy-optional = A second factor is optional: once you add one, it is asked after your password.
policy-required = Your account requires a second factor after your password.
policy-phishing-resistant = Your account requires a passkey to sign in.

# Where the customer is signed in.
devices-title = Your devices
devices-text = These browsers and devices are signed in to your account. If you do not recognise one, sign it out and change your password.
devices-this = This device
devices-sign-out = Sign out
devices-sign-out-named = Sign out { $device } (last active { $when })
devices-sign-out-others = { $count ->
        [one] Sign out the other device
       *[other] Sign out the { $count } other devices
    }
devices-signed-in-with = Signed in with { $how } on { $when }
devices-handed-off = Handed off from { $from } on { $when }
devices-last-active = Last active { $when } from { $source }
devices-shared-until = Shared screen: signs itself out { $when }
devices-signed-out = That device is signed out. It needs your password to sign in again.
devices-others-signed-out = { $count ->
        [0] No other device was signed in.
        [one] The other device is signed out.
       *[other] The { $count } other devices are signed out.
    }
# How a session began, and where from.
began-password = password
began-passkey = passkey
began-email = email link
began-password-code = password and one-time code
began-password-passkey = password and passkey
began-unknown = an unknown method
source-unknown = an unknown address
source-near = { $ip } (near { $place })
device-another = another device

# Applications that hold access.
apps-title = Apps with access
apps-granted = Access granted { $when }
apps-remove = Remove access for { $app }
apps-remove-confirm = { $app } can no longer see your account until you sign in to it again.
apps-remove-yes = Yes, remove access
apps-removed = { $app } no longer has access to your account.
apps-see = See what each app may see, or remove its access
