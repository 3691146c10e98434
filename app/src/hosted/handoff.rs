//! Continuing on another device: the signed-in device's page (a QR code,
//! a link and a match code, then who opened it and the answer) and the
//! other device's pages (the same match code, then waiting for that
//! answer). Both work without script: the waiting pages ask the browser
//! to load them again every few seconds.

use crate::Lang;
use crate::components::{Card, CsrfField, OUTLINE_DANGER_BUTTON, around};
use crate::i18n::HOLE;
use crate::paths;
use crate::{Chrome, document};
use leptos::prelude::*;

const PRIMARY: &str = "w-full rounded-md bg-indigo-600 px-4 py-2 text-base font-semibold text-white shadow-sm hover:bg-indigo-700 focus:outline-none focus:ring-2 focus:ring-indigo-500 focus:ring-offset-2";
const LINK: &str = "font-medium text-indigo-700 hover:underline";

/// `/account/handoff`: the ticket as the signed-in device sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HandoffOfferView {
    /// Not opened yet: scan or open the link.
    Waiting {
        qr_svg: String,
        link: String,
        match_code: String,
    },
    /// Opened on `device` from `source`: confirm or refuse.
    Opened {
        match_code: String,
        device: String,
        source: String,
    },
    Confirmed {
        device: String,
        signed_in: bool,
    },
    Refused {
        device: String,
    },
    /// Expired, used, or never made here.
    Gone,
}

/// The match code, large, as both devices show it.
#[component]
fn MatchCode(t: Lang, code: String) -> impl IntoView {
    view! {
        <p class="my-4 text-center">
            <span class="block text-sm font-medium text-slate-600">{t.t("handoff-match-code")}</span>
            <span class="font-mono text-5xl font-bold tracking-widest text-slate-900" data-match-code="">{code}</span>
        </p>
    }
}

pub fn handoff_offer_page(chrome: &Chrome, page: &HandoffOfferView) -> String {
    let (chrome, page) = (chrome.clone(), page.clone());
    let csrf = chrome.csrf_token.clone();
    let t = chrome.lang;
    let new_code = {
        let csrf = csrf.clone();
        move |label: String| {
            view! {
                <form method="post" action=paths::ACCOUNT_HANDOFF class="mt-4">
                    <CsrfField token=csrf.clone()/>
                    <button type="submit" class=PRIMARY>{label}</button>
                </form>
            }
        }
    };
    let back = view! {
        <p class="mt-6 text-sm"><a href=paths::ACCOUNT class=LINK>{t.t("back-to-account")}</a></p>
    };
    let body = match page {
        HandoffOfferView::Waiting {
            qr_svg,
            link,
            match_code,
        } => view! {
            <p class="mb-4 text-sm text-slate-700">{t.t("handoff-scan")}</p>
            <div class="mb-4 flex justify-center rounded-md border border-slate-200 bg-white p-2" inner_html=qr_svg></div>
            <label for="handoff-link" class="block text-sm font-medium text-slate-700">{t.t("handoff-copy-link")}</label>
            <input id="handoff-link" type="text" readonly value=link.clone()
                class="mt-1 mb-2 block w-full rounded-md border border-slate-300 bg-slate-50 px-3 py-2 font-mono text-xs"/>
            <MatchCode t=t code=match_code/>
            <p class="text-sm text-slate-700">{t.t("handoff-same-number")}</p>
            {back}
        }
        .into_any(),
        HandoffOfferView::Opened {
            match_code,
            device,
            source,
        } => view! {
            <p class="mb-2 text-sm text-slate-700">{t.t("handoff-opened")}</p>
            <p class="text-lg font-semibold" data-handoff-device="">{device}</p>
            <p class="mb-2 text-sm text-slate-600">{t.tf("handoff-from", &[("source", source.into())])}</p>
            <MatchCode t=t code=match_code/>
            <p class="mb-4 text-sm text-slate-700">{t.t("handoff-only-yours")}</p>
            <form method="post" action=paths::ACCOUNT_HANDOFF_ANSWER class="space-y-3">
                <CsrfField token=csrf.clone()/>
                <button type="submit" name="answer" value="confirm" class=PRIMARY>{t.t("handoff-confirm")}</button>
                <button type="submit" name="answer" value="refuse" class=format!("w-full {OUTLINE_DANGER_BUTTON}")>{t.t("handoff-refuse")}</button>
            </form>
            {back}
        }
        .into_any(),
        HandoffOfferView::Confirmed { device, signed_in } => view! {
            <div class="mb-4 rounded-md border border-green-200 bg-green-50 px-4 py-3 text-sm text-green-800" role="status">
                {t.tf(if signed_in { "handoff-signed-in" } else { "handoff-signing-in" }, &[("device", device.into())])}
            </div>
            <p class="text-sm text-slate-700">
                {t.t("handoff-own-session")}" "
                <a href=paths::ACCOUNT_DEVICES class=LINK>{t.t("handoff-see-devices")}</a>
            </p>
            {back}
        }
        .into_any(),
        HandoffOfferView::Refused { device } => view! {
            <div class="mb-4 rounded-md border border-sky-200 bg-sky-50 px-4 py-3 text-sm text-sky-900" role="status">
                {t.tf("handoff-refused", &[("device", device.into())])}
            </div>
            <p class="text-sm text-slate-700">{around(
                &t.tf("handoff-refused-advice", &[("devices", HOLE.into())]),
                view! { <a href=paths::ACCOUNT_DEVICES class=LINK>{t.t("handoff-where-signed-in")}</a> },
            )}</p>
            {new_code(t.t("handoff-new-code"))}
            {back}
        }
        .into_any(),
        HandoffOfferView::Gone => view! {
            <div class="mb-4 rounded-md border border-sky-200 bg-sky-50 px-4 py-3 text-sm text-sky-900" role="status">
                {t.t("handoff-gone")}
            </div>
            <p class="text-sm text-slate-700">{t.t("handoff-gone-text")}</p>
            {new_code(t.t("handoff-new-code"))}
            {back}
        }
        .into_any(),
    };
    let title = t.t("handoff-continue");
    let body = view! { <Card title=title.clone()>{body}</Card> };
    document(&chrome, &title, body)
}

