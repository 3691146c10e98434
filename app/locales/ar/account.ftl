account-title = حسابك
account-notice-profile-saved = تم حفظ ملفك الشخصي.
account-notice-password-changed = تم تغيير كلمة المرور. تم تسجيل خروج الأجهزة الأخرى.
account-notice-email-link-sent = أرسلنا رابطًا إلى { $new }. افتحه خلال ٢٤ ساعة لإتمام التغيير؛ وحتى ذلك الحين يبقى عنوانك { $old }.

account-profile = الملف الشخصي
account-email-verified = موثّق
account-email-unverified = غير موثّق
account-resend-verification = إرسال رابط توثيق جديد
account-member-since = عضو منذ
account-save-profile = حفظ الملف الشخصي
account-change-email = تغيير البريد الإلكتروني
account-new-email = البريد الإلكتروني الجديد
account-new-email-hint = نرسل رابطًا إلى العنوان الجديد؛ ويتغيّر عنوانك عند فتحه.
account-send-link = إرسال الرابط

account-security = الأمان
account-security-none = لا يوجد عامل ثانٍ بعد: كلمة المرور وحدها تسجّل دخولك.
account-factors = { $count ->
        [zero] لا عوامل ثانية
        [one] عامل ثانٍ واحد
        [two] عاملان ثانيان
        [few] { $count } عوامل ثانية
       *[other] { $count } عاملًا ثانيًا
    }
account-manage-security = إدارة أمان تسجيل الدخول
account-change-password = تغيير كلمة المرور
account-current-password = كلمة المرور الحالية

account-devices = الأجهزة
account-devices-count = { $count ->
        [one] مسجّل الدخول على جهاز واحد.
        [two] مسجّل الدخول على جهازين.
        [few] مسجّل الدخول على { $count } أجهزة.
       *[other] مسجّل الدخول على { $count } جهازًا.
    }
account-see-devices = عرض أجهزتك

account-apps = التطبيقات
account-apps-none = لا يملك أي تطبيق وصولًا إلى حسابك.
account-apps-count = { $count ->
        [one] تطبيق واحد لديه وصول إلى حسابك.
        [two] تطبيقان لديهما وصول إلى حسابك.
        [few] { $count } تطبيقات لديها وصول إلى حسابك.
       *[other] { $count } تطبيقًا لديها وصول إلى حسابك.
    }
account-see-apps = مراجعة وصول التطبيقات

account-delete = حذف الحساب
account-delete-text = يزيل حسابك وكل ما نحتفظ به عنك.
account-delete-link = حذف حسابك
back-to-account = العودة إلى حسابك

complete-profile-title = المزيد عنك
complete-profile-text = قبل المتابعة، نحتاج إلى هذه التفاصيل لحسابك.
complete-profile-submit = متابعة

confirm-email-title = تأكيد بريدك الإلكتروني الجديد
confirm-email-text = يصبح عنوان حسابك { $email }. يتم تسجيل خروج كل الأجهزة، وتسجّل الدخول بالعنوان الجديد.
confirm-email-submit = استخدام هذا العنوان
email-changed-title = تم تغيير بريدك الإلكتروني
email-changed = عنوان حسابك الآن { $email }. تم تسجيل خروج كل الأجهزة: سجّل الدخول بالعنوان الجديد.

delete-title = حذف حسابك
delete-text = يحذف هذا الحساب { $email }: ملفك الشخصي وعواملك الثانية وجلساتك، ووصول كل تطبيق. لا يمكن التراجع عن ذلك.
delete-confirm-text = اكتب كلمة المرور للتأكيد.
delete-submit = حذف حسابي
delete-keep = الإبقاء على حسابي
deleted-title = تم حذف حسابك
deleted = لقد أُزيل حسابك والبيانات التي احتفظنا بها عنك. شكرًا لأنك كنت معنا.
deleted-create = إنشاء حساب جديد

confirm-cancel = إلغاء

