//! A customer search as the console list, its download, bulk tier changes
//! (and later the API) ask for it, and where a page of it ended. The store
//! turns it into SQL; `directory::search` reads it from a form.

use super::{AttributeId, Email, TierId, cursor};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum CustomerQuery {
    /// Everyone.
    All,
    /// Addresses equal to or beginning with this (normalised) text, listed
    /// by address whatever the sort (the email index gives that order).
    EmailPrefix(String),
    /// One word: names containing this text (at least 3 characters, the
    /// shortest a trigram index can look up), any case. Several words
    /// (`name_words` finds two or more): names having each of them as a
    /// whole word (the last as far as it is typed), in any order, any case,
    /// accents folded ("tanaka zo" finds Zoë Tanaka).
    NameContains(String),
    Id(Uuid),
}

/// The words a name is searched by: split at anything that is not a
/// letter or digit, lower-cased, accents folded (decomposed, the combining
/// diacritical marks of Latin, Greek and Cyrillic letters dropped: "Zoë" and
/// "ZOE" are both "zoe"), in order, repeats kept. Other marks stay: a kana's
/// voicing mark changes the sound, not an accent.
pub fn name_words(text: &str) -> Vec<String> {
    use unicode_normalization::{UnicodeNormalization, char::is_combining_mark};
    let folded: String = text
        .nfkd()
        .filter(|c| !('\u{300}'..='\u{36f}').contains(c))
        .flat_map(char::to_lowercase)
        .collect();
    folded
        .split(|c: char| !c.is_alphanumeric() && !is_combining_mark(c))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// A name as the word index keeps it beside each word: its words with a
/// space before and after each, so `LIKE '% word %'` finds a whole word.
pub fn name_key(words: &[String]) -> String {
    format!(" {} ", words.join(" "))
}

/// How many customers a search finds, as far as it is cheap to know.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum MatchCount {
    Exactly(i64),
    /// Estimated from a sample.
    About(i64),
    /// Counted up to a bound and stopped there.
    MoreThan(i64),
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum StatusFilter {
    Any,
    /// Not disabled.
    Active,
    Disabled,
    Verified,
    Unverified,
}

impl StatusFilter {
    /// As a form names it; empty means any.
    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "" | "all" => Self::Any,
            "active" => Self::Active,
            "disabled" => Self::Disabled,
            "verified" => Self::Verified,
            "unverified" => Self::Unverified,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Any => "all",
            Self::Active => "active",
            Self::Disabled => "disabled",
            Self::Verified => "verified",
            Self::Unverified => "unverified",
        }
    }
}

#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Sort {
    /// Newest customers first.
    #[default]
    Created,
    /// Most recent sign-in first; customers who never signed in last.
    LastSignIn,
}

impl Sort {
    /// As a form names it; empty means the default.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "" | "created" => Some(Self::Created),
            "last_sign_in" => Some(Self::LastSignIn),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::LastSignIn => "last_sign_in",
        }
    }
}

/// What the console asks for: a query, filters and an order.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CustomerSearch {
    pub query: CustomerQuery,
    pub status: StatusFilter,
    /// Created at or after this Unix time.
    pub created_from: Option<i64>,
    /// Created before this Unix time.
    pub created_before: Option<i64>,
    pub tier: Option<TierId>,
    /// A searchable attribute's value, matched whole and in any case.
    /// (Absent from bulk jobs stored before attributes existed.)
    #[serde(default)]
    pub attribute: Option<(AttributeId, String)>,
    pub sort: Sort,
}

impl CustomerSearch {
    pub fn all() -> Self {
        Self {
            query: CustomerQuery::All,
            status: StatusFilter::Any,
            created_from: None,
            created_before: None,
            tier: None,
            attribute: None,
            sort: Sort::Created,
        }
    }

    /// Everyone, unfiltered: the only search whose total can be estimated cheaply.
    pub fn is_everyone(&self) -> bool {
        self.query == CustomerQuery::All
            && self.status == StatusFilter::Any
            && self.created_from.is_none()
            && self.created_before.is_none()
            && self.tier.is_none()
            && self.attribute.is_none()
    }
}

