# Continuing on another device, and signing in a shared screen from a phone.

handoff-match-code = Match code
handoff-qr = QR code to continue on another device
handoff-scan = Scan this code with the camera of your phone or tablet, or open the link on it. You stay signed in here.
handoff-copy-link = Or copy this link
handoff-same-number = The other device will show the same number. The code works once and expires in a minute; this page updates by itself.
handoff-opened = A device opened your link and asks to continue as you:
handoff-from = From { $source }
handoff-only-yours = Continue only if it is your own device, in front of you, showing this number. Nobody from support will ever ask you to do this.
handoff-confirm = Yes, continue on that device
handoff-refuse = No, this is not my device
handoff-signed-in = { $device } is signed in. Carry on there.
handoff-signing-in = Confirmed. { $device } is signing in now; carry on there.
handoff-own-session = It has a session of its own: signing out there leaves you signed in here.
handoff-see-devices = See all your devices
handoff-refused = Refused. { $device } was not signed in.
# $devices is a link whose words are handoff-where-signed-in.
handoff-refused-advice = If you did not open the link yourself, someone may have seen your screen. Check { $devices } and sign out any device you do not recognise.
handoff-where-signed-in = where you are signed in
handoff-new-code = Show a new code
handoff-gone = This code has expired or was already used.
handoff-gone-text = A code lasts a minute and works once. Get a new one to continue on another device.
handoff-choose = Choose whether to continue on the other device.
handoff-answered = That request was already answered or has expired.
handoff-back = Back

handoff-target-title = Continue on this device?
handoff-target-offer = { $from } offers to continue its signed-in session on this device.
handoff-target-check = Check that the other device shows the same number. You will confirm there; this device then signs in with a session of its own.
handoff-target-continue = Continue on this device
handoff-target-not-expecting = Not expecting this? Close this page: nothing happens.
handoff-wait-title = Confirm on your other device
handoff-wait-text = On { $from }, check the number and choose “{ handoff-confirm }”.
handoff-wait-updates = This page updates by itself and signs you in once you confirm.
handoff-password-instead = Sign in with your password instead
handoff-link-gone-title = This link no longer works
handoff-link-expired = Links to continue on another device work once and only for about a minute. On the device where you are signed in, choose “{ handoff-continue }” again and scan the new code.
handoff-link-used = This link was already opened on another device. If that was not you, check where you are signed in; otherwise get a new code on the device where you are signed in.
handoff-other-refused = The other device refused. Nothing was handed over; sign in here with your password, or try again from the device where you are signed in.
handoff-not-signed-in-title = You could not be signed in

screen-qr = QR code to sign in this screen from your phone
screen-intro = On a shared screen — a kiosk, a TV, a friend's computer — sign in with the phone you are already signed in on, without typing your password here.
screen-stays = This screen stays signed in for { $minutes }, then signs itself out.
screen-show-code = Show a code to scan
screen-password = Sign in with a password instead
screen-scan = Scan this code with the camera of a phone where you are signed in, and answer there.
screen-open-link = Or open this link on the phone
screen-same-number = Your phone shows the same number. Once you say yes there, this screen signs in for { $minutes }; this page updates by itself.
screen-refused = The phone said no: this screen was not signed in.
screen-expired = That code has expired.
screen-code-gone = That screen's code has expired or was already answered. On the screen, ask for a new code and scan it again.
screen-phone-first-title = Sign in on this phone first
screen-phone-first = To sign in a shared screen, sign in on this phone first. The screen's question comes back once you are.
screen-choose = Choose whether to sign in the screen.
screen-signing-in = The screen is signing in. It signs itself out after { $minutes }; once it is in, it is listed here, to sign out sooner.
screen-not-signed-in = The screen was not signed in.

approve-title = Sign in a shared screen?
approve-asks = A screen asks to be signed in as you:
approve-only = Say yes only if that screen is in front of you and shows this number. It stays signed in for { $minutes }, then signs itself out; you can sign it out sooner from your devices.
approve-confirm = Yes, sign in that screen
approve-refuse = No, this is not my screen