/// `/handoff/...`: the other device, before and after it asks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HandoffTargetView {
    /// The link opened: compare the code, then ask (the form carries the
    /// link's `token` on).
    Open {
        match_code: String,
        from: String,
        token: String,
    },
    /// Asked: waiting for the signed-in device's answer.
    Waiting { match_code: String, from: String },
}

pub fn handoff_target_page(chrome: &Chrome, page: &HandoffTargetView) -> String {
    let (chrome, page) = (chrome.clone(), page.clone());
    let csrf = chrome.csrf_token.clone();
    let t = chrome.lang;
    let (title, body) = match page {
        HandoffTargetView::Open {
            match_code,
            from,
            token,
        } => (
            t.t("handoff-target-title"),
            view! {
                <p class="mb-2 text-sm text-slate-700">
                    {t.tf("handoff-target-offer", &[("from", from.into())])}
                </p>
                <MatchCode t=t code=match_code/>
                <p class="mb-4 text-sm text-slate-700">{t.t("handoff-target-check")}</p>
                <form method="post" action=paths::HANDOFF_OPEN>
                    <CsrfField token=csrf/>
                    <input type="hidden" name="token" value=token/>
                    <button type="submit" class=PRIMARY>{t.t("handoff-target-continue")}</button>
                </form>
                <p class="mt-4 text-sm text-slate-600">{t.t("handoff-target-not-expecting")}</p>
            }
            .into_any(),
        ),
        HandoffTargetView::Waiting { match_code, from } => (
            t.t("handoff-wait-title"),
            view! {
                <p class="mb-2 text-sm text-slate-700" role="status">
                    {t.tf("handoff-wait-text", &[("from", from.into())])}
                </p>
                <MatchCode t=t code=match_code/>
                <p class="text-sm text-slate-600">{t.t("handoff-wait-updates")}</p>
                <p class="mt-6 text-sm"><a href=paths::SIGN_IN class=LINK>{t.t("handoff-password-instead")}</a></p>
            }
            .into_any(),
        ),
    };
    let body = view! { <Card title=title.clone()>{body}</Card> };
    document(&chrome, &title, body)
}

