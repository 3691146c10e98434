brand-default = Gatehouse
page-title = { $page } · { $brand }
nav-account = Konto
handoff-continue = Auf einem anderen Gerät weitermachen
handoff-continue-short = Anderes Gerät
sign-out = Abmelden
language-menu = Sprache:
app-continue = Anmelden, um mit { $app } fortzufahren
back-to-sign-in = Zurück zur Anmeldung

field-email = E-Mail
field-password = Passwort
field-new-password = Neues Passwort
field-name = Name
field-name-hint = So sprechen wir Sie an.
password-hint = Mindestens { $min ->
        [one] { $min } Zeichen
       *[other] { $min } Zeichen
    }. Einige Wörter ohne Zusammenhang ergeben ein starkes Passwort.
form-correct-fields = Bitte korrigieren Sie die markierten Felder.

date = { $day }. { $month } { $year }
date-time = { $date }, { $time } UTC
month-1 = Jan.
month-2 = Feb.
month-3 = März
month-4 = Apr.
month-5 = Mai
month-6 = Juni
month-7 = Juli
month-8 = Aug.
month-9 = Sept.
month-10 = Okt.
month-11 = Nov.
month-12 = Dez.

language-unknown-title = Sprache nicht verfügbar
language-unknown = Diese Sprache ist nicht verfügbar. Wählen Sie eine aus der Liste unten auf der Seite.
language-back = Zurück zur Seite

wait-seconds = { $count ->
        [one] { $count } Sekunde
       *[other] { $count } Sekunden
    }
wait-minutes = { $count ->
        [one] { $count } Minute
       *[other] { $count } Minuten
    }

error-start-page = Zur Startseite
error-invalid-title = Prüfen Sie Ihre Eingabe
error-bad-request-title = Etwas stimmt nicht
error-forbidden-title = Nicht erlaubt
error-not-found-title = Seite nicht gefunden
error-conflict-title = Nichts wurde geändert
error-throttled-title = Zu viele Versuche
error-unavailable-title = Gerade ausgelastet
error-offline-title = Kurz nicht erreichbar
error-oauth-title = Diese Anmeldeanfrage kann nicht verwendet werden
error-internal-title = Etwas ist schiefgegangen
error-not-found = Unter dieser Adresse gibt es nichts.
error-throttled = Zu viele Versuche. Versuchen Sie es in { $wait } erneut.
error-unavailable = Gerade melden sich sehr viele Menschen an. Nichts wurde geändert: Versuchen Sie es in { $wait } erneut.
error-offline = Wir erreichen unsere Daten gerade nicht. Nichts wurde geändert: Versuchen Sie es in { $wait } erneut.
error-internal = Bei uns ist etwas schiefgegangen. Bitte versuchen Sie es gleich noch einmal.
error-method = Diese Adresse nimmt diese Art von Anfrage nicht an.
error-form-type-title = Nicht unterstützte Anfrage
error-form-type = Senden Sie dieses Formular von seiner Seite aus.
error-too-much-title = Zu viele Daten
error-too-much = Dieses Formular hat mehr Daten gesendet als erlaubt.
error-form-expired-title = Dieses Formular ist abgelaufen
error-form-expired = Zu Ihrer Sicherheit laufen Formulare ab. Gehen Sie zurück, laden Sie die Seite neu und versuchen Sie es noch einmal.
error-authorize-form = Senden Sie die Autorisierungsanfrage als Formular (application/x-www-form-urlencoded).
error-authorize-too-large-title = Anfrage zu groß
error-authorize-too-large = Die Autorisierungsanfrage ist zu groß.
error-nothing-to-answer-title = Nichts zu beantworten
error-nothing-to-answer = Diese Anfrage wartet nicht mehr auf Ihre Antwort (sie wurde beantwortet oder ist abgelaufen). Beginnen Sie in der Anwendung neu.
error-device-waiting-title = Ein anderes Gerät wartet
error-device-waiting = Seit dem Anzeigen dieser Seite wurde ein anderer Code eingegeben. Antworten Sie auf der neuesten Seite oder geben Sie den Code dieses Geräts erneut ein.
