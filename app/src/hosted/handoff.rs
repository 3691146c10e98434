//! Continuing on another device: the signed-in device's page (a QR code,
//! a link and a match code, then who opened it and the answer) and the
//! other device's pages (the same match code, then waiting for that
//! answer). Both work without script: the waiting pages ask the browser
//! to load them again every few seconds.

use crate::components::{Card, CsrfField, OUTLINE_DANGER_BUTTON};
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
fn MatchCode(code: String) -> impl IntoView {
    view! {
        <p class="my-4 text-center">
            <span class="block text-sm font-medium text-slate-600">"Match code"</span>
            <span class="font-mono text-5xl font-bold tracking-widest text-slate-900" data-match-code="">{code}</span>
        </p>
    }
}

pub fn handoff_offer_page(chrome: &Chrome, page: &HandoffOfferView) -> String {
    let (chrome, page) = (chrome.clone(), page.clone());
    let csrf = chrome.csrf_token.clone();
    let new_code = {
        let csrf = csrf.clone();
        move |label: &'static str| {
            view! {
                <form method="post" action=paths::ACCOUNT_HANDOFF class="mt-4">
                    <CsrfField token=csrf.clone()/>
                    <button type="submit" class=PRIMARY>{label}</button>
                </form>
            }
        }
    };
    let back = view! {
        <p class="mt-6 text-sm"><a href=paths::ACCOUNT class=LINK>"Back to your account"</a></p>
    };
    let body = match page {
        HandoffOfferView::Waiting {
            qr_svg,
            link,
            match_code,
        } => view! {
            <p class="mb-4 text-sm text-slate-700">
                "Scan this code with the camera of your phone or tablet, or open the link on it. You stay signed in here."
            </p>
            <div class="mb-4 flex justify-center rounded-md border border-slate-200 bg-white p-2" inner_html=qr_svg></div>
            <label for="handoff-link" class="block text-sm font-medium text-slate-700">"Or copy this link"</label>
            <input id="handoff-link" type="text" readonly value=link.clone()
                class="mt-1 mb-2 block w-full rounded-md border border-slate-300 bg-slate-50 px-3 py-2 font-mono text-xs"/>
            <MatchCode code=match_code/>
            <p class="text-sm text-slate-700">
                "The other device will show the same number. The code works once and expires in a minute; this page updates by itself."
            </p>
            {back}
        }
        .into_any(),
        HandoffOfferView::Opened {
            match_code,
            device,
            source,
        } => view! {
            <p class="mb-2 text-sm text-slate-700">"A device opened your link and asks to continue as you:"</p>
            <p class="text-lg font-semibold" data-handoff-device="">{device}</p>
            <p class="mb-2 text-sm text-slate-600">{format!("From {source}")}</p>
            <MatchCode code=match_code/>
            <p class="mb-4 text-sm text-slate-700">
                "Continue only if it is your own device, in front of you, showing this number. Nobody from support will ever ask you to do this."
            </p>
            <form method="post" action=paths::ACCOUNT_HANDOFF_ANSWER class="space-y-3">
                <CsrfField token=csrf.clone()/>
                <button type="submit" name="answer" value="confirm" class=PRIMARY>"Yes, continue on that device"</button>
                <button type="submit" name="answer" value="refuse" class=format!("w-full {OUTLINE_DANGER_BUTTON}")>"No, this is not my device"</button>
            </form>
            {back}
        }
        .into_any(),
        HandoffOfferView::Confirmed { device, signed_in } => view! {
            <div class="mb-4 rounded-md border border-green-200 bg-green-50 px-4 py-3 text-sm text-green-800" role="status">
                {if signed_in {
                    format!("{device} is signed in. Carry on there.")
                } else {
                    format!("Confirmed. {device} is signing in now; carry on there.")
                }}
            </div>
            <p class="text-sm text-slate-700">
                "It has a session of its own: signing out there leaves you signed in here. "
                <a href=paths::ACCOUNT_DEVICES class=LINK>"See all your devices"</a>"."
            </p>
            {back}
        }
        .into_any(),
        HandoffOfferView::Refused { device } => view! {
            <div class="mb-4 rounded-md border border-sky-200 bg-sky-50 px-4 py-3 text-sm text-sky-900" role="status">
                {format!("Refused. {device} was not signed in.")}
            </div>
            <p class="text-sm text-slate-700">
                "If you did not open the link yourself, someone may have seen your screen. Check "
                <a href=paths::ACCOUNT_DEVICES class=LINK>"where you are signed in"</a>
                " and sign out any device you do not recognise."
            </p>
            {new_code("Show a new code")}
            {back}
        }
        .into_any(),
        HandoffOfferView::Gone => view! {
            <div class="mb-4 rounded-md border border-sky-200 bg-sky-50 px-4 py-3 text-sm text-sky-900" role="status">
                "This code has expired or was already used."
            </div>
            <p class="text-sm text-slate-700">"A code lasts a minute and works once. Get a new one to continue on another device."</p>
            {new_code("Show a new code")}
            {back}
        }
        .into_any(),
    };
    let body = view! { <Card title="Continue on another device".to_string()>{body}</Card> };
    document(&chrome, "Continue on another device", body)
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
    let (title, body) = match page {
        HandoffTargetView::Open {
            match_code,
            from,
            token,
        } => (
            "Continue on this device?",
            view! {
                <p class="mb-2 text-sm text-slate-700">
                    {format!("{from} offers to continue its signed-in session on this device.")}
                </p>
                <MatchCode code=match_code/>
                <p class="mb-4 text-sm text-slate-700">
                    "Check that the other device shows the same number. You will confirm there; this device then signs in with a session of its own."
                </p>
                <form method="post" action=paths::HANDOFF_OPEN>
                    <CsrfField token=csrf/>
                    <input type="hidden" name="token" value=token/>
                    <button type="submit" class=PRIMARY>"Continue on this device"</button>
                </form>
                <p class="mt-4 text-sm text-slate-600">"Not expecting this? Close this page: nothing happens."</p>
            }
            .into_any(),
        ),
        HandoffTargetView::Waiting { match_code, from } => (
            "Confirm on your other device",
            view! {
                <p class="mb-2 text-sm text-slate-700" role="status">
                    {format!("On {from}, check the number and choose “Yes, continue on that device”.")}
                </p>
                <MatchCode code=match_code/>
                <p class="text-sm text-slate-600">"This page updates by itself and signs you in once you confirm."</p>
                <p class="mt-6 text-sm"><a href=paths::SIGN_IN class=LINK>"Sign in with your password instead"</a></p>
            }
            .into_any(),
        ),
    };
    let body = view! { <Card title=title.to_string()>{body}</Card> };
    document(&chrome, title, body)
}

