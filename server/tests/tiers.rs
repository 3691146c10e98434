//! Membership tiers: owners define them, admins move customers between them,
//! and every move is kept, on every backend.

mod support;

use axum::http::StatusCode;
use gatehouse::domain::Email;
use gatehouse::domain::Role;
use gatehouse::domain::{ChangeSource, TierId};
use support::*;

const REGULAR: &str = "00000000-0000-7000-8000-000000000001";

fn gold_form<'a>(slug: &'a str, fallback: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", "Gold"),
        ("slug", slug),
        ("rank", "20"),
        ("colour", "#B8860B"),
        ("description", "Our best customers"),
        (
            "entitlements",
            "priority-support, free-shipping\npriority-support",
        ),
        ("fallback", fallback),
        ("grace_days", "7"),
    ]
}

async fn tier_id(app: &TestApp, slug: &str) -> TierId {
    app.state
        .store
        .tier_by_slug(slug)
        .await
        .unwrap()
        .unwrap()
        .id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owners_define_tiers_and_bad_input_changes_nothing() {
    on_each_backend(|app| async move {
        let mut owner = app.admin_browser("owner@example.com", Role::Owner).await;
        owner
            .get("/admin/tiers")
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("Regular")
            .assert_contains("Default for new customers")
            .assert_contains("Create tier");

        let bad = owner
            .post(
                "/admin/tiers",
                &[
                    ("name", ""),
                    ("slug", "Gold Tier!"),
                    ("rank", "-1"),
                    ("colour", "gold"),
                    ("entitlements", "ok, Priority Support!"),
                    ("fallback", "nope"),
                    ("grace_days", "400"),
                ],
            )
            .await;
        bad.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_field_errors(&[
                "colour",
                "entitlements",
                "fallback",
                "grace_days",
                "name",
                "rank",
                "slug",
            ])
            .assert_contains("Gold Tier!");
        assert_eq!(app.state.store.list_tiers().await.unwrap().len(), 1);

        let created = owner
            .post("/admin/tiers", &gold_form("gold", "regular"))
            .await;
        let gold = tier_id(&app, "gold").await;
        created.assert_redirect(&format!("/admin/tiers/{gold}"));
        let stored = app.state.store.tier_by_id(gold).await.unwrap().unwrap();
        assert_eq!(stored.entitlements, ["priority-support", "free-shipping"]);
        assert_eq!(stored.colour, "#b8860b");
        assert_eq!(stored.fallback, Some(TierId(REGULAR.parse().unwrap())));
        assert_eq!(
            (stored.rank, stored.grace_days, stored.is_default),
            (20, 7, false)
        );
        owner
            .get(&format!("/admin/tiers/{gold}"))
            .await
            .assert_contains("The tier Gold is created.")
            .assert_contains("priority-support, free-shipping");

        owner.get("/admin/tiers").await;
        owner
            .post("/admin/tiers", &gold_form("gold", ""))
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("Another tier already has this slug.");

        // Edits are saved and recorded before and after.
        owner.get(&format!("/admin/tiers/{gold}")).await;
        let mut edit = gold_form("gold", "regular");
        edit[0] = ("name", "Gold Plus");
        owner
            .post(&format!("/admin/tiers/{gold}"), &edit)
            .await
            .assert_redirect(&format!("/admin/tiers/{gold}"));
        let mut self_fallback = gold_form("gold", "gold");
        self_fallback[0] = ("name", "Gold Plus");
        owner
            .post(&format!("/admin/tiers/{gold}"), &self_fallback)
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("cannot fall back to itself");
        let events = app
            .state
            .store
            .audit_events(&Default::default(), None, 10)
            .await
            .unwrap();
        let updated = events.iter().find(|e| e.action == "tier.updated").unwrap();
        assert!(
            updated
                .details
                .contains(r#""name":{"after":"Gold Plus","before":"Gold"}"#),
            "{}",
            updated.details
        );
        assert!(events.iter().any(|e| e.action == "tier.created"));

        // Only owners define tiers; others read.
        for role in [Role::Support, Role::Auditor] {
            let mut admin = app
                .admin_browser(&format!("{}@example.com", role.as_str()), role)
                .await;
            let page = admin.get(&format!("/admin/tiers/{gold}")).await;
            page.assert_status(StatusCode::OK)
                .assert_contains("Gold Plus");
            assert!(!page.body.contains("Save tier"));
            for (path, form) in [
                ("/admin/tiers".to_string(), gold_form("silver", "")),
                (format!("/admin/tiers/{gold}"), gold_form("hacked", "")),
                (format!("/admin/tiers/{gold}/default"), vec![]),
                (format!("/admin/tiers/{gold}/archive"), vec![]),
            ] {
                admin
                    .post(&path, &form)
                    .await
                    .assert_status(StatusCode::FORBIDDEN);
            }
        }
        let tiers = app.state.store.list_tiers().await.unwrap();
        assert_eq!(tiers.len(), 2);
        assert!(
            tiers
                .iter()
                .all(|t| t.slug != "hacked" && !(t.slug == "gold" && t.is_default))
        );
        owner
            .get("/admin/tiers/not-a-tier")
            .await
            .assert_status(StatusCode::BAD_REQUEST);
        owner
            .get(&format!("/admin/tiers/{}", uuid::Uuid::now_v7()))
            .await
            .assert_status(StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customers_move_between_tiers_with_history() {
    on_each_backend(|app| async move {
        let mut owner = app.admin_browser("owner@example.com", Role::Owner).await;
        owner.get("/admin/tiers").await;
        owner
            .post("/admin/tiers", &gold_form("gold", "regular"))
            .await;
        let gold = tier_id(&app, "gold").await;
        let regular = TierId(REGULAR.parse().unwrap());

        // New customers join the default tier, whichever it is.
        app.sign_up("ivy@example.com", "Ivy", STRONG_PASSWORD).await;
        let customer = |email: &'static str| {
            let store = app.state.store.clone();
            async move {
                store
                    .customer_by_email(&Email::parse(email).unwrap())
                    .await
                    .unwrap()
                    .unwrap()
                    .0
            }
        };
        assert_eq!(customer("ivy@example.com").await.tier, regular);
        owner.get(&format!("/admin/tiers/{gold}")).await;
        owner
            .post(&format!("/admin/tiers/{gold}/default"), &[])
            .await
            .assert_redirect(&format!("/admin/tiers/{gold}"));
        app.sign_up("jon@example.com", "Jon", STRONG_PASSWORD).await;
        assert_eq!(customer("jon@example.com").await.tier, gold);
        let defaults = app.state.store.list_tiers().await.unwrap();
        assert_eq!(defaults.iter().filter(|t| t.is_default).count(), 1);

        // Support moves Ivy to gold until a day in the future, with a reason.
        let ivy = customer("ivy@example.com").await.id;
        let mut support = app
            .admin_browser("support@example.com", Role::Support)
            .await;
        let path = format!("/admin/customers/{ivy}");
        support.get(&path).await.assert_contains("Move to tier");
        let future = time::OffsetDateTime::from_unix_timestamp(app.state.clock.now() + 30 * 86_400)
            .unwrap()
            .date()
            .to_string();
        let gold_s = gold.to_string();
        for (expires, message) in [
            ("2001-01-01", "must be in the future"),
            ("soon", "must look like"),
        ] {
            support
                .post(
                    &format!("{path}/tier"),
                    &[("tier", &gold_s), ("reason", "x"), ("expires", expires)],
                )
                .await
                .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
                .assert_contains(message);
        }
        support
            .post(&format!("{path}/tier"), &[("tier", "gold"), ("reason", "")])
            .await
            .assert_status(StatusCode::BAD_REQUEST);
        let unknown = uuid::Uuid::now_v7().to_string();
        support
            .post(
                &format!("{path}/tier"),
                &[("tier", &unknown), ("reason", "")],
            )
            .await
            .assert_status(StatusCode::CONFLICT);
        assert!(
            app.state
                .store
                .tier_history(ivy, 10)
                .await
                .unwrap()
                .is_empty()
        );

        support
            .post(
                &format!("{path}/tier"),
                &[
                    ("tier", &gold_s),
                    ("reason", "Loyalty offer"),
                    ("expires", &future),
                ],
            )
            .await
            .assert_redirect(&path);
        let page = support.get(&path).await;
        page.assert_contains("tier is changed.")
            .assert_contains("Loyalty offer")
            .assert_contains("support@example.com")
            .assert_contains(&format!("until {future} 00:00 UTC"));
        let moved = customer("ivy@example.com").await;
        assert_eq!(moved.tier, gold);
        assert!(moved.tier_expires_at.unwrap() > app.state.clock.now() + 29 * 86_400);
        let history = app.state.store.tier_history(ivy, 10).await.unwrap();
        assert_eq!(history.len(), 1);
        let change = &history[0];
        assert_eq!(
            (change.from, change.to, change.source),
            (Some(regular), gold, ChangeSource::Admin)
        );
        assert_eq!(change.reason, "Loyalty offer");
        assert!(change.actor.is_some());
        let audit = app.state.store.audit_for_customer(ivy, 1).await.unwrap();
        assert_eq!(audit[0].action, "customer.tier_changed");

        // An auditor's forged move changes nothing.
        let mut auditor = app
            .admin_browser("auditor@example.com", Role::Auditor)
            .await;
        auditor.get(&path).await;
        auditor
            .post(
                &format!("{path}/tier"),
                &[("tier", REGULAR), ("reason", "")],
            )
            .await
            .assert_status(StatusCode::FORBIDDEN);
        assert_eq!(customer("ivy@example.com").await.tier, gold);

        // The list filters by tier; the tier page counts and shows the move.
        let listed = auditor.get("/admin/customers?tier=gold").await;
        listed
            .assert_contains(">ivy@example.com<")
            .assert_contains(">jon@example.com<");
        let regulars = auditor.get("/admin/customers?tier=regular").await;
        assert!(!regulars.body.contains(">ivy@example.com<"));
        auditor
            .get("/admin/customers?tier=nope")
            .await
            .assert_status(StatusCode::BAD_REQUEST);
        let tier_page = auditor.get(&format!("/admin/tiers/{gold}")).await;
        tier_page
            .assert_contains("Loyalty offer")
            .assert_contains(&ivy.to_string());
        assert_eq!(app.state.store.count_tier_members(gold).await.unwrap(), 2);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tier_is_archived_only_when_nothing_needs_it() {
    on_each_backend(|app| async move {
        let mut owner = app.admin_browser("owner@example.com", Role::Owner).await;
        owner.get("/admin/tiers").await;
        owner
            .post("/admin/tiers", &gold_form("gold", "regular"))
            .await;
        let gold = tier_id(&app, "gold").await;
        let ann = app.insert_customer("ann@example.com", "Ann", 1, true).await;
        let ann_page = format!("/admin/customers/{ann}");
        owner.get(&ann_page).await;
        owner
            .post(
                &format!("{ann_page}/tier"),
                &[("tier", &gold.to_string()), ("reason", "")],
            )
            .await
            .assert_redirect(&ann_page);

        let archive = |id: TierId| format!("/admin/tiers/{id}/archive");
        owner.get(&format!("/admin/tiers/{gold}")).await;
        owner
            .post(&archive(TierId(REGULAR.parse().unwrap())), &[])
            .await
            .assert_status(StatusCode::CONFLICT)
            .assert_contains("default tier cannot be archived");
        owner
            .post(&archive(gold), &[])
            .await
            .assert_status(StatusCode::CONFLICT)
            .assert_contains("still has customers");
        // Moved out, gold is still platinum's fallback.
        let mut platinum = gold_form("platinum", "gold");
        platinum[0] = ("name", "Platinum");
        owner.get("/admin/tiers").await;
        owner.post("/admin/tiers", &platinum).await;
        let platinum = tier_id(&app, "platinum").await;
        owner.get(&ann_page).await;
        owner
            .post(
                &format!("{ann_page}/tier"),
                &[("tier", REGULAR), ("reason", "")],
            )
            .await
            .assert_redirect(&ann_page);
        owner
            .post(&archive(gold), &[])
            .await
            .assert_status(StatusCode::CONFLICT)
            .assert_contains("falls back to this one");
        owner
            .post(&archive(platinum), &[])
            .await
            .assert_redirect(&format!("/admin/tiers/{platinum}"));
        owner
            .post(&archive(gold), &[])
            .await
            .assert_redirect(&format!("/admin/tiers/{gold}"));
        owner
            .post(&archive(gold), &[])
            .await
            .assert_status(StatusCode::CONFLICT);

        // Archived tiers take no one and cannot become the default.
        owner.get(&ann_page).await;
        owner
            .post(
                &format!("{ann_page}/tier"),
                &[("tier", &gold.to_string()), ("reason", "")],
            )
            .await
            .assert_status(StatusCode::CONFLICT)
            .assert_contains("archived");
        owner
            .post(&format!("/admin/tiers/{gold}/default"), &[])
            .await
            .assert_status(StatusCode::CONFLICT);
        owner
            .post(&format!("/admin/tiers/{gold}/unarchive"), &[])
            .await
            .assert_redirect(&format!("/admin/tiers/{gold}"));
        owner
            .post(&format!("/admin/tiers/{gold}/explode"), &[])
            .await
            .assert_status(StatusCode::NOT_FOUND);
        let actions: Vec<String> = app
            .state
            .store
            .audit_events(&Default::default(), None, 50)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .filter(|a| a.starts_with("tier."))
            .collect();
        assert_eq!(
            actions,
            [
                "tier.unarchived",
                "tier.archived",
                "tier.archived",
                "tier.created",
                "tier.created"
            ]
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ended_assignments_fall_back_after_grace_days_exactly_once() {
    on_each_backend(|app| async move {
        let mut owner = app.admin_browser("owner@example.com", Role::Owner).await;
        owner.get("/admin/tiers").await;
        let mut silver = gold_form("silver", "");
        silver[0] = ("name", "Silver");
        silver[7] = ("grace_days", "0");
        owner.post("/admin/tiers", &silver).await;
        owner.get("/admin/tiers").await;
        let mut gold = gold_form("gold", "silver");
        gold[7] = ("grace_days", "2");
        owner.post("/admin/tiers", &gold).await;
        let (gold, silver) = (tier_id(&app, "gold").await, tier_id(&app, "silver").await);
        let regular = TierId(REGULAR.parse().unwrap());

        let day = |days: i64| {
            time::OffsetDateTime::from_unix_timestamp(app.state.clock.now() + days * 86_400)
                .unwrap()
                .date()
                .to_string()
        };
        let mut assign =
            async |customer: gatehouse::domain::CustomerId, tier: TierId, until: String| {
                let path = format!("/admin/customers/{customer}");
                owner.get(&path).await;
                owner
                    .post(
                        &format!("{path}/tier"),
                        &[
                            ("tier", &tier.to_string()),
                            ("reason", "offer"),
                            ("expires", &until),
                        ],
                    )
                    .await
                    .assert_redirect(&path);
            };
        let ann = app.insert_customer("ann@example.com", "Ann", 1, true).await;
        let ben = app.insert_customer("ben@example.com", "Ben", 2, true).await;
        let cy = app.insert_customer("cy@example.com", "Cy", 3, true).await;
        assign(ann, gold, day(3)).await;
        assign(ben, silver, day(1)).await;
        assign(cy, gold, day(1)).await;
        let tier_of = async |id| {
            app.state
                .store
                .customer_by_id(id)
                .await
                .unwrap()
                .unwrap()
                .tier
        };

        // Nothing has ended yet.
        assert_eq!(
            gatehouse::directory::tier_moves::expire_assignments(&app.state)
                .await
                .unwrap(),
            0
        );

        // Three days on: Ben's silver (no grace, no fallback) ends into the
        // default tier; Cy's gold ended over two days ago and falls back to
        // silver, moved once though two instances run the job at once;
        // Ann's gold ended, but its two grace days are not over.
        app.state.clock.advance(3 * 86_400 + 3600);
        let (a, b) = tokio::join!(
            gatehouse::directory::tier_moves::expire_assignments(&app.state),
            gatehouse::directory::tier_moves::expire_assignments(&app.state)
        );
        assert_eq!(a.unwrap() + b.unwrap(), 2);
        assert_eq!(tier_of(ben).await, regular);
        assert_eq!(tier_of(cy).await, silver);
        assert_eq!(tier_of(ann).await, gold);
        let cy_history = app.state.store.tier_history(cy, 10).await.unwrap();
        assert_eq!(cy_history.len(), 2, "one admin move, one expiry");
        let expiry = &cy_history[0];
        assert_eq!((expiry.from, expiry.to), (Some(gold), silver));
        assert_eq!(expiry.source, ChangeSource::Expiry);
        assert!(expiry.actor.is_none() && expiry.reason.starts_with("The assignment ended on "));
        let moved = app.state.store.customer_by_id(cy).await.unwrap().unwrap();
        assert_eq!(moved.tier_expires_at, None);

        // Two more days: Ann's grace is over.
        app.state.clock.advance(2 * 86_400);
        assert_eq!(
            gatehouse::directory::tier_moves::expire_assignments(&app.state)
                .await
                .unwrap(),
            1
        );
        assert_eq!(tier_of(ann).await, silver);
        assert_eq!(
            gatehouse::directory::tier_moves::expire_assignments(&app.state)
                .await
                .unwrap(),
            0
        );
        let audit = app.state.store.audit_for_customer(ann, 1).await.unwrap();
        assert_eq!(
            (audit[0].action.as_str(), audit[0].actor_kind.as_str()),
            ("customer.tier_expired", "system")
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_search_moves_in_the_background_once_even_after_a_crash() {
    on_each_backend(|app| async move {
        let mut owner = app.admin_browser("owner@example.com", Role::Owner).await;
        owner.get("/admin/tiers").await;
        owner.post("/admin/tiers", &gold_form("gold", "")).await;
        let gold = tier_id(&app, "gold").await;
        for i in 0..450 {
            // Verified ones are the search; every third is already gold.
            let id = app
                .insert_customer(
                    &format!("b{i:03}@example.com"),
                    "Bulk",
                    1_000 + i,
                    i % 2 == 0,
                )
                .await;
            if i % 3 == 0 {
                let change = gatehouse::domain::TierChange {
                    customer: id,
                    from: None,
                    to: gold,
                    source: ChangeSource::Admin,
                    actor: None,
                    reason: String::new(),
                    expires_at: None,
                    at: 1,
                };
                app.state.store.change_customer_tier(&change).await.unwrap();
            }
        }
        let mut support = app
            .admin_browser("support@example.com", Role::Support)
            .await;
        support
            .get("/admin/customers?status=verified")
            .await
            .assert_contains("Move everyone this search finds to a tier");
        let gold_s = gold.to_string();
        let form = [
            ("to_tier", gold_s.as_str()),
            ("bulk_reason", "Spring promotion"),
            ("q", ""),
            ("field", "email"),
            ("status", "verified"),
        ];
        // An auditor cannot start one; bad input is refused.
        let mut auditor = app
            .admin_browser("auditor@example.com", Role::Auditor)
            .await;
        auditor.get("/admin/customers").await;
        auditor
            .post("/admin/customers/bulk-tier", &form)
            .await
            .assert_status(StatusCode::FORBIDDEN);
        let mut bad = form;
        bad[4] = ("status", "golden");
        support
            .post("/admin/customers/bulk-tier", &bad)
            .await
            .assert_status(StatusCode::BAD_REQUEST);

        let started = support.post("/admin/customers/bulk-tier", &form).await;
        let job_path = started.location().unwrap().to_string();
        assert!(job_path.starts_with("/admin/tier-jobs/"));
        let page = support.get(&job_path).await;
        page.assert_contains("The tier change has started.")
            .assert_contains("status: verified");
        // The app's own loop wakes as the job is announced, and on a quiet
        // machine may already have finished it.
        assert!(
            page.body.contains("Refresh to see progress") || page.body.contains("Finished"),
            "{}",
            page.body
        );

        // Instances (this test, and the app's own background loop) step
        // through it, one leased page at a time.
        let job_id = uuid::Uuid::parse_str(job_path.rsplit('/').next().unwrap()).unwrap();
        for _ in 0..200 {
            gatehouse::directory::tier_moves::run_bulk_step(&app.state)
                .await
                .unwrap();
            if app
                .state
                .store
                .tier_job(job_id)
                .await
                .unwrap()
                .unwrap()
                .finished_at
                .is_some()
            {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }

        let verified: Vec<_> = app
            .state
            .store
            .search_customers(
                &gatehouse::domain::CustomerSearch {
                    status: gatehouse::domain::StatusFilter::Verified,
                    ..gatehouse::domain::CustomerSearch::all()
                },
                None,
                1_000,
            )
            .await
            .unwrap()
            .rows;
        assert_eq!(verified.len(), 225);
        assert!(verified.iter().all(|c| c.tier == gold));
        let mut bulk_moves = 0;
        for c in &verified {
            let history = app.state.store.tier_history(c.id, 10).await.unwrap();
            let bulk: Vec<_> = history
                .iter()
                .filter(|h| h.source == ChangeSource::Bulk)
                .collect();
            assert!(bulk.len() <= 1, "moved twice");
            bulk_moves += bulk.len();
            if let Some(h) = bulk.first() {
                assert_eq!(h.reason, "Spring promotion");
            }
        }
        // 225 verified, of which 75 were gold already.
        assert_eq!(bulk_moves, 150);
        let unverified_gold = app.state.store.count_tier_members(gold).await.unwrap() - 225;
        assert_eq!(
            unverified_gold, 75,
            "customers outside the search stay where they were"
        );
        let page = support.get(&job_path).await;
        page.assert_contains("Finished")
            .assert_contains(">150<")
            .assert_contains(">225<");
        assert!(!page.body.contains("Refresh to see progress"));

        // A crash: an instance leased a step of a second job (to silver),
        // moved some customers and died. Its lease holds others off until it
        // runs out; then they redo the step, skipping whoever already moved.
        owner.get("/admin/tiers").await;
        let mut silver = gold_form("silver", "");
        silver[0] = ("name", "Silver");
        owner.post("/admin/tiers", &silver).await;
        let silver = tier_id(&app, "silver").await;
        let search = gatehouse::domain::CustomerSearch {
            status: gatehouse::domain::StatusFilter::Verified,
            ..gatehouse::domain::CustomerSearch::all()
        };
        let now = app.state.clock.now();
        let crashed = gatehouse::store::TierJobRow {
            id: uuid::Uuid::now_v7(),
            to_tier_id: silver.0,
            search: serde_json::to_string(&search).unwrap(),
            description: "status: verified".into(),
            reason: "Crash test".into(),
            actor_id: uuid::Uuid::now_v7(),
            cursor: None,
            scanned: 0,
            moved: 0,
            // Dated a little ahead, so the app's own background loop cannot
            // take it before this test's "instance" leases it.
            created_at: now + 30,
            finished_at: None,
            error: None,
        };
        app.state.store.insert_tier_job(&crashed).await.unwrap();
        let leased = app
            .state
            .store
            .lease_tier_job(now + 30, now + 60)
            .await
            .unwrap();
        assert_eq!(leased.unwrap().id, crashed.id);
        for c in verified.iter().take(10) {
            let change = gatehouse::domain::TierChange {
                customer: c.id,
                from: None,
                to: silver,
                source: ChangeSource::Bulk,
                actor: None,
                reason: "Crash test".into(),
                expires_at: None,
                at: now,
            };
            app.state
                .store
                .change_customer_tier(&change)
                .await
                .unwrap()
                .unwrap();
        }
        assert!(
            !gatehouse::directory::tier_moves::run_bulk_step(&app.state)
                .await
                .unwrap(),
            "the lease holds"
        );
        app.state.clock.advance(61);
        while gatehouse::directory::tier_moves::run_bulk_step(&app.state)
            .await
            .unwrap()
        {}
        let job = app.state.store.tier_job(crashed.id).await.unwrap().unwrap();
        assert!(job.finished_at.is_some());
        assert_eq!((job.scanned, job.moved), (225, 215));
        for c in &verified {
            let now_in = app
                .state
                .store
                .customer_by_id(c.id)
                .await
                .unwrap()
                .unwrap()
                .tier;
            assert_eq!(now_in, silver);
            let to_silver = app
                .state
                .store
                .tier_history(c.id, 10)
                .await
                .unwrap()
                .into_iter()
                .filter(|h| h.to == silver)
                .count();
            assert_eq!(to_silver, 1, "moved to silver exactly once");
        }
    })
    .await;
}
