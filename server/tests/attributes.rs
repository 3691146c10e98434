//! Profile attributes: owners define them; sign-up, the account page and the
//! console validate them by type; customers are asked for newly required
//! ones at sign-in; searchable ones filter the console's list.

mod support;

use axum::http::StatusCode;
use gatehouse::domain::Role;
use gatehouse::domain::{Attribute, AttributeId};
use gatehouse::domain::{CustomerId, Email};
use support::*;

async fn attribute(app: &TestApp, key: &str) -> Attribute {
    app.state
        .store
        .list_attributes()
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.key == key)
        .unwrap_or_else(|| panic!("no attribute {key}"))
}

async fn value(app: &TestApp, customer: CustomerId, key: &str) -> Option<String> {
    let id: AttributeId = attribute(app, key).await.id;
    app.state
        .store
        .customer_attributes(customer)
        .await
        .unwrap()
        .get(&id)
        .cloned()
}

async fn customer_id(app: &TestApp, email: &str) -> CustomerId {
    app.state
        .store
        .customer_by_email(&Email::parse(email).unwrap())
        .await
        .unwrap()
        .unwrap()
        .0
        .id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owners_define_attributes_and_bad_definitions_change_nothing() {
    on_each_backend(|app| async move {
        let mut owner = app.admin_browser("owner@example.com", Role::Owner).await;
        owner
            .get("/admin/attributes")
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("No attributes yet")
            .assert_contains("Define attribute");

        let bad = owner
            .post(
                "/admin/attributes",
                &[
                    ("key", "Bad key!"),
                    ("label", ""),
                    ("kind", "colour"),
                    ("editable_by", "admin"),
                    ("required", "yes"),
                ],
            )
            .await;
        bad.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_field_errors(&["key", "kind", "label", "required"]);
        let empty_choice = define_attribute(&mut owner, "store", "choice", " \n ,", &[]).await;
        empty_choice
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("List 1 to 100 choices");
        assert!(app.state.store.list_attributes().await.unwrap().is_empty());

        define_attribute(
            &mut owner,
            "store",
            "choice",
            "Leeds\nYork",
            &["searchable"],
        )
        .await
        .assert_redirect("/admin/attributes");
        owner
            .get("/admin/attributes")
            .await
            .assert_contains("The attribute Store is defined.")
            .assert_contains("Choice from a list: Leeds, York");
        define_attribute(&mut owner, "store", "text", "", &[])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("Another attribute already has this key.");
        define_attribute(&mut owner, "email", "text", "", &[])
            .await
            .assert_contains("That key names a built-in field");
        let store = attribute(&app, "store").await;
        assert_eq!(store.choices, ["Leeds", "York"]);
        assert!(store.searchable && store.customer_editable && !store.required);

        // Other roles read but cannot define.
        let mut support = app
            .admin_browser("support@example.com", Role::Support)
            .await;
        support
            .get("/admin/attributes")
            .await
            .assert_status(StatusCode::OK);
        define_attribute(&mut support, "tv", "text", "", &[])
            .await
            .assert_status(StatusCode::FORBIDDEN);

        // A choice a customer holds cannot be removed; the key and type stay.
        let ada = app.insert_customer("ada@example.com", "Ada", 1, true).await;
        let defs = app.state.store.list_attributes().await.unwrap();
        app.state
            .store
            .set_customer_attributes(ada, &defs, &vec![(store.id, Some("York".into()))], 2)
            .await
            .unwrap();
        let path = format!("/admin/attributes/{}", store.id);
        owner.get(&path).await.assert_status(StatusCode::OK);
        let edit = |choices: &'static str| {
            vec![
                ("key", "renamed"),
                ("kind", "text"),
                ("label", "Favourite store"),
                ("choices", choices),
                ("editable_by", "customer"),
            ]
        };
        owner
            .post(&path, &edit("Leeds"))
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("1 customer has \"York\"; it cannot be removed.");
        owner
            .post(&path, &edit("Leeds\nYork\nHull"))
            .await
            .assert_redirect(&path);
        let store = attribute(&app, "store").await;
        assert_eq!(
            (
                store.key.as_str(),
                store.kind.as_str(),
                store.label.as_str()
            ),
            ("store", "choice", "Favourite store")
        );
        assert_eq!(store.choices, ["Leeds", "York", "Hull"]);
        assert!(!store.searchable, "the unticked box turned search off");

        // Archived attributes leave the forms; values stay.
        owner
            .post(&format!("{path}/archive"), &[])
            .await
            .assert_redirect(&path);
        owner
            .post(&format!("{path}/archive"), &[])
            .await
            .assert_status(StatusCode::CONFLICT);
        app.browser()
            .get("/signup")
            .await
            .assert_status(StatusCode::OK);
        let signup = app.browser().get("/signup").await;
        assert!(!signup.body.contains("attr.store"));
        assert_eq!(value(&app, ada, "store").await.as_deref(), Some("York"));
        owner
            .post(&format!("{path}/unarchive"), &[])
            .await
            .assert_redirect(&path);
        app.browser()
            .get("/signup")
            .await
            .assert_contains("name=\"attr.store\"");

        let events = app
            .state
            .store
            .audit_events(&Default::default(), None, 20)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect::<Vec<_>>();
        for action in [
            "attribute.defined",
            "attribute.updated",
            "attribute.archived",
            "attribute.unarchived",
        ] {
            assert!(events.iter().any(|a| a == action), "{action}: {events:?}");
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_account_and_console_validate_attributes_by_type() {
    on_each_backend(|app| async move {
        let mut owner = app.admin_browser("owner@example.com", Role::Owner).await;
        for (key, kind, choices, flags) in [
            ("phone", "phone", "", &["required", "personal"][..]),
            ("birthday", "date", "", &["personal"][..]),
            ("store", "choice", "Leeds\nYork", &[][..]),
            ("newsletter", "boolean", "", &[][..]),
            ("shoe_size", "number", "", &[][..]),
            ("loyalty", "text", "", &["admin", "searchable"][..]),
        ] {
            define_attribute(&mut owner, key, kind, choices, flags)
                .await
                .assert_redirect("/admin/attributes");
        }

        let mut browser = app.browser();
        let form = browser.get("/signup").await;
        form.assert_contains("name=\"attr.phone\" type=\"tel\"")
            .assert_contains("Birthday (optional)")
            .assert_contains("<option value=\"York\"");
        assert!(!form.body.contains("attr.loyalty"), "admins-only stays off");
        let mut fields = vec![
            ("email", "ada@example.com"),
            ("display_name", "Ada"),
            ("password", STRONG_PASSWORD),
            ("accept_terms", "yes"),
            ("attr.phone", "020 7946 0958"),
            ("attr.birthday", "1990-02-30"),
            ("attr.store", "Hull"),
            ("attr.newsletter", "maybe"),
            ("attr.shoe_size", "big"),
        ];
        let bad = browser.post("/signup", &fields).await;
        bad.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_field_errors(&[
                "attr.birthday",
                "attr.newsletter",
                "attr.phone",
                "attr.shoe_size",
                "attr.store",
            ])
            .assert_contains("value=\"020 7946 0958\"");
        assert_eq!(app.customers().await, 0);
        fields.retain(|(k, _)| !k.starts_with("attr."));
        browser
            .post("/signup", &fields)
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("Phone is required.");
        fields.extend([
            ("attr.phone", "+44 20 7946 0958"),
            ("attr.birthday", "1990-04-25"),
            ("attr.store", "york"),
            ("attr.newsletter", "true"),
            ("attr.shoe_size", "7.50"),
            ("attr.loyalty", "SNEAKED-IN"),
        ]);
        browser
            .post("/signup", &fields)
            .await
            .assert_redirect("/signup/check-email");
        let ada = customer_id(&app, "ada@example.com").await;
        for (key, expected) in [
            ("phone", Some("+442079460958")),
            ("birthday", Some("1990-04-25")),
            ("store", Some("York")),
            ("newsletter", Some("true")),
            ("shoe_size", Some("7.5")),
            ("loyalty", None),
        ] {
            assert_eq!(value(&app, ada, key).await.as_deref(), expected, "{key}");
        }

        // The account page shows and changes them; bad input changes nothing.
        let mail = app.mail.wait_for("ada@example.com").await;
        let link = link_to(&mail.body, "/verify-email?token=");
        browser.get(&link).await;
        let token = link.split("token=").nth(1).unwrap().to_string();
        browser
            .post("/verify-email", &[("token", &token)])
            .await
            .assert_redirect("/account");
        browser
            .get("/account")
            .await
            .assert_contains("value=\"+442079460958\"")
            .assert_contains("<option value=\"York\" selected");
        let profile = |birthday: &'static str| {
            vec![
                ("display_name", "Ada L"),
                ("attr.phone", "+442079460958"),
                ("attr.birthday", birthday),
                ("attr.store", "Leeds"),
                ("attr.newsletter", ""),
                ("attr.shoe_size", "8"),
                ("attr.loyalty", "SNEAKED-IN"),
            ]
        };
        browser
            .post("/account/profile", &profile("tomorrow"))
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("Birthday is a date");
        assert_eq!(value(&app, ada, "store").await.as_deref(), Some("York"));
        browser
            .post("/account/profile", &profile(""))
            .await
            .assert_redirect("/account");
        for (key, expected) in [
            ("birthday", None),
            ("store", Some("Leeds")),
            ("newsletter", None),
            ("shoe_size", Some("8")),
            ("loyalty", None),
        ] {
            assert_eq!(value(&app, ada, key).await.as_deref(), expected, "{key}");
        }

        // Admins set every attribute, admins-only ones included; personal
        // values stay out of the audit trail.
        let page = format!("/admin/customers/{ada}");
        owner
            .get(&page)
            .await
            .assert_contains("name=\"attr.loyalty\"");
        let console_form = |loyalty: &'static str, phone: &'static str| {
            vec![
                ("email", "ada@example.com"),
                ("display_name", "Ada L"),
                ("attr.phone", phone),
                ("attr.store", "Leeds"),
                ("attr.shoe_size", "8"),
                ("attr.loyalty", loyalty),
            ]
        };
        owner
            .post(
                &format!("{page}/profile"),
                &console_form("GH-1001", "12345"),
            )
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("Phone is an international number");
        assert_eq!(value(&app, ada, "loyalty").await, None);
        owner
            .post(
                &format!("{page}/profile"),
                &console_form("GH-1001", "+1 415 555 2671"),
            )
            .await
            .assert_redirect(&page);
        assert_eq!(
            value(&app, ada, "loyalty").await.as_deref(),
            Some("GH-1001")
        );
        owner
            .get(&page)
            .await
            .assert_contains("GH-1001")
            .assert_contains("The profile is saved.");
        let events = app.state.store.audit_for_customer(ada, 20).await.unwrap();
        let updates: Vec<_> = events
            .iter()
            .filter(|e| e.action == "customer.attributes_updated")
            .collect();
        assert_eq!(updates.len(), 2, "one by the customer, one by the admin");
        let text = updates
            .iter()
            .map(|e| e.details.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            text.contains("GH-1001") && text.contains("\"phone\":{\"changed\":true}"),
            "{text}"
        );
        assert!(
            !text.contains("14155552671") && !text.contains("1990-04-25"),
            "{text}"
        );
        // An auditor reads the values but gets no form.
        let mut auditor = app
            .admin_browser("auditor@example.com", Role::Auditor)
            .await;
        let read = auditor.get(&page).await;
        read.assert_contains("GH-1001");
        assert!(!read.body.contains("name=\"attr.loyalty\""));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customers_are_asked_for_newly_required_attributes_at_their_next_sign_in() {
    on_each_backend(|app| async move {
        let mut ada = app
            .signed_up_and_verified("ada@example.com", STRONG_PASSWORD)
            .await;
        let mut owner = app.admin_browser("owner@example.com", Role::Owner).await;
        define_attribute(&mut owner, "postcode", "text", "", &["required"])
            .await
            .assert_redirect("/admin/attributes");
        define_attribute(&mut owner, "nickname", "text", "", &[]).await;

        // The session already running goes on; the next sign-in asks.
        ada.get("/account").await.assert_status(StatusCode::OK);
        ada.get("/account").await;
        ada.post("/logout", &[]).await;
        ada.sign_in("ada@example.com", STRONG_PASSWORD)
            .await
            .assert_redirect("/account/complete");
        ada.get("/account")
            .await
            .assert_redirect("/account/complete");
        let asked = ada.get("/account/complete").await;
        asked
            .assert_status(StatusCode::OK)
            .assert_contains("name=\"attr.postcode\"");
        assert!(
            !asked.body.contains("attr.nickname"),
            "only what is missing"
        );
        ada.post("/account/complete", &[("attr.postcode", "  ")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("Postcode is required.");
        ada.get("/account")
            .await
            .assert_redirect("/account/complete");
        ada.post("/account/complete", &[("attr.postcode", "LS1 4AP")])
            .await
            .assert_redirect("/account");
        ada.get("/account")
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("value=\"LS1 4AP\"");
        let id = customer_id(&app, "ada@example.com").await;
        assert_eq!(
            value(&app, id, "postcode").await.as_deref(),
            Some("LS1 4AP")
        );

        // Nothing is missing now: the next sign-in goes straight through.
        ada.post("/logout", &[]).await;
        ada.sign_in("ada@example.com", STRONG_PASSWORD)
            .await
            .assert_redirect("/account");
        // Signed-out visitors are sent to sign in, not to the form.
        app.browser()
            .get("/account/complete")
            .await
            .assert_redirect("/login");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn searchable_attributes_filter_the_customer_list() {
    on_each_backend(|app| async move {
        let mut owner = app.admin_browser("owner@example.com", Role::Owner).await;
        define_attribute(&mut owner, "loyalty", "text", "", &["admin", "searchable"]).await;
        define_attribute(&mut owner, "phone", "phone", "", &["searchable"]).await;
        define_attribute(&mut owner, "notes", "text", "", &["admin"]).await;
        let defs = app.state.store.list_attributes().await.unwrap();
        let id_of = |key: &str| defs.iter().find(|a| a.key == key).unwrap().id;
        for (i, (email, loyalty, phone)) in [
            ("ada@example.com", "GH-1001", "+442079460958"),
            ("bob@example.com", "gh-1002", "+14155552671"),
            ("cy@example.com", "GH-1001X", "+442079460959"),
        ]
        .into_iter()
        .enumerate()
        {
            let c = app.insert_customer(email, "Customer", i as i64, true).await;
            let changes = vec![
                (id_of("loyalty"), Some(loyalty.to_string())),
                (id_of("phone"), Some(phone.to_string())),
                (id_of("notes"), Some("vip".to_string())),
            ];
            app.state
                .store
                .set_customer_attributes(c, &defs, &changes, 10)
                .await
                .unwrap();
        }
        let list = owner.get("/admin/customers").await;
        list.assert_contains("<option value=\"loyalty\">Loyalty</option>");
        assert!(!list.body.contains("<option value=\"notes\""));

        let found = owner
            .get("/admin/customers?attr=loyalty&attr_value=gh-1001")
            .await;
        assert_eq!(listed_emails(&found.body), ["ada@example.com"]);
        let found = owner
            .get("/admin/customers?attr=loyalty&attr_value=GH-1002")
            .await;
        assert_eq!(listed_emails(&found.body), ["bob@example.com"]);
        // The query takes the attribute's canonical form too.
        let found = owner
            .get("/admin/customers?attr=phone&attr_value=%2B44+20+7946+0958")
            .await;
        assert_eq!(listed_emails(&found.body), ["ada@example.com"]);
        owner
            .get("/admin/customers?attr=phone&attr_value=0207")
            .await
            .assert_status(StatusCode::BAD_REQUEST)
            .assert_contains("international number");
        owner
            .get("/admin/customers?attr=notes&attr_value=vip")
            .await
            .assert_status(StatusCode::BAD_REQUEST)
            .assert_contains("no searchable attribute");
        owner
            .get("/admin/customers?attr=loyalty&attr_value=")
            .await
            .assert_status(StatusCode::BAD_REQUEST);

        // Searchable can be switched off and on; stored values follow.
        let loyalty = id_of("loyalty");
        let path = format!("/admin/attributes/{loyalty}");
        owner.get(&path).await;
        let form = |searchable: bool| {
            let mut f = vec![
                ("label", "Loyalty"),
                ("editable_by", "admin"),
                ("choices", ""),
            ];
            if searchable {
                f.push(("searchable", "yes"));
            }
            f
        };
        owner.post(&path, &form(false)).await.assert_redirect(&path);
        owner
            .get("/admin/customers?attr=loyalty&attr_value=gh-1001")
            .await
            .assert_status(StatusCode::BAD_REQUEST);
        owner.get(&path).await;
        owner.post(&path, &form(true)).await.assert_redirect(&path);
        let found = owner
            .get("/admin/customers?attr=loyalty&attr_value=GH-1001X")
            .await;
        assert_eq!(listed_emails(&found.body), ["cy@example.com"]);
        // A filtered list carries the filter on to its export.
        found.assert_contains("attr=loyalty&amp;attr_value=GH-1001X");
    })
    .await;
}