/// "1 minute", "15 minutes".
pub fn minutes_words(minutes: u32) -> String {
    match minutes {
        1 => "1 minute".into(),
        n => format!("{n} minutes"),
    }
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
    let ask = move |label: &'static str| {
        view! {
            <form method="post" action=paths::SCREEN_SIGN_IN class="mt-4">
                <CsrfField token=csrf.clone()/>
                <button type="submit" class=PRIMARY>{label}</button>
            </form>
        }
    };
    let password = view! {
        <p class="mt-6 text-sm"><a href=paths::SIGN_IN class=LINK>"Sign in with a password instead"</a></p>
    };
    let body = match page {
        ScreenView::Intro { minutes } => view! {
            <p class="mb-2 text-sm text-slate-700">
                "On a shared screen — a kiosk, a TV, a friend's computer — sign in with the phone you are already signed in on, without typing your password here."
            </p>
            <p class="text-sm text-slate-700">
                {format!("This screen stays signed in for {}, then signs itself out.", minutes_words(minutes))}
            </p>
            {ask("Show a code to scan")}
            {password}
        }
        .into_any(),
        ScreenView::Waiting {
            qr_svg,
            link,
            match_code,
            minutes,
        } => view! {
            <p class="mb-4 text-sm text-slate-700">
                "Scan this code with the camera of a phone where you are signed in, and answer there."
            </p>
            <div class="mb-4 flex justify-center rounded-md border border-slate-200 bg-white p-2" inner_html=qr_svg></div>
            <label for="screen-link" class="block text-sm font-medium text-slate-700">"Or open this link on the phone"</label>
            <input id="screen-link" type="text" readonly value=link.clone()
                class="mt-1 mb-2 block w-full rounded-md border border-slate-300 bg-slate-50 px-3 py-2 font-mono text-xs"/>
            <MatchCode code=match_code/>
            <p class="text-sm text-slate-700">
                {format!("Your phone shows the same number. Once you say yes there, this screen signs in for {}; this page updates by itself.", minutes_words(minutes))}
            </p>
            {password}
        }
        .into_any(),
        ScreenView::Ended { refused } => view! {
            <div class="mb-4 rounded-md border border-sky-200 bg-sky-50 px-4 py-3 text-sm text-sky-900" role="status">
                {if refused { "The phone said no: this screen was not signed in." } else { "That code has expired." }}
            </div>
            {ask("Show a new code")}
            {password}
        }
        .into_any(),
    };
    let body = view! { <Card title="Sign in with your phone".to_string()>{body}</Card> };
    document(&chrome, "Sign in with your phone", body)
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
    let body = view! {
        <Card title="Sign in a shared screen?".to_string()>
            <p class="mb-2 text-sm text-slate-700">"A screen asks to be signed in as you:"</p>
            <p class="text-lg font-semibold" data-handoff-device="">{page.screen.clone()}</p>
            <p class="mb-2 text-sm text-slate-600">{format!("From {}", page.source)}</p>
            <MatchCode code=page.match_code.clone()/>
            <p class="mb-4 text-sm text-slate-700">
                {format!("Say yes only if that screen is in front of you and shows this number. It stays signed in for {}, then signs itself out; you can sign it out sooner from your devices.", minutes_words(page.minutes))}
            </p>
            <form method="post" action=paths::HANDOFF_APPROVE class="space-y-3">
                <CsrfField token=csrf/>
                <input type="hidden" name="token" value=page.token.clone()/>
                <button type="submit" name="answer" value="confirm" class=PRIMARY>"Yes, sign in that screen"</button>
                <button type="submit" name="answer" value="refuse" class=format!("w-full {OUTLINE_DANGER_BUTTON}")>"No, this is not my screen"</button>
            </form>
        </Card>
    };
    document(&chrome, "Sign in a shared screen?", body)
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
        assert_eq!(minutes_words(1), "1 minute");
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
