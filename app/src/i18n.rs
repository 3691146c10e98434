//! The words people read, per language: Project Fluent message catalogues
//! under `app/locales/<language>/`, compiled into the binary and parsed once.
//!
//! Every page, error and mail takes its words from here by key; a key
//! missing in one language falls back to English, and a test
//! (`server/tests/catalogues.rs`) fails when any key is missing or unused
//! in any language, so the fallback is a safety net, not a habit.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::borrow::Cow;
use std::sync::LazyLock;
use unic_langid::LanguageIdentifier;

/// A language Gatehouse speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Lang {
    #[default]
    En,
    De,
    Ar,
}

/// The catalogue files, by area. Customer-facing areas must be complete in
/// every language; the console's (to come) in English and German.
pub const AREAS: &[Area] = &[
    Area {
        name: "common",
        customer_facing: true,
    },
    Area {
        name: "sign-in",
        customer_facing: true,
    },
    Area {
        name: "mail",
        customer_facing: true,
    },
    Area {
        name: "account",
        customer_facing: true,
    },
    Area {
        name: "problems",
        customer_facing: true,
    },
    Area {
        name: "handoff",
        customer_facing: true,
    },
];

#[derive(Clone, Copy, Debug)]
pub struct Area {
    pub name: &'static str,
    /// Read by customers (so in every language, right-to-left included),
    /// rather than by operators in the console only.
    pub customer_facing: bool,
}

/// One file's text, embedded at build time.
macro_rules! catalogue {
    ($lang:literal) => {
        [
            (
                "common",
                include_str!(concat!("../locales/", $lang, "/common.ftl")),
            ),
            (
                "sign-in",
                include_str!(concat!("../locales/", $lang, "/sign-in.ftl")),
            ),
            (
                "mail",
                include_str!(concat!("../locales/", $lang, "/mail.ftl")),
            ),
            (
                "account",
                include_str!(concat!("../locales/", $lang, "/account.ftl")),
            ),
            (
                "problems",
                include_str!(concat!("../locales/", $lang, "/problems.ftl")),
            ),
            (
                "handoff",
                include_str!(concat!("../locales/", $lang, "/handoff.ftl")),
            ),
        ]
    };
}

const SOURCES: [(Lang, [(&str, &str); 6]); 3] = [
    (Lang::En, catalogue!("en")),
    (Lang::De, catalogue!("de")),
    (Lang::Ar, catalogue!("ar")),
];

type Bundle = FluentBundle<FluentResource>;

static BUNDLES: LazyLock<[Bundle; 3]> = LazyLock::new(|| Lang::ALL.map(build));

fn build(lang: Lang) -> Bundle {
    let mut bundle = Bundle::new_concurrent(vec![lang.id()]);
    // Isolation marks keep an email or a name written left to right whole
    // inside Arabic text; in left-to-right languages they only get in the way
    // of copying.
    bundle.set_use_isolating(lang.rtl());
    bundle.set_formatter(Some(match lang {
        Lang::En => number_en,
        Lang::De => number_de,
        Lang::Ar => number_ar,
    }));
    for (_, text) in sources(lang) {
        // A file that does not parse is a build mistake the catalogue test
        // reports by name; what parsed is still served.
        let resource = FluentResource::try_new(text.to_string()).unwrap_or_else(|(r, _)| r);
        let _ = bundle.add_resource(resource);
    }
    bundle
}

fn sources(lang: Lang) -> [(&'static str, &'static str); 6] {
    SOURCES
        .iter()
        .find(|(l, _)| *l == lang)
        .map(|(_, s)| *s)
        .unwrap_or(SOURCES[0].1)
}