/// Where the previous page ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cursor {
    Created {
        created_at: i64,
        id: Uuid,
    },
    /// `at` is 0 for customers who never signed in, as in the index.
    LastSignIn {
        at: i64,
        id: Uuid,
    },
    Email(String),
}

impl Cursor {
    /// The cursor as a page link (or a bulk job's progress) carries it.
    pub fn encode(&self) -> String {
        match self {
            Self::Created { created_at, id } => cursor::encode("c", &[created_at, id]),
            Self::LastSignIn { at, id } => cursor::encode("l", &[at, id]),
            Self::Email(email) => cursor::encode("e", &[email]),
        }
    }

    /// `None` for anything `encode` did not produce.
    pub fn decode(encoded: &str) -> Option<Cursor> {
        if let Some([created, id]) = cursor::decode(encoded, "c") {
            return Some(Self::Created {
                created_at: created.parse().ok()?,
                id: Uuid::parse_str(&id).ok()?,
            });
        }
        if let Some([at, id]) = cursor::decode(encoded, "l") {
            return Some(Self::LastSignIn {
                at: at.parse().ok()?,
                id: Uuid::parse_str(&id).ok()?,
            });
        }
        let [email] = cursor::decode(encoded, "e")?;
        Email::parse(&email)
            .ok()
            .map(|e| Self::Email(e.as_str().to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    #[test]
    fn cursors_round_trip_and_garbage_is_rejected() {
        let c = Cursor::Created {
            created_at: 1_700_000_000,
            id: Uuid::now_v7(),
        };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
        let l = Cursor::LastSignIn {
            at: 0,
            id: Uuid::now_v7(),
        };
        assert_eq!(Cursor::decode(&l.encode()), Some(l));
        let e = Cursor::Email("ada@example.com".into());
        assert_eq!(Cursor::decode(&e.encode()), Some(e));
        for bad in [
            "",
            "!!!",
            "Yw",
            "eC4xLnk",
            &URL_SAFE_NO_PAD.encode("c.notanumber.x"),
        ] {
            assert_eq!(Cursor::decode(bad), None, "{bad}");
        }
        // As the previous release wrote it into bulk jobs' progress.
        let id = Uuid::now_v7();
        assert_eq!(
            Cursor::decode(&URL_SAFE_NO_PAD.encode(format!("c.1700000000.{id}"))),
            Some(Cursor::Created {
                created_at: 1_700_000_000,
                id
            })
        );
    }

    #[test]
    fn names_are_searched_by_folded_words() {
        assert_eq!(name_words("Zoë  TANAKA"), ["zoe", "tanaka"]);
        assert_eq!(
            name_words("O'Brien-Müller, Ana"),
            ["o", "brien", "muller", "ana"]
        );
        assert_eq!(name_words("Ｆｕｌｌ width ﬁ"), ["full", "width", "fi"]);
        assert_eq!(name_words("田中 さくら"), ["田中", "さくら"]);
        assert_ne!(name_words("ぐ"), name_words("く"));
        assert!(name_words(" -- ").is_empty());
        assert_eq!(name_key(&name_words("Zoë Tanaka")), " zoe tanaka ");
    }

    #[test]
    fn searches_stored_before_attributes_existed_still_read() {
        // A bulk tier job's search, as stored by the previous release.
        let stored = r#"{"query":"All","status":"Active","created_from":null,"created_before":null,"tier":null,"sort":"Created"}"#;
        let search: CustomerSearch = serde_json::from_str(stored).unwrap();
        assert_eq!(search.attribute, None);
        assert_eq!(search.status, StatusFilter::Active);
        let mut with = search.clone();
        with.attribute = Some((AttributeId(Uuid::now_v7()), "gb".into()));
        let json = serde_json::to_string(&with).unwrap();
        assert_eq!(serde_json::from_str::<CustomerSearch>(&json).unwrap(), with);
    }
}
