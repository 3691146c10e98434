//! Passwords people actually use: a list of the most common passwords
//! (those of 8 characters or more of the 20,000 that Django ships, compiled
//! by Royce Williams from breach corpora), built into the binary, plus any
//! file the operator names. Checked at sign-up, reset and change, whatever
//! zxcvbn estimates, because attackers try exactly these first.

use std::collections::HashSet;
use std::path::Path;

const BUILT_IN: &str = include_str!("../../data/common-passwords.txt");

pub struct CommonPasswords(HashSet<Box<str>>);

impl CommonPasswords {
    /// The built-in list, plus one password per line of `extra`.
    pub fn load(extra: Option<&Path>) -> std::io::Result<Self> {
        let extra = match extra {
            Some(path) => std::fs::read_to_string(path)?,
            None => String::new(),
        };
        let list = BUILT_IN
            .lines()
            .chain(extra.lines())
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| p.to_lowercase().into_boxed_str())
            .collect();
        Ok(Self(list))
    }

    /// Whether the password is on the list, ignoring case (a capital first
    /// letter is the first variation attackers try).
    pub fn contains(&self, password: &str) -> bool {
        self.0.contains(password.trim().to_lowercase().as_str())
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Thousands of entries: shown by their number.
impl std::fmt::Debug for CommonPasswords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CommonPasswords({} entries)", self.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_holds_common_passwords_and_an_operator_file_adds_more() {
        let built_in = CommonPasswords::load(None).unwrap();
        assert!(built_in.len() > 8000);
        assert!(built_in.contains("password1"));
        assert!(built_in.contains("Iloveyou1"));
        assert!(!built_in.contains("vivid-otter-maple-42"));
        let mut file = tempfile::NamedTempFile::new().unwrap();
        std::io::Write::write_all(&mut file, b"AcmeCorp2026!\n\n").unwrap();
        let both = CommonPasswords::load(Some(file.path())).unwrap();
        assert!(both.contains("acmecorp2026!"));
        assert_eq!(both.len(), built_in.len() + 1);
        assert!(CommonPasswords::load(Some(Path::new("/nonexistent/list"))).is_err());
    }
}
