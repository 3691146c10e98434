//! The time, in Unix seconds. Tests move it forward to expire tokens and
//! sessions without sleeping.

use std::sync::Arc;

/// Seconds in a day.
pub const DAY: i64 = 24 * 3600;

/// A day as typed in a date field (YYYY-MM-DD), as the Unix time it starts
/// (UTC); `None` when empty, `Err` when it is no such day.
pub fn day_start(raw: &str) -> Result<Option<i64>, time::error::Parse> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(raw, &format).map(|d| Some(d.midnight().assume_utc().unix_timestamp()))
}
use std::sync::atomic::{AtomicI64, Ordering};

#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset: Option<Arc<AtomicI64>>,
}

impl Clock {
    pub fn system() -> Self {
        Self { offset: None }
    }

    /// A clock that starts at the real time and can be advanced.
    pub fn adjustable() -> Self {
        Self {
            offset: Some(Arc::new(AtomicI64::new(0))),
        }
    }

    pub fn now(&self) -> i64 {
        let real = time::OffsetDateTime::now_utc().unix_timestamp();
        real + self
            .offset
            .as_ref()
            .map_or(0, |o| o.load(Ordering::Relaxed))
    }

    pub fn advance(&self, seconds: i64) {
        self.offset
            .as_ref()
            .expect("only an adjustable clock can be advanced")
            .fetch_add(seconds, Ordering::Relaxed);
    }
}
