use super::apps::AppRow;
use crate::components::around;
use crate::components::{
    Card, CsrfField, DeviceRow, Notice, OUTLINE_BUTTON, OUTLINE_DANGER_BUTTON,
};
use crate::i18n::HOLE;
use crate::paths;
use crate::{Chrome, document};
use leptos::prelude::*;

/// `/account/devices`: where the customer is signed in, and the
/// applications that hold access.
#[derive(Clone, Debug, Default)]
pub struct DevicesView {
    /// The device looking comes first.
    pub devices: Vec<DeviceRow>,
    pub apps: Vec<AppRow>,
    pub notice: Option<String>,
}

pub fn devices_page(chrome: &Chrome, page: &DevicesView) -> String {
    let (chrome, page) = (chrome.clone(), page.clone());
    let csrf = chrome.csrf_token.clone();
    let t = chrome.lang;
    // A date inside a sentence stays on one line.
    let nowrap = |text: String| view! { <span class="whitespace-nowrap">{text}</span> };
    let devices = page
        .devices
        .iter()
        .map(|d| {
            let action = (!d.current).then(|| {
                let named = t.tf(
                    "devices-sign-out-named",
                    &[("device", d.device.as_str().into()), ("when", d.last_seen.as_str().into())],
                );
                view! {
                    <form method="post" action=paths::at(paths::ACCOUNT_DEVICE_SIGN_OUT, &[&d.id]) class="shrink-0">
                        <CsrfField token=csrf.clone()/>
                        <button type="submit" class=OUTLINE_BUTTON aria-label=named>{t.t("devices-sign-out")}</button>
                    </form>
                }
            });
            let here = d.current.then(|| {
                view! { <span class="ms-2 whitespace-nowrap rounded-full bg-emerald-100 px-2 py-0.5 text-xs font-semibold text-emerald-800">{t.t("devices-this")}</span> }
            });
            let began = match &d.handed_off_from {
                Some(from) => t.tf("devices-handed-off", &[("from", from.as_str().into()), ("when", HOLE.into())]),
                None => t.tf("devices-signed-in-with", &[("how", d.began.as_str().into()), ("when", HOLE.into())]),
            };
            view! {
                <li class="flex flex-col gap-3 border-t border-slate-200 py-4 first:border-t-0 sm:flex-row sm:items-start sm:justify-between">
                    <div class="min-w-0">
                        <h2 class="text-base font-semibold">{d.device.clone()}{here}</h2>
                        <p class="text-sm text-slate-600">{around(&began, nowrap(d.started.clone()))}</p>
                        <p class="text-sm text-slate-600">{around(
                            &t.tf("devices-last-active", &[("when", HOLE.into()), ("source", d.source.as_str().into())]),
                            nowrap(d.last_seen.clone()),
                        )}</p>
                        {d.shared_until.clone().map(|until| view! {
                            <p class="text-sm text-slate-600">{around(&t.tf("devices-shared-until", &[("when", HOLE.into())]), nowrap(until))}</p>
                        })}
                    </div>
                    {action}
                </li>
            }
        })
        .collect_view();
    let others = page.devices.iter().filter(|d| !d.current).count();
    let sign_out_others = (others > 0).then(|| {
        view! {
            <form method="post" action=paths::ACCOUNT_DEVICES_SIGN_OUT_OTHERS class="mt-2">
                <CsrfField token=csrf.clone()/>
                <button type="submit" class=OUTLINE_DANGER_BUTTON>
                    {t.tf("devices-sign-out-others", &[("count", others.into())])}
                </button>
            </form>
        }
    });
    let apps = page
        .apps
        .iter()
        .map(|app| {
            view! {
                <li class="border-t border-slate-200 py-3 first:border-t-0">
                    <span class="font-semibold">{app.name.clone()}</span>
                    " · "
                    <span class="text-sm text-slate-600">{around(&t.tf("apps-granted", &[("when", HOLE.into())]), nowrap(app.since.clone()))}</span>
                </li>
            }
        })
        .collect_view();
    let no_apps = page.apps.is_empty();
    let title = t.t("devices-title");
    let body = view! {
        <Card title=title.clone()>
            {page.notice.clone().map(|m| view! { <Notice tone="success" message=m/> })}
            <p class="mb-4 text-sm text-slate-700">{t.t("devices-text")}</p>
            <ul>{devices}</ul>
            {sign_out_others}
            <h2 class="mb-2 mt-8 text-lg font-semibold">{t.t("apps-title")}</h2>
            {no_apps.then(|| view! { <p class="text-sm text-slate-700">{t.t("account-apps-none")}</p> })}
            <ul>{apps}</ul>
            <p class="mt-2 text-sm"><a href=paths::ACCOUNT_APPS class="font-medium text-indigo-700 hover:underline">{t.t("apps-see")}</a></p>
            <p class="mt-6 text-sm"><a href=paths::ACCOUNT class="font-medium text-indigo-700 hover:underline">{t.t("back-to-account")}</a></p>
        </Card>
    };
    document(&chrome, &title, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::chrome;

    fn device(id: &str, current: bool) -> DeviceRow {
        DeviceRow {
            id: id.into(),
            device: "Chrome on <Android>".into(),
            began: "Password".into(),
            handed_off_from: None,
            shared_until: None,
            started: "2026-12-07 10:00".into(),
            last_seen: "2026-12-07 10:05".into(),
            source: "203.0.113.7".into(),
            current,
        }
    }

    #[test]
    fn other_devices_have_a_sign_out_each_and_this_one_none() {
        let html = devices_page(
            &chrome(),
            &DevicesView {
                devices: vec![
                    device("here", true),
                    device("s2", false),
                    device("s3", false),
                ],
                ..Default::default()
            },
        );
        assert!(html.contains("Chrome on &lt;Android&gt;"));
        assert!(html.contains("This device"));
        assert!(html.contains(r#"action="/account/devices/s2/sign-out""#));
        assert!(!html.contains("/account/devices/here/sign-out"));
        assert!(html.contains("Sign out the 2 other devices"));
        assert!(html.contains(r#"<span class="whitespace-nowrap">2026-12-07 10:05</span>"#));
        let alone = devices_page(
            &chrome(),
            &DevicesView {
                devices: vec![device("here", true)],
                ..Default::default()
            },
        );
        assert!(!alone.contains("sign-out-others"));
    }
}
