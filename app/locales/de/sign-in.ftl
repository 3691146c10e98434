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
password-reset-done = Ihr Passwort wurde geändert. Melden Sie sich mit Ihrem neuen Passwort an.

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

refused-credentials = Diese E-Mail-Adresse und dieses Passwort passen zu keinem Konto.
refused-credentials-admin = Diese E-Mail-Adresse und dieses Passwort passen zu keinem Admin-Konto.
refused-disabled = Dieses Konto ist deaktiviert. Wenden Sie sich an den Support, wenn Sie das für einen Fehler halten.
code-wrong = Dieser Code ist falsch, abgelaufen oder schon verwendet. Warten Sie auf den nächsten Code und versuchen Sie es erneut.
sign-in-expired = Ihre Anmeldung ist abgelaufen. Melden Sie sich erneut an.
held-back = Zu viele fehlgeschlagene Anmeldungen. Versuchen Sie es in { $wait } erneut, oder setzen Sie Ihr Passwort zurück, um sich sofort anzumelden.
held-back-admin = Zu viele fehlgeschlagene Anmeldungen. Versuchen Sie es in { $wait } erneut, oder bitten Sie einen Owner, das Audit-Protokoll zu prüfen.
held-back-code = Zu viele falsche Codes. Versuchen Sie es in { $wait } erneut.

second-factor-title = Bestätigung in zwei Schritten
step-up-title = Bestätigen Sie, dass Sie es sind
second-factor-intro = Ihr Passwort war richtig. Noch ein Schritt:
second-factor-intro-before-enrol = Ihr Konto braucht jetzt einen Passkey. Bevor Sie einen einrichten, bestätigen Sie, dass Sie es sind:
step-up-intro = Diese Änderung braucht einen kürzlich bestätigten zweiten Faktor:
second-factor-how-passkey = Verwenden Sie Ihren Passkey.
second-factor-how-app = Geben Sie den 6-stelligen Code aus Ihrer Authenticator-App oder einen Ihrer Wiederherstellungscodes ein.
second-factor-how-passkey-or-code = Verwenden Sie Ihren Passkey oder einen Ihrer Wiederherstellungscodes.
second-factor-use-passkey = Passkey verwenden
passkeys-need-javascript = Passkeys brauchen JavaScript.
passkey-cancelled = Die Passkey-Anfrage wurde abgebrochen oder ist abgelaufen. Versuchen Sie es noch einmal.
passkey-failed = Das hat nicht funktioniert. Versuchen Sie es noch einmal.
page-failed = Etwas ist schiefgegangen. Laden Sie die Seite neu und versuchen Sie es noch einmal.
second-factor-remember = Diesen Browser { $days ->
        [one] { $days } Tag
       *[other] { $days } Tage
    } lang merken
second-factor-remember-hint = Nur auf einem Gerät, das Sie allein nutzen.
second-factor-code = Code
second-factor-code-hint = 6 Ziffern oder ein Wiederherstellungscode wie 7kq2m-9xp4t
second-factor-submit = Bestätigen
second-factor-cancel = Abbrechen und abmelden

enrol-title = Schützen Sie Ihr Konto
totp-setup-title = Authenticator-App einrichten
enrol-required-passkey = Ihr Konto braucht einen Passkey, bevor Sie fortfahren.
enrol-required = Ihr Konto braucht einen zweiten Anmeldeschritt, bevor Sie fortfahren. Fügen Sie einen Passkey oder eine Authenticator-App hinzu.
enrol-passkey-heading = Ein Passkey
enrol-passkey-text = Melden Sie sich mit Fingerabdruck, Gesicht oder Bildschirmsperre an. Nichts zu tippen, und er lässt sich nicht abfischen.
enrol-passkey-add = Passkey hinzufügen
totp-heading = Eine Authenticator-App
totp-step-open = Öffnen Sie Ihre Authenticator-App (Google Authenticator, 1Password, Authy, …).
totp-step-scan = Scannen Sie diesen QR-Code oder tippen Sie den Schlüssel unten ein.
totp-step-enter = Geben Sie den 6-stelligen Code ein, den die App zeigt.
totp-key = Schlüssel
totp-open-here = In einer Authenticator-App auf diesem Gerät öffnen
totp-code = Code aus der App
totp-submit = Einschalten
back-to-security = Zurück zur Sicherheit
recovery-codes-title = Wiederherstellungscodes sichern
recovery-codes-text = Jeder Code meldet Sie einmal an, falls Sie Ihr Smartphone oder Ihren Passkey verlieren. Sie werden nur jetzt angezeigt: Drucken Sie sie aus oder bewahren Sie sie in einem Passwortmanager auf.
recovery-codes-saved = Ich habe sie gesichert

consent-title = Weiter zu { $app }?
consent-asks = { $app } möchte Sie als { $email } anmelden und Folgendes sehen:
consent-device-code = Erlauben Sie das nur, wenn Ihr Gerät diesen Code zeigt:
consent-take-back = Sie können das jederzeit in Ihrem Konto zurücknehmen.
consent-allow = Erlauben
consent-deny = Ablehnen
scope-profile = Ihren Namen
scope-email = Ihre E-Mail-Adresse und ob sie bestätigt ist
scope-tier = Ihre Mitgliedsstufe und was sie umfasst
scope-offline = Verbunden bleiben, während Sie weg sind
