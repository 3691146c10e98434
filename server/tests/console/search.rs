//! Finding customers: by email, name, id and status, by dates and last sign-in, and keyset pages.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_by_email_name_id_and_status() {
    on_each_backend(|app| async move {
        let ada = app
            .insert_customer("ada@example.com", "Ada Lovelace", 1_000, true)
            .await;
        app.insert_customer("adam@example.com", "Adam Smith", 1_001, false)
            .await;
        app.insert_customer("ada.b@example.org", "Ada Byron", 1_002, false)
            .await;
        app.insert_customer("grace@example.com", "Grace HOPPER", 1_003, true)
            .await;
        app.insert_customer("percent@example.com", "100% Real_Name", 1_004, true)
            .await;
        let mut admin = app
            .admin_browser("auditor@example.com", Role::Auditor)
            .await;

        let page = admin.get("/admin/customers").await;
        page.assert_status(StatusCode::OK)
            .assert_contains("5 customers");
        // Newest first.
        assert!(
            page.body.find("percent@example.com").unwrap()
                < page.body.find("ada@example.com").unwrap()
        );

        let emails = |body: &str| -> Vec<String> {
            [
                "ada@example.com",
                "adam@example.com",
                "ada.b@example.org",
                "grace@example.com",
                "percent@example.com",
            ]
            .into_iter()
            .filter(|e| body.contains(&format!(">{e}<")))
            .map(String::from)
            .collect()
        };
        let prefix = admin.get("/admin/customers?q=ADA&field=email").await;
        assert_eq!(
            emails(&prefix.body),
            ["ada@example.com", "adam@example.com", "ada.b@example.org"]
        );
        let exact = admin
            .get("/admin/customers?q=ada%40example.com&field=email")
            .await;
        assert_eq!(emails(&exact.body), ["ada@example.com"]);
        let name = admin.get("/admin/customers?q=hopper&field=name").await;
        assert_eq!(emails(&name.body), ["grace@example.com"]);
        let middle = admin.get("/admin/customers?q=VELAC&field=name").await;
        assert_eq!(emails(&middle.body), ["ada@example.com"]);
        let words = admin
            .get("/admin/customers?q=lovelace+ADA&field=name")
            .await;
        assert_eq!(emails(&words.body), ["ada@example.com"]);
        // The name index follows edits.
        app.state
            .store
            .set_display_name(
                ada,
                &gatehouse::domain::DisplayName::parse("Augusta King").unwrap(),
                2_000,
            )
            .await
            .unwrap();
        let renamed = admin.get("/admin/customers?q=lovelace&field=name").await;
        assert!(emails(&renamed.body).is_empty());
        let renamed = admin.get("/admin/customers?q=augusta&field=name").await;
        assert_eq!(emails(&renamed.body), ["ada@example.com"]);
        let renamed = admin
            .get("/admin/customers?q=king+augusta&field=name")
            .await;
        assert_eq!(emails(&renamed.body), ["ada@example.com"]);
        let renamed = admin
            .get("/admin/customers?q=ada+lovelace&field=name")
            .await;
        assert!(emails(&renamed.body).is_empty(), "the old words are gone");
        let wildcard = admin.get("/admin/customers?q=%25+real_&field=name").await;
        assert_eq!(
            emails(&wildcard.body),
            ["percent@example.com"],
            "LIKE wildcards are literal"
        );
        let underscore = admin.get("/admin/customers?q=a_a&field=name").await;
        assert!(emails(&underscore.body).is_empty());
        let quotes = admin
            .get("/admin/customers?q=%22%22%22+OR+*&field=name")
            .await;
        quotes.assert_status(StatusCode::OK);
        assert!(
            emails(&quotes.body).is_empty(),
            "search syntax is taken literally"
        );
        let by_id = admin
            .get(&format!("/admin/customers?q={ada}&field=id"))
            .await;
        assert_eq!(emails(&by_id.body), ["ada@example.com"]);
        let unverified = admin
            .get("/admin/customers?q=ada&field=email&status=unverified")
            .await;
        assert_eq!(
            emails(&unverified.body),
            ["adam@example.com", "ada.b@example.org"]
        );
        app.state
            .store
            .set_customer_disabled(ada, true, 3_000)
            .await
            .unwrap();
        let disabled = admin.get("/admin/customers?status=disabled").await;
        assert_eq!(emails(&disabled.body), ["ada@example.com"]);
        let active = admin
            .get("/admin/customers?q=ada&field=email&status=active")
            .await;
        assert_eq!(
            emails(&active.body),
            ["adam@example.com", "ada.b@example.org"]
        );
        let none = admin.get("/admin/customers?q=zzz&field=email").await;
        none.assert_contains("No customers match.");

        // Bad input: a clear 400 and nothing else.
        let long = "a".repeat(255);
        for bad in [
            format!("/admin/customers?q={long}"),
            "/admin/customers?field=phone&q=1".into(),
            "/admin/customers?status=gold".into(),
            "/admin/customers?q=not-a-uuid&field=id".into(),
            "/admin/customers?after=%21%21%21".into(),
            "/admin/customers?after=Yy5ub3QuYW4uaWQ".into(),
            "/admin/customers?q=ad&field=name".into(),
        ] {
            admin.get(&bad).await.assert_status(StatusCode::BAD_REQUEST);
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyset_pages_neither_repeat_nor_skip_while_customers_arrive() {
    on_each_backend(|app| async move {
        for i in 0..120 {
            // Pairs share a creation second, so ties are broken by id.
            app.insert_customer(
                &format!("c{i:03}@example.com"),
                &format!("Customer Number {i}"),
                10_000 + i / 2,
                i % 3 == 0,
            )
            .await;
        }
        // Half of them signed in, in pairs at the same second; the rest never did.
        let all = app
            .state
            .store
            .search_customers(&gatehouse::domain::CustomerSearch::all(), None, 200)
            .await
            .unwrap();
        for (n, c) in all.rows.iter().enumerate().filter(|(n, _)| n % 2 == 0) {
            let at = 50_000 + n as i64 / 4;
            app.state
                .store
                .record_sign_in(c.id, at, None)
                .await
                .unwrap();
        }
        let mut admin = app.admin_browser("owner@example.com", Role::Owner).await;
        let mut listings = Vec::new();
        for (run, (start, expected)) in [
            ("/admin/customers", 120),
            ("/admin/customers?q=c0&field=email", 100),
            ("/admin/customers?sort=last_sign_in", 120),
            // Every one is called "Customer": the list walks the newest.
            ("/admin/customers?q=customer&field=name", 120),
            // Two words: the word index walks the newest, ties by id.
            ("/admin/customers?q=number+CUSTOMER&field=name", 120),
        ]
        .into_iter()
        .enumerate()
        {
            let mut seen = Vec::new();
            let mut next = Some(start.to_string());
            let mut pages = 0;
            while let Some(path) = next {
                let page = admin.get(&path).await;
                page.assert_status(StatusCode::OK);
                if pages == 0 && run == 1 {
                    page.assert_contains("100 customers");
                }
                if pages == 0 && run == 3 {
                    page.assert_contains("About 120 customers");
                }
                if pages == 0 && run == 4 {
                    page.assert_contains("120 customers");
                }
                seen.extend(listed_emails(&page.body));
                // New sign-ups while paging land before the first page, not in the middle.
                app.insert_customer(
                    &format!("new{pages}-{run}@example.net"),
                    "Newcomer",
                    99_999,
                    false,
                )
                .await;
                next = extract_next(&page.body);
                pages += 1;
            }
            let unique: HashSet<_> = seen.iter().collect();
            assert_eq!(unique.len(), seen.len(), "a row repeated");
            let old: Vec<_> = seen
                .iter()
                .filter(|e| e.ends_with("@example.com"))
                .collect();
            assert_eq!(old.len(), expected, "rows skipped: {seen:?}");
            assert_eq!(pages, expected.div_ceil(50));
            listings.push(old.into_iter().cloned().collect::<Vec<_>>());
        }
        // The walked name search lists them newest first, as the index does.
        assert_eq!(listings[3], listings[0]);
        assert_eq!(listings[4], listings[0]);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn created_date_range_and_last_sign_in_sort() {
    on_each_backend(|app| async move {
        let day = |d: i64| 1_767_225_600 + (d - 1) * 86_400; // 2026-01-d 00:00 UTC
        let first = app
            .insert_customer("first@example.com", "First", day(1) + 36_000, true)
            .await;
        let second = app
            .insert_customer("second@example.com", "Second", day(2), true)
            .await;
        app.insert_customer("third@example.com", "Third", day(3) + 86_399, false)
            .await;
        let fifth = app
            .insert_customer("fifth@example.com", "Fifth", day(5), true)
            .await;
        let store = &app.state.store;
        store.record_sign_in(first, 5_000, None).await.unwrap();
        store.record_sign_in(second, 5_000, None).await.unwrap();
        store.record_sign_in(fifth, 9_000, None).await.unwrap();
        let mut admin = app
            .admin_browser("auditor@example.com", Role::Auditor)
            .await;
        let order = |body: &str| -> Vec<&'static str> {
            let mut found: Vec<(usize, &'static str)> = ["first", "second", "third", "fifth"]
                .into_iter()
                .filter_map(|n| body.find(&format!(">{n}@example.com<")).map(|at| (at, n)))
                .collect();
            found.sort();
            found.into_iter().map(|(_, n)| n).collect()
        };

        // Both ends of the range are whole days, inclusive.
        let range = admin
            .get("/admin/customers?from=2026-01-02&to=2026-01-03")
            .await;
        range.assert_status(StatusCode::OK);
        assert_eq!(order(&range.body), ["third", "second"]);
        let from = admin.get("/admin/customers?from=2026-01-03").await;
        assert_eq!(order(&from.body), ["fifth", "third"]);
        let to = admin
            .get("/admin/customers?to=2026-01-01&status=verified")
            .await;
        assert_eq!(order(&to.body), ["first"]);

        // Most recent sign-in first; a tie goes to the later id; never last.
        let by_sign_in = admin.get("/admin/customers?sort=last_sign_in").await;
        by_sign_in.assert_status(StatusCode::OK);
        assert_eq!(
            order(&by_sign_in.body),
            ["fifth", "second", "first", "third"]
        );
        let verified_by_sign_in = admin
            .get("/admin/customers?sort=last_sign_in&status=verified&from=2026-01-02")
            .await;
        assert_eq!(order(&verified_by_sign_in.body), ["fifth", "second"]);

        for bad in [
            "/admin/customers?from=2026-13-01",
            "/admin/customers?to=yesterday",
            "/admin/customers?from=2026-01-05&to=2026-01-01",
            "/admin/customers?sort=name",
        ] {
            admin.get(bad).await.assert_status(StatusCode::BAD_REQUEST);
        }
    })
    .await;
}

/// An email prefix is counted along its index up to a thousand: exactly
/// at the bound, "More than 1,000" past it, so a common prefix never
/// counts every match.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_email_prefix_is_counted_up_to_a_thousand() {
    on_each_backend(|app| async move {
        for i in 0..=1000 {
            app.insert_customer(
                &format!("bulk{i:04}@example.com"),
                "Bulk Customer",
                20_000 + i,
                false,
            )
            .await;
        }
        let mut admin = app.admin_browser("owner@example.com", Role::Owner).await;
        let page = admin.get("/admin/customers?q=bulk0&field=email").await;
        page.assert_status(StatusCode::OK)
            .assert_contains("1,000 customers");
        assert!(!page.body.contains("More than"), "exactly at the bound");
        admin
            .get("/admin/customers?q=bulk&field=email")
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("More than 1,000 customers");
    })
    .await;
}

/// A name search of several words finds names having each as a whole word
/// (the last as far as typed), in any order, any case, accents folded; pages walk the newest matches
/// without repeats; filters and the other sort apply; a deleted customer's
/// words go with them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_name_words_match_whole_words_in_any_order() {
    on_each_backend(|app| async move {
        let zoe = app
            .insert_customer("zoe@example.com", "Zoë Tanaka", 1_000, false)
            .await;
        app.insert_customer("reversed@example.com", "TANAKA Zoe", 1_001, true)
            .await;
        app.insert_customer("zoella@example.com", "Zoëlla Tanaka", 1_002, true)
            .await;
        app.insert_customer("ken@example.com", "Ken Tanaka", 1_003, true)
            .await;
        app.insert_customer("hyphen@example.com", "Zoé O'Brien-Tanaka", 1_004, true)
            .await;
        for i in 0..50 {
            app.insert_customer(
                &format!("many{i:02}@example.com"),
                "Zoe Tanaka",
                2_000 + i,
                true,
            )
            .await;
        }
        let mut admin = app.admin_browser("owner@example.com", Role::Owner).await;
        let found = |body: &str| -> Vec<String> {
            listed_emails(body)
                .into_iter()
                .map(|e| e.trim_end_matches("@example.com").to_string())
                .collect()
        };

        let first = admin.get("/admin/customers?q=zoe+tanaka&field=name").await;
        first
            .assert_status(StatusCode::OK)
            .assert_contains("53 customers");
        let first_rows = found(&first.body);
        assert_eq!(first_rows.len(), 50);
        assert_eq!(first_rows[0], "many49", "newest first");
        let next = extract_next(&first.body).expect("a next page link");
        let second = admin.get(&next).await;
        assert_eq!(found(&second.body), ["hyphen", "reversed", "zoe"]);
        // The last word counts as far as it is typed.
        let typing = admin.get("/admin/customers?q=tanaka+zo&field=name").await;
        typing.assert_contains("54 customers");
        let rest = admin
            .get(&extract_next(&typing.body).expect("a next page link"))
            .await;
        assert_eq!(found(&rest.body), ["hyphen", "zoella", "reversed", "zoe"]);

        let filtered = admin
            .get("/admin/customers?q=ZOE+tanaka&field=name&status=unverified")
            .await;
        assert_eq!(found(&filtered.body), ["zoe"]);
        app.state
            .store
            .record_sign_in(zoe, 5_000, Some("127.0.0.1"))
            .await
            .unwrap();
        let by_sign_in = admin
            .get("/admin/customers?q=zoe+tanaka&field=name&sort=last_sign_in")
            .await;
        assert_eq!(found(&by_sign_in.body)[0], "zoe");
        let none = admin.get("/admin/customers?q=zoe+smith&field=name").await;
        none.assert_status(StatusCode::OK)
            .assert_contains("No customers match.");

        assert!(
            app.state
                .store
                .delete_customer(zoe, app.state.clock.now())
                .await
                .unwrap()
        );
        let after_delete = admin
            .get("/admin/customers?q=zoe+tanaka&field=name&status=unverified")
            .await;
        assert!(found(&after_delete.body).is_empty());
    })
    .await;
}
