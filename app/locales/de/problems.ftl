problem-email-missing = Geben Sie Ihre E-Mail-Adresse ein.
problem-email-too-long = E-Mail-Adressen haben höchstens 254 Zeichen.
problem-email-not-plain-latin = Geben Sie die Adresse in einfachen lateinischen Buchstaben, Ziffern und Satzzeichen ein (eine internationalisierte Domain in ihrer xn---Form).
problem-email-malformed = Geben Sie eine gültige E-Mail-Adresse ein, etwa name@example.com.
problem-name-missing = Geben Sie Ihren Namen ein.
problem-name-too-long = Namen haben höchstens 100 Zeichen.
problem-name-control-characters = Namen dürfen keine Steuerzeichen enthalten.
problem-password-missing = Geben Sie Ihr Passwort ein.
problem-password-too-short = Verwenden Sie mindestens { $min ->
        [one] { $min } Zeichen
       *[other] { $min } Zeichen
    }.
problem-password-too-long = Verwenden Sie höchstens { $max } Zeichen.
problem-password-common = Dieses Passwort ist zu verbreitet: Es steht auf der Liste der Passwörter, die Angreifer zuerst ausprobieren. Wählen Sie ein anderes.
problem-password-guessable = Dieses Passwort ist zu verbreitet oder leicht zu erraten. Versuchen Sie es mit einigen Wörtern ohne Zusammenhang.

problem-value-missing = { $label } ist erforderlich.
problem-value-too-long = { $label }: höchstens { $max } Zeichen, in einer Zeile.
problem-value-not-number = { $label } muss eine Zahl sein, etwa 42 oder 3,5.
problem-value-not-yes-no = { $label } ist Ja oder Nein.
problem-value-not-date = { $label } ist ein Datum, etwa 1990-04-25.
problem-value-not-a-choice = Wählen Sie für { $label } eine der aufgeführten Optionen.
problem-value-not-email = { $label } muss eine E-Mail-Adresse sein, etwa name@example.com.
problem-value-not-phone = { $label } ist eine internationale Nummer, die mit + und der Ländervorwahl beginnt, etwa +49 30 901820.

problem-terms-not-accepted = Sie müssen die Nutzungsbedingungen akzeptieren, um ein Konto zu erstellen.
problem-current-password-missing = Geben Sie Ihr aktuelles Passwort ein.
problem-current-password-wrong = Das ist nicht Ihr aktuelles Passwort.
problem-email-unchanged = Das ist bereits Ihre E-Mail-Adresse.
problem-email-change-link-invalid = Dieser Link ist ungültig, abgelaufen oder schon benutzt, oder Ihre Adresse hat sich seitdem geändert. Fordern Sie auf Ihrer Kontoseite einen neuen an.
problem-email-change-taken = Ein anderes Konto verwendet diese Adresse inzwischen, daher bleibt Ihre Adresse, wie sie war.
problem-verification-link-invalid = Dieser Bestätigungslink ist ungültig, abgelaufen oder schon benutzt. Melden Sie sich an und fordern Sie einen neuen an.
problem-verification-link-incomplete = Dieser Bestätigungslink ist unvollständig. Kopieren Sie den ganzen Link aus der E-Mail.
problem-reset-link-invalid = Dieser Link zum Zurücksetzen ist ungültig, abgelaufen oder schon benutzt. Fordern Sie einen neuen an.
problem-unblock-link-invalid = Dieser Entsperrlink ist ungültig, abgelaufen oder schon benutzt. Auch das Zurücksetzen Ihres Passworts hebt eine Sperre auf.
problem-session-gone = Diese Sitzung ist bereits beendet oder gehört jemand anderem.
problem-device-code-unknown = Dieser Code ist ungültig oder abgelaufen. Prüfen Sie den Code auf dem Bildschirm Ihres Geräts oder beginnen Sie dort neu.
problem-unreadable-form = Das Formular konnte nicht gelesen werden ({ $reason }). Gehen Sie zurück, laden Sie die Seite neu und versuchen Sie es noch einmal.

problem-code-missing = Geben Sie den Code aus Ihrer Authenticator-App oder einen Wiederherstellungscode ein.
problem-code-format = Ein Code sind die 6 Ziffern Ihrer Authenticator-App oder ein Wiederherstellungscode wie 7kq2m-9xp4t.
problem-six-digits = Geben Sie die 6 Ziffern ein, die Ihre Authenticator-App zeigt.
problem-setup-expired = Diese Einrichtung ist abgelaufen. Beginnen Sie neu: Ein neuer Code wird für Ihre App angezeigt.
problem-app-already-set = Eine Authenticator-App ist bereits eingerichtet. Entfernen Sie sie zuerst, um eine andere einzurichten.
problem-factor-name = Geben Sie einen Namen mit 1 bis 60 Zeichen an.
problem-factor-gone = Diese Anmeldemethode wurde bereits entfernt.
problem-sign-in-again = Zum Ändern Ihrer zweiten Faktoren ist eine frische Anmeldung nötig. Melden Sie sich ab, wieder an und kommen Sie dann zurück.
problem-held-factor-first = Bestätigen Sie zuerst mit Ihrer Authenticator-App oder einem Wiederherstellungscode, dass Sie es sind, und richten Sie dann Ihren Passkey ein.
problem-passkey-refused = Dieser Passkey konnte nicht geprüft werden (vielleicht wurde er entfernt). Versuchen Sie es noch einmal oder verwenden Sie eine andere Methode.
problem-passkey-required = Ihr Konto verlangt dafür einen Passkey.
problem-ceremony-expired = Das hat zu lange gedauert oder wurde in einem anderen Tab begonnen. Versuchen Sie es noch einmal.
problem-passkeys-unavailable = Passkeys sind hier nicht verfügbar: Diese Seite muss über einen Domainnamen (GATEHOUSE_PUBLIC_URL) erreicht werden, nicht über eine IP-Adresse.
