//! The time, in Unix seconds. Tests move it forward to expire tokens and
//! sessions without sleeping.

use std::sync::Arc;
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