/// "1 minute", "15 minutes", in `lang`.
pub fn minutes_words(lang: Lang, minutes: u32) -> String {
    lang.tf("wait-minutes", &[("count", minutes.into())])
}

/// `/login/screen`: a shared screen signs in from a phone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScreenView {
    /// Before a code is asked for.
    Intro { minutes: u32 },
    /// The code to scan with a signed-in phone.
    Waiting {
        qr_svg: String,
        link: String,
        match_code: String,
        minutes: u32,
    },
    /// The code expired, or the phone said no.
    Ended { refused: bool },
}

pub fn screen_page(chrome: &Chrome, page: &ScreenView) -> String {
    let (chrome, page) = (chrome.clone(), page.clone());
    let csrf = chrome.csrf_token.clone();
    let t = chrome.lang;
    let ask = move |label: String| {
        view! {
            <form method="post" action=paths::SCREEN_SIGN_IN class="mt-4">
                <CsrfField token=csrf.clone()/>
                <button type="submit" class=PRIMARY>{label}</button>
            </form>
        }
    };
    let password = view! {
        <p class="mt-6 text-sm"><a href=paths::SIGN_IN class=LINK>{t.t("screen-password")}</a></p>
    };
    let body = match page {
        ScreenView::Intro { minutes } => view! {
            <p class="mb-2 text-sm text-slate-700">{t.t("screen-intro")}</p>
            <p class="text-sm text-slate-700">
                {t.tf("screen-stays", &[("minutes", minutes_words(t, minutes).into())])}
            </p>
            {ask(t.t("screen-show-code"))}
            {password}
        }
        .into_any(),
        ScreenView::Waiting {
            qr_svg,
            link,
            match_code,
            minutes,
        } => view! {
            <p class="mb-4 text-sm text-slate-700">{t.t("screen-scan")}</p>
            <div class="mb-4 flex justify-center rounded-md border border-slate-200 bg-white p-2" inner_html=qr_svg></div>
            <label for="screen-link" class="block text-sm font-medium text-slate-700">{t.t("screen-open-link")}</label>
            <input id="screen-link" type="text" readonly value=link.clone()
                class="mt-1 mb-2 block w-full rounded-md border border-slate-300 bg-slate-50 px-3 py-2 font-mono text-xs"/>
            <MatchCode t=t code=match_code/>
            <p class="text-sm text-slate-700">
                {t.tf("screen-same-number", &[("minutes", minutes_words(t, minutes).into())])}
            </p>
            {password}
        }
        .into_any(),
        ScreenView::Ended { refused } => view! {
            <div class="mb-4 rounded-md border border-sky-200 bg-sky-50 px-4 py-3 text-sm text-sky-900" role="status">
                {t.t(if refused { "screen-refused" } else { "screen-expired" })}
            </div>
            {ask(t.t("handoff-new-code"))}
            {password}
        }
        .into_any(),
    };
    let title = t.t("sign-in-with-phone");
    let body = view! { <Card title=title.clone()>{body}</Card> };
    document(&chrome, &title, body)
}

/// `/handoff/approve`: the signed-in phone answers a shared screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApproveView {
    pub match_code: String,
    /// "Chrome on Linux".
    pub screen: String,
    /// Its address, and where it is near.
    pub source: String,
    pub minutes: u32,
    /// The link's token, carried on by the form.
    pub token: String,
}

