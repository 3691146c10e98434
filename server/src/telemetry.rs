//! Logging through `tracing`: readable lines, or JSON for log collectors.
//! Handlers and capabilities log identifiers, never emails, passwords or tokens.
//!
//! A flood of failures must not flood the log (a minute of wrong client
//! secrets once wrote 1.2 GB): each place that logs may write `BURST` lines a
//! second, the rest are counted, and the count is logged once a minute.

use crate::config::LogFormat;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};
use tracing::callsite::Identifier;
use tracing::{Event, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;

/// Lines one place in the code may log per second.
const BURST: u32 = 50;

pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_env("GATEHOUSE_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_sessions=warn,lettre=warn"));
    let registry = tracing_subscriber::registry()
        .with(filter)
        .with(Repeats::default());
    let lines = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    match format {
        LogFormat::Text => registry.with(lines).init(),
        LogFormat::Json => registry.with(lines.json().flatten_event(true)).init(),
    }
}

/// Logs, once a minute, how many lines were held back; runs until the
/// process ends.
pub async fn report_suppressed() {
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    tick.tick().await;
    loop {
        tick.tick().await;
        let suppressed = SUPPRESSED.swap(0, Ordering::Relaxed);
        if suppressed > 0 {
            tracing::warn!(
                suppressed,
                per_second = BURST,
                "log lines held back in the last minute: a place logged more than its share a second"
            );
        }
    }
}

static SUPPRESSED: AtomicU64 = AtomicU64::new(0);
static START: LazyLock<Instant> = LazyLock::new(Instant::now);

/// Lines logged by each place in the current second.
#[derive(Default)]
struct Repeats {
    seconds: Mutex<HashMap<Identifier, (u64, u32)>>,
}

impl<S: Subscriber> Layer<S> for Repeats {
    fn event_enabled(&self, event: &Event<'_>, _: Context<'_, S>) -> bool {
        let now = START.elapsed().as_secs();
        let mut seconds = self.seconds.lock().expect("log repeats lock");
        let (second, count) = seconds
            .entry(event.metadata().callsite())
            .or_insert((now, 0));
        if *second != now {
            (*second, *count) = (now, 0);
        }
        *count += 1;
        if *count > BURST {
            SUPPRESSED.fetch_add(1, Ordering::Relaxed);
            return false;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    /// Counts the events that reach it.
    struct Written(Arc<AtomicU64>);

    impl<S: Subscriber> Layer<S> for Written {
        fn on_event(&self, _: &Event<'_>, _: Context<'_, S>) {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }

    #[test]
    fn a_flood_from_one_place_is_cut_to_its_share_and_counted() {
        let written = Arc::new(AtomicU64::new(0));
        let subscriber = tracing_subscriber::registry()
            .with(Repeats::default())
            .with(Written(written.clone()));
        let before = SUPPRESSED.load(Ordering::Relaxed);
        tracing::subscriber::with_default(subscriber, || {
            for n in 0..1000 {
                tracing::warn!(n, "client authentication failed");
            }
            // Another place still has its share.
            tracing::info!("something else");
        });
        let written = written.load(Ordering::Relaxed);
        // At most two seconds' shares (the loop may cross a second), and
        // the line from elsewhere.
        assert!(
            written > u64::from(BURST) && written <= u64::from(2 * BURST) + 1,
            "{written}"
        );
        let suppressed = SUPPRESSED.load(Ordering::Relaxed) - before;
        assert_eq!(suppressed + written, 1001);
    }
}
