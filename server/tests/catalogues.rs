//! The message catalogues (`app/locales/<language>/*.ftl`) against the code
//! that reads them: every key the code asks for exists in every language
//! that must have it, every key a catalogue holds is asked for somewhere,
//! and every translation fills in the same variables as the English.

use app::i18n::{AREAS, Lang, catalogue, variables};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The languages an area must be complete in.
fn required(customer_facing: bool) -> Vec<Lang> {
    if customer_facing {
        Lang::ALL.to_vec()
    } else {
        vec![Lang::En, Lang::De]
    }
}

fn sources() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    for dir in [root.join("src"), root.join("../app/src")] {
        walk(&dir, &mut found);
    }
    assert!(found.len() > 50, "the sources were not found");
    found
}

fn walk(dir: &Path, found: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).expect("source directory") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            walk(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).expect("source file");
            found.push((path.display().to_string(), text));
        }
    }
}

/// Keys the code asks for by `.t("key")` or `.tf("key", …)`.
fn asked_for(text: &str) -> Vec<String> {
    let mut keys = Vec::new();
    for call in [".t(\"", ".tf(\""] {
        for (at, _) in text.match_indices(call) {
            let rest = &text[at + call.len()..];
            if let Some(end) = rest.find('"') {
                keys.push(rest[..end].to_string());
            }
        }
    }
    keys
}

/// Every catalogue, by language: key → the area that defines it.
fn catalogues() -> BTreeMap<Lang, BTreeMap<String, &'static str>> {
    let mut all: BTreeMap<Lang, BTreeMap<String, &'static str>> = BTreeMap::new();
    for area in AREAS {
        for lang in Lang::ALL {
            let keys = match catalogue(lang, area.name) {
                Ok(keys) => keys,
                Err(problem) => panic!("{problem}"),
            };
            for key in keys {
                let earlier = all.entry(lang).or_default().insert(key.clone(), area.name);
                assert!(
                    earlier.is_none(),
                    "{}: {key} is defined twice ({} and {})",
                    lang.tag(),
                    earlier.unwrap_or_default(),
                    area.name
                );
            }
        }
    }
    all
}

#[test]
fn every_language_has_every_key_of_its_areas_and_no_other() {
    let all = catalogues();
    let english = &all[&Lang::En];
    let mut problems = Vec::new();
    for area in AREAS {
        let wanted: BTreeSet<&String> = english
            .iter()
            .filter(|(_, a)| **a == area.name)
            .map(|(k, _)| k)
            .collect();
        for lang in Lang::ALL {
            let has: BTreeSet<&String> = all[&lang]
                .iter()
                .filter(|(_, a)| **a == area.name)
                .map(|(k, _)| k)
                .collect();
            if required(area.customer_facing).contains(&lang) {
                for key in wanted.difference(&has) {
                    problems.push(format!("{}/{}.ftl lacks {key}", lang.tag(), area.name));
                }
            }
            for key in has.difference(&wanted) {
                problems.push(format!(
                    "{}/{}.ftl has {key}, which English does not",
                    lang.tag(),
                    area.name
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn every_key_asked_for_exists_and_every_key_held_is_asked_for() {
    let english = catalogues().remove(&Lang::En).unwrap_or_default();
    let sources = sources();
    let mut problems = Vec::new();
    for (file, text) in &sources {
        for key in asked_for(text) {
            if !english.contains_key(&key) {
                problems.push(format!("{file} asks for {key}, which no catalogue has"));
            }
        }
    }
    // A key counts as used where the code names it (a `.t("key")`, or a
    // table of keys such as the month names).
    for key in english.keys() {
        let quoted = format!("\"{key}\"");
        if !sources.iter().any(|(_, text)| text.contains(&quoted)) {
            problems.push(format!(
                "{key} is in the catalogues but no code asks for it"
            ));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn translations_fill_in_the_same_variables_as_english() {
    let all = catalogues();
    let mut problems = Vec::new();
    for key in all[&Lang::En].keys() {
        let english = variables(Lang::En, key);
        for lang in [Lang::De, Lang::Ar] {
            if !all[&lang].contains_key(key) {
                continue;
            }
            let theirs = variables(lang, key);
            if theirs != english {
                problems.push(format!(
                    "{}: {key} uses {theirs:?}, English {english:?}",
                    lang.tag()
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn the_checks_catch_what_they_look_for() {
    // The scanner finds both forms of a lookup and nothing else.
    let code = r#"t.t("sign-in-title"); t.tf("password-hint", &[]); x.to("no")"#;
    assert_eq!(asked_for(code), vec!["sign-in-title", "password-hint"]);
    // And the catalogues really differ per language.
    assert_ne!(Lang::De.t("sign-in-title"), Lang::En.t("sign-in-title"));
    assert_ne!(Lang::Ar.t("sign-in-title"), Lang::En.t("sign-in-title"));
}