pub fn approve_page(chrome: &Chrome, page: &ApproveView) -> String {
    let (chrome, page) = (chrome.clone(), page.clone());
    let csrf = chrome.csrf_token.clone();
    let t = chrome.lang;
    let title = t.t("approve-title");
    let body = view! {
        <Card title=title.clone()>
            <p class="mb-2 text-sm text-slate-700">{t.t("approve-asks")}</p>
            <p class="text-lg font-semibold" data-handoff-device="">{page.screen.clone()}</p>
            <p class="mb-2 text-sm text-slate-600">{t.tf("handoff-from", &[("source", page.source.as_str().into())])}</p>
            <MatchCode t=t code=page.match_code.clone()/>
            <p class="mb-4 text-sm text-slate-700">
                {t.tf("approve-only", &[("minutes", minutes_words(t, page.minutes).into())])}
            </p>
            <form method="post" action=paths::HANDOFF_APPROVE class="space-y-3">
                <CsrfField token=csrf/>
                <input type="hidden" name="token" value=page.token.clone()/>
                <button type="submit" name="answer" value="confirm" class=PRIMARY>{t.t("approve-confirm")}</button>
                <button type="submit" name="answer" value="refuse" class=format!("w-full {OUTLINE_DANGER_BUTTON}")>{t.t("approve-refuse")}</button>
            </form>
        </Card>
    };
    document(&chrome, &title, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::chrome;

    #[test]
    fn the_offer_shows_code_link_and_qr_then_asks_about_the_device() {
        let waiting = handoff_offer_page(
            &chrome(),
            &HandoffOfferView::Waiting {
                qr_svg: "<svg id=\"qr\"></svg>".into(),
                link: "http://localhost/handoff/open?token=abc".into(),
                match_code: "47".into(),
            },
        );
        assert!(waiting.contains("<svg id=\"qr\"></svg>"));
        assert!(waiting.contains("value=\"http://localhost/handoff/open?token=abc\""));
        assert!(waiting.contains(">47</span>"));
        assert!(!waiting.contains("name=\"answer\""));
        let opened = handoff_offer_page(
            &chrome(),
            &HandoffOfferView::Opened {
                match_code: "47".into(),
                device: "Safari on <iPhone>".into(),
                source: "198.51.100.7".into(),
            },
        );
        assert!(opened.contains("Safari on &lt;iPhone&gt;"), "escaped");
        assert!(opened.contains("value=\"confirm\""));
        assert!(opened.contains("value=\"refuse\""));
        assert!(
            opened.contains("tok-123"),
            "the form carries its CSRF token"
        );
    }

    #[test]
    fn the_other_device_asks_then_waits() {
        let open = handoff_target_page(
            &chrome(),
            &HandoffTargetView::Open {
                match_code: "47".into(),
                from: "Chrome on macOS".into(),
                token: "abc".into(),
            },
        );
        assert!(open.contains("action=\"/handoff/open\""));
        assert!(open.contains("name=\"token\" value=\"abc\""));
        assert!(open.contains("Chrome on macOS offers"));
        let waiting = handoff_target_page(
            &chrome(),
            &HandoffTargetView::Waiting {
                match_code: "47".into(),
                from: "Chrome on macOS".into(),
            },
        );
        assert!(waiting.contains(">47</span>"));
        let main = &waiting[waiting.find("<main").unwrap()..waiting.find("</main>").unwrap()];
        assert!(!main.contains("<form"), "nothing to send while waiting");
    }

    #[test]
    fn a_screen_shows_its_code_and_the_phone_answers_for_it() {
        let waiting = screen_page(
            &chrome(),
            &ScreenView::Waiting {
                qr_svg: "<svg id=\"qr\"></svg>".into(),
                link: "http://localhost/handoff/approve?token=abc".into(),
                match_code: "31".into(),
                minutes: 15,
            },
        );
        assert!(waiting.contains("<svg id=\"qr\"></svg>"));
        assert!(waiting.contains("for 15 minutes"));
        assert_eq!(minutes_words(Lang::En, 1), "1 minute");
        assert_eq!(minutes_words(Lang::De, 15), "15 Minuten");
        let approve = approve_page(
            &chrome(),
            &ApproveView {
                match_code: "31".into(),
                screen: "Chrome on Linux".into(),
                source: "203.0.113.9".into(),
                minutes: 15,
                token: "abc".into(),
            },
        );
        assert!(approve.contains("name=\"token\" value=\"abc\""));
        assert!(approve.contains("value=\"confirm\""));
        assert!(approve.contains(">31</span>"));
    }
}
