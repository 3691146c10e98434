sign-in-title = Anmelden
sign-in-submit = Anmelden
sign-in-passkey = Mit einem Passkey anmelden
sign-in-forgot = Passwort vergessen?
sign-in-create-account = Konto erstellen
sign-in-shared-screen = An einem gemeinsam genutzten Bildschirm?
sign-in-with-phone = Mit dem Smartphone anmelden

sign-up-title = Konto erstellen
sign-up-terms-before = Ich akzeptiere die
sign-up-terms-link = Nutzungsbedingungen
sign-up-terms-after = (Version { $version }).
sign-up-submit = Konto erstellen
sign-up-have-account = Sie haben schon ein Konto?

forgot-title = Passwort zurücksetzen
forgot-intro = Geben Sie die E-Mail-Adresse Ihres Kontos ein. Wir senden Ihnen einen Link, mit dem Sie ein neues Passwort wählen.
forgot-submit = Link senden
reset-title = Neues Passwort wählen
reset-submit = Neues Passwort speichern

verify-title = E-Mail-Adresse bestätigen
verify-text = Bestätigen Sie, dass diese E-Mail-Adresse Ihnen gehört.
verify-submit = Meine E-Mail-Adresse bestätigen
verified = Ihre E-Mail-Adresse ist bestätigt.
verified-welcome = Ihre E-Mail-Adresse ist bestätigt. Willkommen!
verified-sign-in = Ihre E-Mail-Adresse ist bestätigt. Melden Sie sich an, um fortzufahren.
verification-sent = Wir haben einen Bestätigungslink an { $email } gesendet.
resend-title = Bestätigungs-E-Mail erneut senden
resend-submit = Neuen Link senden
resend-sent-title = Sehen Sie in Ihr Postfach
resend-sent = Wenn zu dieser Adresse ein Konto gehört, das noch bestätigt werden muss, ist ein neuer Link unterwegs.

unblock-title = Anmeldesperre aufheben
unblock-text = Anmeldungen bei Ihrem Konto wurden nach mehreren falschen Passwörtern von einer Adresse aus gesperrt. Wenn Sie das waren, heben Sie die Sperre auf und melden Sie sich erneut an.
unblock-submit = Sperre aufheben