/// A value put into a message: text, or a number formatted for the language.
#[derive(Clone, Debug)]
pub enum Arg<'a> {
    Text(Cow<'a, str>),
    Number(i64),
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(s: &'a str) -> Self {
        Arg::Text(Cow::Borrowed(s))
    }
}
impl From<String> for Arg<'_> {
    fn from(s: String) -> Self {
        Arg::Text(Cow::Owned(s))
    }
}
impl<'a> From<&'a String> for Arg<'a> {
    fn from(s: &'a String) -> Self {
        Arg::Text(Cow::Borrowed(s.as_str()))
    }
}
impl From<i64> for Arg<'_> {
    fn from(n: i64) -> Self {
        Arg::Number(n)
    }
}
impl From<usize> for Arg<'_> {
    fn from(n: usize) -> Self {
        Arg::Number(i64::try_from(n).unwrap_or(i64::MAX))
    }
}
impl From<u32> for Arg<'_> {
    fn from(n: u32) -> Self {
        Arg::Number(n.into())
    }
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::En, Lang::De, Lang::Ar];

    /// The BCP 47 tag, as `<html lang>` and `ui_locales` write it.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::De => "de",
            Lang::Ar => "ar",
        }
    }

    /// The language's own name, as a language menu lists it.
    pub fn own_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::De => "Deutsch",
            Lang::Ar => "العربية",
        }
    }

    pub fn rtl(self) -> bool {
        self == Lang::Ar
    }

    /// `<html dir>`.
    pub fn dir(self) -> &'static str {
        if self.rtl() { "rtl" } else { "ltr" }
    }

    fn id(self) -> LanguageIdentifier {
        self.tag().parse().unwrap_or_default()
    }

    fn index(self) -> usize {
        self as usize
    }

    /// The language a tag names exactly ("de"), if Gatehouse speaks it.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        Lang::ALL
            .into_iter()
            .find(|l| l.tag().eq_ignore_ascii_case(tag.trim()))
    }

    /// The best language for a list of wishes in order of preference
    /// (`ui_locales`' space-separated tags, or an `Accept-Language` header):
    /// "de-AT" is served German, "pt" nothing.
    pub fn negotiate(requested: &[LanguageIdentifier]) -> Option<Lang> {
        let available: Vec<LanguageIdentifier> = Lang::ALL.iter().map(|l| l.id()).collect();
        let chosen = fluent_langneg::negotiate_languages(
            requested,
            &available,
            None,
            fluent_langneg::NegotiationStrategy::Lookup,
        );
        chosen
            .first()
            .and_then(|id| Lang::from_tag(id.language.as_str()))
    }

    /// The best language for space-separated tags (`ui_locales`).
    pub fn from_ui_locales(tags: &str) -> Option<Lang> {
        let requested: Vec<LanguageIdentifier> = tags
            .split_whitespace()
            .filter_map(|t| t.parse().ok())
            .collect();
        Lang::negotiate(&requested)
    }

    /// The best language for an `Accept-Language` header, by its weights.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        Lang::negotiate(&fluent_langneg::accepted_languages::parse(header))
    }

    /// The message `key`, in this language (English where it has none).
    pub fn t(self, key: &str) -> String {
        self.format(key, None)
    }

    /// The message `key` with its arguments filled in.
    pub fn tf<'a>(self, key: &str, args: &[(&str, Arg<'a>)]) -> String {
        let mut fluent = FluentArgs::new();
        for (name, value) in args {
            match value {
                Arg::Text(text) => fluent.set(*name, FluentValue::from(text.to_string())),
                Arg::Number(n) => fluent.set(*name, FluentValue::from(*n)),
            }
        }
        self.format(key, Some(&fluent))
    }

    fn format(self, key: &str, args: Option<&FluentArgs>) -> String {
        for lang in [self, Lang::En] {
            let bundle = &BUNDLES[lang.index()];
            if let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) {
                let mut errors = Vec::new();
                return bundle
                    .format_pattern(pattern, args, &mut errors)
                    .into_owned();
            }
        }
        key.to_string()
    }

    /// A whole number with the language's digits and grouping: "12,345",
    /// "12.345", "١٢٬٣٤٥".
    pub fn number(self, n: i64) -> String {
        let digits = n.unsigned_abs().to_string();
        let separator = match self {
            Lang::En => ',',
            Lang::De => '.',
            Lang::Ar => '\u{066C}',
        };
        let mut grouped = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push(separator);
            }
            grouped.push(c);
        }
        let sign = if n < 0 { "-" } else { "" };
        self.digits(&format!("{sign}{grouped}"))
    }

    /// Writes ASCII digits in the language's own (Arabic-Indic for Arabic).
    pub fn digits(self, text: &str) -> String {
        match self {
            Lang::Ar => text
                .chars()
                .map(|c| match c.to_digit(10) {
                    Some(d) => char::from_u32(0x0660 + d).unwrap_or(c),
                    None => c,
                })
                .collect(),
            _ => text.to_string(),
        }
    }

    /// A moment as tables show it, in UTC: "7 Dec 2026, 10:05 UTC",
    /// "7. Dez. 2026, 10:05 UTC".
    pub fn date_time(self, year: i32, month: u8, day: u8, hour: u8, minute: u8) -> String {
        let time = self.digits(&format!("{hour:02}:{minute:02}"));
        self.tf(
            "date-time",
            &[
                ("date", self.date(year, month, day).into()),
                ("time", time.into()),
            ],
        )
    }

    /// A day as pages show it: "7 Dec 2026".
    pub fn date(self, year: i32, month: u8, day: u8) -> String {
        self.tf(
            "date",
            &[
                ("day", self.digits(&day.to_string()).into()),
                (
                    "month",
                    self.t(MONTHS[usize::from(month.clamp(1, 12)) - 1]).into(),
                ),
                ("year", self.digits(&year.to_string()).into()),
            ],
        )
    }
}

