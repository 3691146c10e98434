sign-in-title = تسجيل الدخول
sign-in-submit = تسجيل الدخول
sign-in-passkey = تسجيل الدخول بمفتاح المرور
sign-in-forgot = هل نسيت كلمة المرور؟
sign-in-create-account = إنشاء حساب
sign-in-shared-screen = على شاشة مشتركة؟
sign-in-with-phone = سجّل الدخول بهاتفك

sign-up-title = إنشاء حسابك
sign-up-terms-before = أوافق على
sign-up-terms-link = شروط الخدمة
sign-up-terms-after = (الإصدار { $version }).
sign-up-submit = إنشاء الحساب
sign-up-have-account = لديك حساب بالفعل؟

forgot-title = إعادة تعيين كلمة المرور
forgot-intro = أدخل عنوان البريد الإلكتروني لحسابك وسنرسل إليك رابطًا لاختيار كلمة مرور جديدة.
forgot-submit = إرسال رابط إعادة التعيين
reset-title = اختر كلمة مرور جديدة
reset-submit = حفظ كلمة المرور الجديدة

verify-title = تأكيد بريدك الإلكتروني
verify-text = أكّد أن عنوان البريد الإلكتروني هذا يخصّك.
verify-submit = تأكيد بريدي الإلكتروني
verified = تم تأكيد عنوان بريدك الإلكتروني.
verified-welcome = تم تأكيد عنوان بريدك الإلكتروني. أهلًا بك!
verified-sign-in = تم تأكيد عنوان بريدك الإلكتروني. سجّل الدخول للمتابعة.
verification-sent = أرسلنا رابط تأكيد إلى { $email }.
resend-title = إعادة إرسال رسالة التأكيد
resend-submit = إرسال رابط جديد
resend-sent-title = تحقّق من بريدك الوارد
resend-sent = إذا كان هذا العنوان يخص حسابًا لم يُؤكَّد بعد، فإن رابطًا جديدًا في طريقه إليك.

unblock-title = رفع حظر تسجيل الدخول
unblock-text = حُظرت محاولات تسجيل الدخول إلى حسابك من عنوان واحد بعد عدة كلمات مرور خاطئة. إذا كنت أنت، فارفع الحظر وسجّل الدخول مجددًا.
unblock-submit = رفع الحظر
