//! The language pages speak, through the real router on each backend: the
//! customer's saved choice, then an application's `ui_locales`, then the
//! browser's `Accept-Language`, then English; `<html lang dir>` follow; the
//! language menu keeps a choice (on the customer's record when signed in)
//! and refuses what it does not know; pages on the way from an application
//! name it. The words are read from the catalogues, never written here.

mod support;

use app::Lang;
use axum::http::StatusCode;
use gatehouse::domain::RequestContext;
use gatehouse::oidc::clients::{self, Registration};
use support::*;

const CALLBACK: &str = "https://shop.example.com/callback";

fn speaks(html: &str, lang: Lang) -> bool {
    html.contains(&format!(
        r#"<html lang="{}" dir="{}">"#,
        lang.tag(),
        lang.dir()
    ))
}

async fn web_shop(app: &TestApp) -> String {
    register(app, "Web Shop", true).await
}

async fn register(app: &TestApp, name: &str, first_party: bool) -> String {
    clients::register(
        &app.state,
        &RequestContext::system(),
        Registration {
            name: name.into(),
            first_party,
            redirect_uris: vec![CALLBACK.into()],
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .client
    .id
}

fn authorize(client: &str, ui_locales: &str) -> String {
    let pairs = [
        ("response_type", "code"),
        ("client_id", client),
        ("redirect_uri", CALLBACK),
        ("scope", "openid email"),
        ("state", "st"),
        (
            "code_challenge",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        ),
        ("code_challenge_method", "S256"),
        ("ui_locales", ui_locales),
    ];
    format!("/oauth2/authorize?{}", encode(&pairs))
}

#[tokio::test]
async fn pages_speak_the_browsers_language_else_english() {
    on_each_backend(|app| async move {
        for (header, lang) in [
            ("de-CH, en;q=0.5", Lang::De),
            ("fr-FR, ar;q=0.8", Lang::Ar),
            ("fr, pt;q=0.4", Lang::En),
        ] {
            let mut browser = app.browser();
            browser.accept_language = Some(header.into());
            let page = browser.get("/login").await;
            page.assert_status(StatusCode::OK);
            assert!(speaks(&page.body, lang), "{header}: {}", &page.body[..200]);
            assert!(page.body.contains(&lang.t("sign-in-title")), "{header}");
            // The page script's words come with the page, in its language.
            let cancelled = format!(
                r#"data-passkey-cancelled="{}""#,
                lang.t("passkey-cancelled")
            );
            assert!(page.body.contains(&cancelled), "{header}");
        }
        // A refusal speaks the page's language too.
        let mut german = app.browser();
        german.accept_language = Some("de".into());
        german.get("/login").await;
        let refused = german
            .post(
                "/login",
                &[
                    ("email", "nobody@example.com"),
                    ("password", "wrong password 1"),
                ],
            )
            .await;
        refused.assert_status(StatusCode::UNAUTHORIZED);
        assert!(speaks(&refused.body, Lang::De));
        assert!(refused.body.contains(&Lang::De.t("refused-credentials")));
        // No header at all: English, left to right.
        let page = app.browser().get("/signup").await;
        assert!(speaks(&page.body, Lang::En));
        // A page view chooses nothing: no session is written for it.
        assert_eq!(app.state.store.session_writes(), 0);
    })
    .await;
}

#[tokio::test]
async fn an_application_is_named_on_the_way_and_its_ui_locales_are_spoken() {
    on_each_backend(|app| async move {
        let client = web_shop(&app).await;
        let mut browser = app.browser();
        browser.accept_language = Some("en".into());
        let to_sign_in = browser.get(&authorize(&client, "pt-BR ar de")).await;
        let location = to_sign_in.location().expect("sent to sign in").to_string();
        assert!(location.starts_with("/login?request="), "{location}");
        let page = browser.get(&location).await;
        assert!(
            speaks(&page.body, Lang::Ar),
            "ui_locales beats Accept-Language"
        );
        assert!(page.body.contains("data-app-banner"));
        assert!(page.body.contains("Web Shop"));
        // Every page of the way says so, sign-up and reset included.
        for path in ["/signup", "/forgot-password"] {
            let page = browser.get(path).await;
            assert!(page.body.contains("data-app-banner"), "{path}");
            assert!(speaks(&page.body, Lang::Ar), "{path}");
        }
        // A browser not on its way from an application sees no banner.
        let page = app.browser().get("/login").await;
        assert!(!page.body.contains("data-app-banner"));

        // An unknown ui_locales changes nothing.
        let mut other = app.browser();
        other.accept_language = Some("de".into());
        let location = other.get(&authorize(&client, "xx-YY")).await;
        let page = other.get(location.location().unwrap()).await;
        assert!(speaks(&page.body, Lang::De));
    })
    .await;
}

#[tokio::test]
async fn the_language_menu_keeps_the_choice_and_a_customer_keeps_it_everywhere() {
    on_each_backend(|app| async move {
        // Anonymous: the choice holds for this browser, over its header.
        let mut browser = app.browser();
        browser.accept_language = Some("en".into());
        browser.get("/login?request=x").await;
        browser
            .post("/language", &[("lang", "de"), ("back", "/login?request=x")])
            .await
            .assert_redirect("/login?request=x");
        assert!(speaks(&browser.get("/login").await.body, Lang::De));

        // Signed in: saved on the record, so another device speaks it too,
        // whatever its browser asks for.
        let mut laptop = app
            .signed_up_and_verified("lea@example.com", "a long passphrase 1")
            .await;
        laptop.get("/account").await;
        laptop
            .post("/language", &[("lang", "ar"), ("back", "/account")])
            .await
            .assert_redirect("/account");
        let id = app.customer_id("lea@example.com").await;
        let stored = app.state.store.customer_by_id(id).await.unwrap().unwrap();
        assert_eq!(stored.locale.as_deref(), Some("ar"));
        // Applications asking for the profile learn it as the `locale` claim.
        let claims = gatehouse::oidc::claims::about(&app.state, &stored, &["profile"])
            .await
            .unwrap();
        assert_eq!(claims["locale"], "ar");
        let mut phone = app.browser();
        phone.accept_language = Some("de".into());
        phone
            .sign_in("lea@example.com", "a long passphrase 1")
            .await;
        assert!(speaks(&phone.get("/account").await.body, Lang::Ar));
        let trail = app
            .audit_trail(gatehouse::domain::Action::CustomerProfileUpdated)
            .await;
        assert!(
            trail
                .iter()
                .any(|r| r.customer == Some(id) && r.details.contains(r#""after":"ar""#)),
            "the change is on the audit trail"
        );

        // The saved choice beats an application's ui_locales.
        let client = web_shop(&app).await;
        let answer = phone.get(&authorize(&client, "de")).await;
        assert!(answer.location().unwrap_or_default().starts_with(CALLBACK));
        assert!(speaks(&phone.get("/account").await.body, Lang::Ar));
    })
    .await;
}

#[tokio::test]
async fn an_unknown_language_is_refused_and_the_way_back_stays_here() {
    on_each_backend(|app| async move {
        let mut laptop = app
            .signed_up_and_verified("ben@example.com", "a long passphrase 2")
            .await;
        laptop.get("/account").await;
        let refused = laptop
            .post("/language", &[("lang", "xx"), ("back", "/account")])
            .await;
        refused.assert_status(StatusCode::BAD_REQUEST);
        assert!(
            refused.body.contains(r#"href="/account""#),
            "the error leads back"
        );
        let id = app.customer_id("ben@example.com").await;
        let stored = app.state.store.customer_by_id(id).await.unwrap().unwrap();
        assert_eq!(stored.locale, None, "nothing changed");
        assert!(speaks(&laptop.get("/account").await.body, Lang::En));

        // Another site is never where the menu leads.
        laptop
            .post("/language", &[("lang", "de"), ("back", "//evil.example/")])
            .await
            .assert_redirect("/");
        // Without the form's token nothing is chosen.
        let mut stranger = app.browser();
        stranger
            .post_raw("/language", "lang=ar&back=%2F")
            .await
            .assert_status(StatusCode::FORBIDDEN);
    })
    .await;
}

#[tokio::test]
async fn mails_speak_the_customers_language_else_the_pages() {
    on_each_backend(|app| async move {
        // Signed up on a German page: the verification mail is German, and
        // its link still works.
        let mut browser = app.browser();
        browser.accept_language = Some("de-DE".into());
        browser.get("/signup").await;
        browser
            .post(
                "/signup",
                &[
                    ("email", "jonas@example.com"),
                    ("display_name", "Jonas"),
                    ("password", "a long passphrase 3"),
                    ("accept_terms", "yes"),
                ],
            )
            .await
            .assert_redirect("/signup/check-email");
        let mail = app.mail.wait_for("jonas@example.com").await;
        assert_eq!(mail.subject, Lang::De.t("mail-verify-subject"));
        let link = link_to(&mail.body, "/verify-email?token=");
        assert!(!link.contains('\u{2068}') && !link.contains('\u{2069}'));
        browser.get(&link).await.assert_status(StatusCode::OK);

        // A customer who chose Arabic gets an Arabic reset mail, whatever
        // language the page asking for it spoke; the link stands whole.
        let mut laptop = app
            .signed_up_and_verified("amal@example.com", "a long passphrase 4")
            .await;
        laptop.get("/account").await;
        laptop
            .post("/language", &[("lang", "ar"), ("back", "/account")])
            .await;
        let mut other = app.browser();
        other.accept_language = Some("en".into());
        other.get("/forgot-password").await;
        other
            .post("/forgot-password", &[("email", "amal@example.com")])
            .await;
        let mail = app.mail.wait_for_nth("amal@example.com", 2).await;
        assert_eq!(mail.subject, Lang::Ar.t("mail-reset-subject"));
        let link = link_to(&mail.body, "/reset-password?token=");
        assert!(!link.contains('\u{2068}') && !link.contains('\u{2069}'));
        app.browser().get(&link).await.assert_status(StatusCode::OK);
    })
    .await;
}

#[tokio::test]
async fn a_consent_page_speaks_the_language_the_application_asked_for() {
    on_each_backend(|app| async move {
        let partner = register(&app, "Partner", false).await;
        let mut browser = app
            .signed_up_and_verified("ines@example.com", "a long passphrase 5")
            .await;
        // Asked in the very request that shows the page.
        let page = browser.get(&authorize(&partner, "de")).await;
        page.assert_status(StatusCode::OK);
        assert!(speaks(&page.body, Lang::De), "{}", &page.body[..300]);
        assert!(
            page.body
                .contains(&Lang::De.tf("consent-title", &[("app", "Partner".into())]))
        );
        assert!(page.body.contains(&Lang::De.t("scope-email")));
        assert!(page.body.contains(r#"name="decision" value="allow""#));
    })
    .await;
}

#[tokio::test]
async fn a_customers_own_pages_their_problems_and_error_pages_speak_their_language() {
    on_each_backend(|app| async move {
        // Error pages, drawn before any page of ours knows the visitor:
        // the browser's language, with the way on in it too.
        let mut german = app.browser();
        german.accept_language = Some("de".into());
        let missing = german.get("/no-such-page").await;
        missing.assert_status(StatusCode::NOT_FOUND);
        assert!(speaks(&missing.body, Lang::De));
        for key in [
            "error-not-found-title",
            "error-not-found",
            "error-start-page",
        ] {
            assert!(missing.body.contains(&Lang::De.t(key)), "{key}");
        }
        let expired = german.post_raw("/login", "email=a%40b.c").await;
        expired.assert_status(StatusCode::FORBIDDEN);
        assert!(
            expired
                .body
                .contains(&Lang::De.t("error-form-expired-title"))
        );

        // A form's problems beside its fields.
        german.get("/signup").await;
        let refused = german
            .post(
                "/signup",
                &[
                    ("email", "not an address"),
                    ("display_name", "Lea"),
                    ("password", "short"),
                    ("accept_terms", "yes"),
                ],
            )
            .await;
        refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            refused
                .body
                .contains(&Lang::De.t("problem-email-malformed"))
        );
        let min = app.state.config.password_policy.min_length as i64;
        let too_short = Lang::De.tf("problem-password-too-short", &[("min", min.into())]);
        assert!(refused.body.contains(&too_short), "{too_short}");

        // The account, its security, devices and apps, in Arabic once chosen.
        let mut laptop = app
            .signed_up_and_verified("rana@example.com", "a long passphrase 3")
            .await;
        laptop.get("/account").await;
        laptop
            .post("/language", &[("lang", "ar"), ("back", "/account")])
            .await;
        let ar = Lang::Ar;
        let account = laptop.get("/account").await;
        assert!(speaks(&account.body, ar));
        for key in [
            "account-title",
            "account-profile",
            "account-security-none",
            "account-manage-security",
            "account-apps-none",
            "account-delete-link",
        ] {
            assert!(account.body.contains(&ar.t(key)), "{key}");
        }
        let devices = ar.tf("account-devices-count", &[("count", 1i64.into())]);
        assert!(account.body.contains(&devices), "{devices}");
        let pages = [
            ("/account/devices", ["devices-title", "devices-this"]),
            ("/account/apps", ["apps-title", "account-apps-none"]),
            ("/account/security", ["security-title", "security-add-app"]),
        ];
        for (path, keys) in pages {
            let page = laptop.get(path).await;
            assert!(speaks(&page.body, ar), "{path}");
            for key in keys {
                assert!(page.body.contains(&ar.t(key)), "{path}: {key}");
            }
        }
        // Continuing on another device, and deleting the account.
        laptop.post("/account/handoff", &[]).await;
        let handoff = laptop.get("/account/handoff").await;
        assert!(handoff.body.contains(&ar.t("handoff-scan")));
        assert!(handoff.body.contains(&ar.t("handoff-match-code")));
        let delete = laptop.get("/account/delete").await;
        assert!(delete.body.contains(&ar.t("delete-confirm-text")));
        // A shared screen, before anyone is signed in on it.
        let mut screen = app.browser();
        screen.accept_language = Some("de".into());
        let intro = screen.get("/login/screen").await;
        assert!(intro.body.contains(&Lang::De.t("screen-intro")));

        // A refused change says why in the same language, and keeps its
        // folded form open.
        let wrong = laptop
            .post(
                "/account/password",
                &[
                    ("current_password", "not the passphrase"),
                    ("new_password", "another long passphrase"),
                ],
            )
            .await;
        wrong.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(wrong.body.contains(&ar.t("problem-current-password-wrong")));
        // Only the password's fold is open: the email's has no errors.
        assert_eq!(wrong.body.matches("<details open").count(), 1);
        let open = &wrong.body[wrong.body.find("<details open").unwrap()..];
        let open = &open[..open.find("</details>").unwrap()];
        assert!(open.contains(r#"action="/account/password""#));
        let saved = laptop
            .post("/account/profile", &[("display_name", "Rana")])
            .await;
        saved.assert_redirect("/account");
        let account = laptop.get("/account").await;
        assert!(account.body.contains(&ar.t("account-notice-profile-saved")));
    })
    .await;
}