/// Month names by key, so the catalogue test sees every one used.
const MONTHS: [&str; 12] = [
    "month-1", "month-2", "month-3", "month-4", "month-5", "month-6", "month-7", "month-8",
    "month-9", "month-10", "month-11", "month-12",
];

// Numbers placed in messages ("{ $count }") get the language's grouping.
fn number_with(lang: Lang, value: &FluentValue) -> Option<String> {
    match value {
        FluentValue::Number(n) if n.value.fract() == 0.0 && n.value.abs() < 1e15 => {
            Some(lang.number(n.value as i64))
        }
        _ => None,
    }
}
fn number_en<M>(value: &FluentValue, _: &M) -> Option<String> {
    number_with(Lang::En, value)
}
fn number_de<M>(value: &FluentValue, _: &M) -> Option<String> {
    number_with(Lang::De, value)
}
fn number_ar<M>(value: &FluentValue, _: &M) -> Option<String> {
    number_with(Lang::Ar, value)
}

/// Passed as a message's argument where a page puts a view of its own
/// instead (see `components::around`): a character no text contains.
pub const HOLE: &str = "\u{0}";

/// Words from inside a sentence made to stand alone, as a table cell:
/// "password" becomes "Password" (a German noun is capitalised already).
pub fn sentence_case(words: &str) -> String {
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Every message key of one catalogue file, and the problems its text has
/// (parse errors, a key defined twice): what the catalogue test checks.
pub fn catalogue(lang: Lang, area: &str) -> Result<Vec<String>, String> {
    let text = sources(lang)
        .into_iter()
        .find(|(name, _)| *name == area)
        .map(|(_, text)| text)
        .ok_or_else(|| format!("no {area}.ftl for {}", lang.tag()))?;
    let resource = FluentResource::try_new(text.to_string())
        .map_err(|(_, errors)| format!("{}/{area}.ftl does not parse: {errors:?}", lang.tag()))?;
    let mut keys = Vec::new();
    for entry in resource.entries() {
        if let fluent_syntax::ast::Entry::Message(message) = entry {
            keys.push(message.id.name.to_string());
        }
    }
    Ok(keys)
}

/// The variables (`$name`) one message uses, so every language can be
/// checked to fill in the same ones.
pub fn variables(lang: Lang, key: &str) -> Vec<String> {
    let bundle = &BUNDLES[lang.index()];
    let mut found = Vec::new();
    if let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) {
        collect_variables(pattern, &mut found);
    }
    found.sort();
    found.dedup();
    found
}

fn collect_variables(pattern: &fluent_syntax::ast::Pattern<&str>, found: &mut Vec<String>) {
    use fluent_syntax::ast::{Expression, InlineExpression, PatternElement};
    for element in &pattern.elements {
        let PatternElement::Placeable { expression } = element else {
            continue;
        };
        let inline = match expression {
            Expression::Inline(inline) => inline,
            Expression::Select { selector, variants } => {
                for variant in variants {
                    collect_variables(&variant.value, found);
                }
                selector
            }
        };
        if let InlineExpression::VariableReference { id } = inline {
            found.push(id.name.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_follows_the_order_of_wishes_and_falls_back_to_none() {
        assert_eq!(
            Lang::from_accept_language("de-AT,de;q=0.9,en;q=0.5"),
            Some(Lang::De)
        );
        assert_eq!(
            Lang::from_accept_language("fr-FR, ar;q=0.7, en;q=0.3"),
            Some(Lang::Ar)
        );
        assert_eq!(Lang::from_accept_language("fr, pt"), None);
        assert_eq!(Lang::from_ui_locales("pt-BR de en"), Some(Lang::De));
        assert_eq!(Lang::from_ui_locales(""), None);
    }

    #[test]
    fn numbers_and_dates_follow_the_language() {
        assert_eq!(Lang::En.number(1_234_567), "1,234,567");
        assert_eq!(Lang::De.number(1_234_567), "1.234.567");
        assert_eq!(Lang::Ar.number(12_345), "١٢٬٣٤٥");
        assert_eq!(Lang::En.number(-999), "-999");
        assert_ne!(Lang::En.date(2026, 12, 7), Lang::De.date(2026, 12, 7));
        assert!(Lang::Ar.date(2026, 12, 7).contains("٢٠٢٦"));
    }

    #[test]
    fn a_missing_key_falls_back_to_english_then_to_the_key() {
        let unknown = String::from("no-such-key");
        assert_eq!(Lang::De.t(&unknown), unknown);
        assert_ne!(Lang::De.t("sign-out"), Lang::En.t("sign-out"));
    }
}
