account-title = Ihr Konto
account-notice-profile-saved = Ihr Profil ist gespeichert.
account-notice-password-changed = Ihr Passwort ist geändert. Andere Geräte wurden abgemeldet.
account-notice-email-link-sent = Wir haben einen Link an { $new } gesendet. Öffnen Sie ihn innerhalb von 24 Stunden, um die Änderung abzuschließen; bis dahin bleibt Ihre Adresse { $old }.

account-profile = Profil
account-email-verified = Bestätigt
account-email-unverified = Nicht bestätigt
account-resend-verification = Neuen Bestätigungslink senden
account-member-since = Mitglied seit
account-save-profile = Profil speichern
account-change-email = E-Mail-Adresse ändern
account-new-email = Neue E-Mail-Adresse
account-new-email-hint = Wir senden einen Link an die neue Adresse; Ihre Adresse ändert sich, wenn Sie ihn öffnen.
account-send-link = Link senden

account-security = Sicherheit
account-security-none = Noch kein zweiter Faktor: Ihr Passwort allein meldet Sie an.
account-factors = { $count ->
        [one] 1 zweiter Faktor
       *[other] { $count } zweite Faktoren
    }
account-manage-security = Anmeldesicherheit verwalten
account-change-password = Passwort ändern
account-current-password = Aktuelles Passwort

account-devices = Geräte
account-devices-count = { $count ->
        [one] Auf 1 Gerät angemeldet.
       *[other] Auf { $count } Geräten angemeldet.
    }
account-see-devices = Ihre Geräte ansehen

account-apps = Apps
account-apps-none = Keine Anwendung hat Zugriff auf Ihr Konto.
account-apps-count = { $count ->
        [one] 1 Anwendung hat Zugriff auf Ihr Konto.
       *[other] { $count } Anwendungen haben Zugriff auf Ihr Konto.
    }
account-see-apps = App-Zugriffe prüfen

account-delete = Konto löschen
account-delete-text = Entfernt Ihr Konto und alles, was wir über Sie speichern.
account-delete-link = Ihr Konto löschen
back-to-account = Zurück zu Ihrem Konto

complete-profile-title = Noch ein wenig über Sie
complete-profile-text = Bevor Sie fortfahren, benötigen wir diese Angaben für Ihr Konto.
complete-profile-submit = Weiter

confirm-email-title = Neue E-Mail-Adresse bestätigen
confirm-email-text = Die Adresse Ihres Kontos wird { $email }. Alle Geräte werden abgemeldet, und Sie melden sich mit der neuen Adresse an.
confirm-email-submit = Diese Adresse verwenden
email-changed-title = Ihre E-Mail-Adresse ist geändert
email-changed = Die Adresse Ihres Kontos ist jetzt { $email }. Alle Geräte wurden abgemeldet: Melden Sie sich mit der neuen Adresse an.

delete-title = Ihr Konto löschen
delete-text = Dies löscht das Konto { $email }: Ihr Profil, Ihre zweiten Faktoren und Sitzungen sowie den Zugriff jeder Anwendung. Das lässt sich nicht rückgängig machen.
delete-confirm-text = Geben Sie zur Bestätigung Ihr Passwort ein.
delete-submit = Mein Konto löschen
delete-keep = Mein Konto behalten
deleted-title = Ihr Konto ist gelöscht
deleted = Ihr Konto und die Daten, die wir über Sie gespeichert hatten, sind entfernt. Danke, dass Sie bei uns waren.
deleted-create = Neues Konto erstellen

confirm-cancel = Abbrechen

security-title = Anmeldesicherheit
security-factors = Zweite Faktoren
security-factor-added = Hinzugefügt am { $added } · zuletzt verwendet { $used }
security-factor-never-used = nie
security-remove = Entfernen
security-remove-named = { $name } entfernen
security-remove-confirm = { $name } entfernen? Sie können sich dann nicht mehr damit anmelden.
security-remove-yes = Ja, entfernen
security-add-passkey = Passkey hinzufügen
security-add-app = Authenticator-App einrichten
security-passkey-needs-javascript = Zum Hinzufügen eines Passkeys wird JavaScript benötigt.
recovery-codes = Wiederherstellungscodes
recovery-codes-left = { $count ->
        [0] Sie haben keine unbenutzten Wiederherstellungscodes.
        [one] Noch 1 unbenutzter Wiederherstellungscode.
       *[other] Noch { $count } unbenutzte Wiederherstellungscodes.
    }
recovery-codes-renew-text = Neue Codes machen die alten ungültig.
recovery-codes-renew = Neue Wiederherstellungscodes erstellen
recovery-code-used = Sie haben sich mit einem Wiederherstellungscode angemeldet. { recovery-codes-left }
recovery-codes-copy = Kopieren
recovery-codes-copied = Kopiert
recovery-codes-download = Herunterladen
recovery-codes-print = Drucken
recovery-codes-file = Wiederherstellungscodes für { $email }. Jeder meldet einmal an.
factor-passkey = Passkey
factor-app = Authenticator-App
factor-recovery-code = Wiederherstellungscode
factor-app-on = Ihre Authenticator-App ist eingeschaltet.
factor-passkey-added = Ihr Passkey ist hinzugefügt.
factor-removed = { $name } ist entfernt.
policy-off = Ihr Konto meldet sich mit Ihrem Passwort oder einem Passkey an.
policy-optional = Ein zweiter Faktor ist freiwillig: Sobald Sie einen hinzufügen, wird er nach Ihrem Passwort abgefragt.
policy-required = Ihr Konto verlangt nach dem Passwort einen zweiten Faktor.
policy-phishing-resistant = Ihr Konto verlangt zur Anmeldung einen Passkey.

devices-title = Ihre Geräte
devices-text = Diese Browser und Geräte sind bei Ihrem Konto angemeldet. Wenn Sie eines nicht kennen, melden Sie es ab und ändern Sie Ihr Passwort.
devices-this = Dieses Gerät
devices-sign-out = Abmelden
devices-sign-out-named = { $device } abmelden (zuletzt aktiv { $when })
devices-sign-out-others = { $count ->
        [one] Das andere Gerät abmelden
       *[other] Die { $count } anderen Geräte abmelden
    }
devices-signed-in-with = Angemeldet mit { $how } am { $when }
devices-handed-off = Übergeben von { $from } am { $when }
devices-last-active = Zuletzt aktiv { $when } von { $source }
devices-shared-until = Geteilter Bildschirm: meldet sich { $when } selbst ab
devices-signed-out = Das Gerät ist abgemeldet. Es braucht Ihr Passwort, um sich wieder anzumelden.
devices-others-signed-out = { $count ->
        [0] Kein anderes Gerät war angemeldet.
        [one] Das andere Gerät ist abgemeldet.
       *[other] Die { $count } anderen Geräte sind abgemeldet.
    }
began-password = Passwort
began-passkey = Passkey
began-email = E-Mail-Link
began-password-code = Passwort und Einmalcode
began-password-passkey = Passwort und Passkey
began-unknown = unbekannter Methode
source-unknown = unbekannter Adresse
source-near = { $ip } (bei { $place })
device-another = einem anderen Gerät

apps-title = Apps mit Zugriff
apps-granted = Zugriff erteilt am { $when }
apps-remove = Zugriff für { $app } entfernen
apps-remove-confirm = { $app } kann Ihr Konto nicht mehr sehen, bis Sie sich dort wieder anmelden.
apps-remove-yes = Ja, Zugriff entfernen
apps-removed = { $app } hat keinen Zugriff mehr auf Ihr Konto.
apps-see = Sehen, was jede App sehen darf, oder ihren Zugriff entfernen
