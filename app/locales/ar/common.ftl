brand-default = Gatehouse
page-title = { $page } · { $brand }
nav-account = الحساب
handoff-continue = المتابعة على جهاز آخر
handoff-continue-short = جهاز آخر
sign-out = تسجيل الخروج
language-menu = اللغة:
app-continue = تسجيل الدخول للمتابعة إلى { $app }
back-to-sign-in = العودة إلى تسجيل الدخول

field-email = البريد الإلكتروني
field-password = كلمة المرور
field-new-password = كلمة المرور الجديدة
field-name = الاسم
field-name-hint = الاسم الذي نخاطبك به.
password-hint = { $min } أحرف على الأقل. بضع كلمات لا رابط بينها تصنع كلمة مرور قوية.
form-correct-fields = يُرجى تصحيح الحقول المميّزة.

date = { $day } { $month } { $year }
date-time = { $date }، { $time } UTC
month-1 = يناير
month-2 = فبراير
month-3 = مارس
month-4 = أبريل
month-5 = مايو
month-6 = يونيو
month-7 = يوليو
month-8 = أغسطس
month-9 = سبتمبر
month-10 = أكتوبر
month-11 = نوفمبر
month-12 = ديسمبر

language-unknown-title = اللغة غير متاحة
language-unknown = هذه اللغة غير متاحة. اختر لغة من القائمة أسفل الصفحة.
language-back = العودة إلى الصفحة

wait-seconds = { $count ->
        [zero] { $count } ثانية
        [one] ثانية واحدة
        [two] ثانيتين
        [few] { $count } ثوانٍ
        [many] { $count } ثانية
       *[other] { $count } ثانية
    }
wait-minutes = { $count ->
        [zero] { $count } دقيقة
        [one] دقيقة واحدة
        [two] دقيقتين
        [few] { $count } دقائق
        [many] { $count } دقيقة
       *[other] { $count } دقيقة
    }
