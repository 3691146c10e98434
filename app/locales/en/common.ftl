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

# Error pages: a heading, what happened, and the way on.
error-start-page = Go to the start page
error-invalid-title = Check your input
error-bad-request-title = Something is not right
error-forbidden-title = Not allowed
error-not-found-title = Page not found
error-conflict-title = Nothing was changed
error-throttled-title = Too many attempts
error-unavailable-title = Busy right now
error-offline-title = Briefly unavailable
error-oauth-title = This sign-in request cannot be used
error-internal-title = Something went wrong
error-not-found = There is nothing at this address.
error-throttled = Too many attempts. Try again in { $wait }.
error-unavailable = Many people are signing in right now. Nothing was changed: try again in { $wait }.
error-offline = We cannot reach our records for a moment. Nothing was changed: try again in { $wait }.
error-internal = Something went wrong on our side. Please try again in a moment.
error-method = This address does not accept that kind of request.
error-form-type-title = Unsupported request
error-form-type = Send this form from its page.
error-too-much-title = Too much data
error-too-much = This form sent more data than allowed.
error-form-expired-title = This form has expired
error-form-expired = For your security, forms expire. Go back, reload the page and try again.
error-authorize-form = Send the authorization request as a form (application/x-www-form-urlencoded).
error-authorize-too-large-title = Request too large
error-authorize-too-large = The authorization request is too large.
error-nothing-to-answer-title = Nothing to answer
error-nothing-to-answer = This request is no longer waiting for your answer (it was answered, or it expired). Start again from the application.
error-device-waiting-title = Another device is waiting
error-device-waiting = Another code was entered since this page was shown. Answer on the newest page, or enter this device's code again.
