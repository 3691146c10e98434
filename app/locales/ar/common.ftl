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

error-start-page = الذهاب إلى صفحة البداية
error-invalid-title = تحقّق من إدخالك
error-bad-request-title = هناك خطأ ما
error-forbidden-title = غير مسموح
error-not-found-title = الصفحة غير موجودة
error-conflict-title = لم يتغيّر شيء
error-throttled-title = محاولات كثيرة جدًا
error-unavailable-title = مشغول الآن
error-offline-title = غير متاح لحظيًا
error-oauth-title = لا يمكن استخدام طلب تسجيل الدخول هذا
error-internal-title = حدث خطأ ما
error-not-found = لا يوجد شيء على هذا العنوان.
error-throttled = محاولات كثيرة جدًا. حاول مجددًا بعد { $wait }.
error-unavailable = يسجّل كثيرون الدخول الآن. لم يتغيّر شيء: حاول مجددًا بعد { $wait }.
error-offline = لا نستطيع الوصول إلى سجلاتنا للحظة. لم يتغيّر شيء: حاول مجددًا بعد { $wait }.
error-internal = حدث خطأ من جهتنا. يُرجى المحاولة مجددًا بعد قليل.
error-method = لا يقبل هذا العنوان هذا النوع من الطلبات.
error-form-type-title = طلب غير مدعوم
error-form-type = أرسل هذا النموذج من صفحته.
error-too-much-title = بيانات كثيرة جدًا
error-too-much = أرسل هذا النموذج بيانات أكثر من المسموح.
error-form-expired-title = انتهت صلاحية هذا النموذج
error-form-expired = حفاظًا على أمانك، تنتهي صلاحية النماذج. ارجع وأعد تحميل الصفحة وحاول مجددًا.
error-authorize-form = أرسل طلب التفويض كنموذج (application/x-www-form-urlencoded).
error-authorize-too-large-title = الطلب كبير جدًا
error-authorize-too-large = طلب التفويض كبير جدًا.
error-nothing-to-answer-title = لا شيء للإجابة عليه
error-nothing-to-answer = لم يعد هذا الطلب ينتظر إجابتك (تمت الإجابة عليه أو انتهت صلاحيته). ابدأ من جديد من التطبيق.
error-device-waiting-title = جهاز آخر ينتظر
error-device-waiting = أُدخل رمز آخر منذ عرض هذه الصفحة. أجب في أحدث صفحة، أو أدخل رمز هذا الجهاز مجددًا.
