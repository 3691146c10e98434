mail-verify-subject = Bestätigen Sie Ihre E-Mail-Adresse
mail-verify-body =
    Hallo,

    bitte bestätigen Sie, dass dies Ihre E-Mail-Adresse ist, indem Sie diesen Link öffnen:

    { $link }

    Der Link funktioniert einmal und läuft in 24 Stunden ab. Wenn Sie kein Konto erstellt haben, ignorieren Sie diese Nachricht.

mail-registered-subject = Sie haben bereits ein Konto
mail-registered-body =
    Hallo,

    jemand hat versucht, mit dieser E-Mail-Adresse ein Konto zu erstellen, aber Sie haben bereits eines.

    Anmelden: { $sign_in }
    Passwort vergessen? { $reset }

    Wenn Sie das nicht waren, können Sie diese Nachricht ignorieren.

mail-blocked-subject = Anmeldungen bei Ihrem Konto wurden gesperrt
mail-blocked-body =
    Hallo,

    jemand hat von der Adresse { $source } aus mehrmals ein falsches Passwort für Ihr Konto eingegeben, daher sind Anmeldungen von dieser Adresse eine Zeit lang gesperrt. Ihr Passwort wurde nicht geändert, und Sie können sich von anderswo weiterhin anmelden.

    Wenn Sie das waren, heben Sie die Sperre hier auf:

    { $link }

    Wenn Sie es nicht waren, ist nichts weiter nötig; ein neues Passwort hebt die Sperre ebenfalls auf.

mail-email-change-subject = Bestätigen Sie Ihre neue E-Mail-Adresse
mail-email-change-body =
    Hallo,

    jemand möchte ein Konto auf diese E-Mail-Adresse umziehen. Wenn Sie das waren, bestätigen Sie es hier:

    { $link }

    Der Link funktioniert einmal und läuft in 24 Stunden ab. Bis dahin behält das Konto seine alte Adresse. Wenn Sie es nicht waren, ignorieren Sie diese Nachricht.

mail-email-changed-subject = Ihre E-Mail-Adresse wurde geändert
mail-email-changed-body =
    Hallo,

    die E-Mail-Adresse Ihres Kontos wurde geändert. Mit dieser Adresse können Sie sich nicht mehr anmelden, und früher an sie gesendete Links funktionieren nicht mehr. Alle Geräte wurden abgemeldet.

    Wenn Sie das nicht veranlasst haben, wenden Sie sich sofort an den Support.

mail-reset-subject = Setzen Sie Ihr Passwort zurück
mail-reset-body =
    Hallo,

    um ein neues Passwort zu wählen, öffnen Sie diesen Link:

    { $link }

    Der Link funktioniert einmal und läuft in 1 Stunde ab. Ein neues Passwort meldet Sie überall ab.
    Wenn Sie das nicht angefordert haben, ignorieren Sie diese Nachricht; Ihr Passwort bleibt, wie es ist.
