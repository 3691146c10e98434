use super::apps::AppRow;
use crate::components::{
    Card, CsrfField, DeviceRow, Notice, OUTLINE_BUTTON, OUTLINE_DANGER_BUTTON,
};
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
    let devices = page
        .devices
        .iter()
        .map(|d| {
            let action = (!d.current).then(|| {
                view! {
                    <form method="post" action=paths::at(paths::ACCOUNT_DEVICE_SIGN_OUT, &[&d.id]) class="shrink-0">
                        <CsrfField token=csrf.clone()/>
                        <button type="submit" class=OUTLINE_BUTTON
                            aria-label=format!("Sign out {} (last active {})", d.device, d.last_seen)>
                            "Sign out"
                        </button>
                    </form>
                }
            });
            let here = d.current.then(|| {
                view! { <span class="ms-2 rounded-full bg-emerald-100 px-2 py-0.5 text-xs font-semibold text-emerald-800">"This device"</span> }
            });
            view! {
                <li class="flex flex-col gap-3 border-t border-slate-200 py-4 first:border-t-0 sm:flex-row sm:items-start sm:justify-between">
                    <div class="min-w-0">
                        <h2 class="text-base font-semibold">{d.device.clone()}{here}</h2>
                        <p class="text-sm text-slate-600">{match &d.handed_off_from {
                            Some(from) => format!("Handed off from {from} on "),
                            None => format!("Signed in with {} on ", d.began.to_lowercase()),
                        }}<span class="whitespace-nowrap">{d.started.clone()}</span></p>
                        <p class="text-sm text-slate-600">"Last active " <span class="whitespace-nowrap">{d.last_seen.clone()}</span>{format!(" from {}", d.source)}</p>
                        {d.shared_until.clone().map(|until| view! {
                            <p class="text-sm text-slate-600">"Shared screen: signs itself out " <span class="whitespace-nowrap">{until}</span></p>
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
                    {if others == 1 { "Sign out the other device".to_string() } else { format!("Sign out the {others} other devices") }}
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
                    <span class="text-sm text-slate-600">" · access granted " <span class="whitespace-nowrap">{app.since.clone()}</span></span>
                </li>
            }
        })
        .collect_view();
    let no_apps = page.apps.is_empty();
    let body = view! {
        <Card title="Your devices".to_string()>
            {page.notice.clone().map(|m| view! { <Notice tone="success" message=m/> })}
            <p class="mb-4 text-sm text-slate-700">
                "These browsers and devices are signed in to your account. If you do not recognise one, sign it out and "
                <a href=paths::ACCOUNT class="font-medium text-indigo-700 hover:underline">"change your password"</a>"."
            </p>
            <ul>{devices}</ul>
            {sign_out_others}
            <h2 class="mb-2 mt-8 text-lg font-semibold">"Apps with access"</h2>
            {no_apps.then(|| view! { <p class="text-sm text-slate-700">"No application holds access to your account."</p> })}
            <ul>{apps}</ul>
            <p class="mt-2 text-sm"><a href=paths::ACCOUNT_APPS class="font-medium text-indigo-700 hover:underline">"See what each app may see, or remove its access"</a></p>
            <p class="mt-6 text-sm"><a href=paths::ACCOUNT class="font-medium text-indigo-700 hover:underline">"Back to your account"</a></p>
        </Card>
    };
    document(&chrome, "Your devices", body)
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
