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