security-title = أمان تسجيل الدخول
security-factors = العوامل الثانية
security-factor-added = أُضيف في { $added } · آخر استخدام { $used }
security-factor-never-used = لم يُستخدم قط
security-remove = إزالة
security-remove-named = إزالة { $name }
security-remove-confirm = إزالة { $name }؟ لن تتمكن بعد ذلك من تسجيل الدخول به.
security-remove-yes = نعم، أزله
security-add-passkey = إضافة مفتاح مرور
security-add-app = إعداد تطبيق مصادقة
security-passkey-needs-javascript = تتطلب إضافة مفتاح مرور JavaScript.
recovery-codes = رموز الاسترداد
recovery-codes-left = { $count ->
        [0] ليس لديك رموز استرداد غير مستخدمة.
        [one] بقي رمز استرداد واحد غير مستخدم.
        [two] بقي رمزا استرداد غير مستخدمين.
        [few] بقيت { $count } رموز استرداد غير مستخدمة.
       *[other] بقي { $count } رمز استرداد غير مستخدم.
    }
recovery-codes-renew-text = إنشاء رموز جديدة يوقف عمل الرموز القديمة.
recovery-codes-renew = إنشاء رموز استرداد جديدة
recovery-code-used = سجّلت الدخول برمز استرداد. { recovery-codes-left }
recovery-codes-copy = نسخ
recovery-codes-copied = تم النسخ
recovery-codes-download = تنزيل
recovery-codes-print = طباعة
recovery-codes-file = رموز الاسترداد لـ { $email }. كل رمز يسجّل الدخول مرة واحدة.
factor-passkey = مفتاح مرور
factor-app = تطبيق مصادقة
factor-recovery-code = رمز استرداد
factor-app-on = تطبيق المصادقة مفعّل.
factor-passkey-added = تمت إضافة مفتاح المرور.
factor-removed = تمت إزالة { $name }.
policy-off = يسجّل حسابك الدخول بكلمة المرور أو بمفتاح مرور.
policy-optional = العامل الثاني اختياري: بعد إضافته يُطلب بعد كلمة المرور.
policy-required = يتطلب حسابك عاملًا ثانيًا بعد كلمة المرور.
policy-phishing-resistant = يتطلب حسابك مفتاح مرور لتسجيل الدخول.

devices-title = أجهزتك
devices-text = هذه المتصفحات والأجهزة مسجّلة الدخول إلى حسابك. إن لم تتعرّف على أحدها، فسجّل خروجه وغيّر كلمة المرور.
devices-this = هذا الجهاز
devices-sign-out = تسجيل الخروج
devices-sign-out-named = تسجيل خروج { $device } (آخر نشاط { $when })
devices-sign-out-others = { $count ->
        [one] تسجيل خروج الجهاز الآخر
        [two] تسجيل خروج الجهازين الآخرين
        [few] تسجيل خروج الأجهزة الـ{ $count } الأخرى
       *[other] تسجيل خروج الأجهزة الأخرى ({ $count })
    }
devices-signed-in-with = سجّل الدخول بـ{ $how } في { $when }
devices-handed-off = نُقل من { $from } في { $when }
devices-last-active = آخر نشاط { $when } من { $source }
devices-shared-until = شاشة مشتركة: يسجّل خروجه تلقائيًا { $when }
devices-signed-out = تم تسجيل خروج ذلك الجهاز. يحتاج إلى كلمة المرور لتسجيل الدخول مجددًا.
devices-others-signed-out = { $count ->
        [0] لم يكن أي جهاز آخر مسجّل الدخول.
        [one] تم تسجيل خروج الجهاز الآخر.
        [two] تم تسجيل خروج الجهازين الآخرين.
       *[other] تم تسجيل خروج الأجهزة الأخرى ({ $count }).
    }
began-password = كلمة المرور
began-passkey = مفتاح مرور
began-email = رابط البريد الإلكتروني
began-password-code = كلمة المرور ورمز لمرة واحدة
began-password-passkey = كلمة المرور ومفتاح مرور
began-unknown = طريقة غير معروفة
source-unknown = عنوان غير معروف
source-near = { $ip } (قرب { $place })
device-another = جهاز آخر

apps-title = التطبيقات ذات الوصول
apps-granted = مُنح الوصول في { $when }
apps-remove = إزالة وصول { $app }
apps-remove-confirm = لن يتمكن { $app } من رؤية حسابك حتى تسجّل الدخول إليه مجددًا.
apps-remove-yes = نعم، أزل الوصول
apps-removed = لم يعد لدى { $app } وصول إلى حسابك.
apps-see = اعرف ما يمكن لكل تطبيق رؤيته، أو أزل وصوله
