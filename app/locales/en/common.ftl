# Words every hosted page shares: the frame around it, form fields, dates.

brand-default = Gatehouse
# A browser tab's title: the page, then whose pages these are.
page-title = { $page } · { $brand }
nav-account = Account
handoff-continue = Continue on another device
handoff-continue-short = Other device
sign-out = Sign out
language-menu = Language:
# Above every page on the way from an application to it.
app-continue = Signing in to continue to { $app }
back-to-sign-in = Back to sign in

field-email = Email
field-password = Password
field-new-password = New password
field-name = Name
field-name-hint = How we address you.
password-hint = At least { $min ->
        [one] { $min } character
       *[other] { $min } characters
    }. A few unrelated words make a strong password.
form-correct-fields = Please correct the highlighted fields.

# "7 Dec 2026"; "7 Dec 2026, 10:05 UTC".
date = { $day } { $month } { $year }
date-time = { $date }, { $time } UTC
month-1 = Jan
month-2 = Feb
month-3 = Mar
month-4 = Apr
month-5 = May
month-6 = Jun
month-7 = Jul
month-8 = Aug
month-9 = Sep
month-10 = Oct
month-11 = Nov
month-12 = Dec

language-unknown-title = Language not available
language-unknown = This language is not available. Choose one from the list at the bottom of the page.
language-back = Back to the page

# How long to wait, inside a sentence: "Try again in { $wait }."
wait-seconds = { $count ->
        [one] { $count } second
       *[other] { $count } seconds
    }
wait-minutes = { $count ->
        [one] { $count } minute
       *[other] { $count } minutes
    }
