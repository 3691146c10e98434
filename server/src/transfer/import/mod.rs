//! `gatehouse import FILE`: customers from JSON Lines or CSV (the columns
//! `gatehouse export` writes), created or updated by external id or email.
//!
//! The whole file is checked first (every bad line is reported with its
//! number and reason, and then nothing is written); `--dry-run` stops there.
//! The checked lines are kept in a temporary file for the write.
//! Writing goes in batches, each in one transaction, and matches existing
//! customers, so a rerun after an interruption updates what was written and
//! creates the rest: no duplicates. Password hashes keep their form (argon2,
//! bcrypt, pbkdf2-sha256, scrypt) until the customer's next sign-in.

mod check;
mod read;
mod write;

use crate::audit;
use crate::config::Config;
use crate::domain::{Action, Clock, RequestContext};
use crate::store::Store;
use crate::transfer::columns::Format;
use anyhow::{Context, bail};
use check::Rules;
use futures_util::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use read::{Batch, Spool, read_batches, read_spool};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Instant;
use write::{Pass, Shared, Target, flush};

#[derive(Default)]
struct Summary {
    lines: u64,
    created: u64,
    updated: u64,
    /// Bad lines, the first `ERRORS_LISTED` of them.
    errors: Vec<(u64, String)>,
    /// Every bad line, listed or not.
    bad_lines: u64,
    /// The checked lines, when kept for the write.
    spool: Option<Spool>,
}

/// Bad lines listed at most: a file of millions of bad lines would
/// otherwise keep every reason in memory, and nobody reads past these.
const ERRORS_LISTED: usize = 1000;

/// Where a pass's lines come from.
enum Source {
    /// The import file, each line parsed and checked; with a spool, the
    /// checked lines are also written to it for the next pass.
    File {
        path: PathBuf,
        format: Format,
        spool: Option<Spool>,
    },
    /// Lines an earlier pass checked.
    Spool(Spool),
}

/// `gatehouse import FILE`: checks the whole file, then (unless `dry_run`)
/// writes it; progress and the outcome go to the terminal.
pub async fn run(
    store: &Store,
    config: &Config,
    path: &Path,
    format: Option<&str>,
    dry_run: bool,
    quiet: bool,
) -> anyhow::Result<()> {
    let format = file_format(path, format)?;
    let size = std::fs::metadata(path)
        .with_context(|| format!("cannot open {}", path.display()))?
        .len();
    let started = Instant::now();

    // Into a database without customers every line creates one: nothing
    // to look up.
    let check = Pass {
        write: false,
        match_existing: store.has_customers().await?,
    };
    let source = Source::File {
        path: path.to_path_buf(),
        format,
        spool: if dry_run { None } else { Some(Spool::new()?) },
    };
    let mut checked = pass(store, config, source, size, check, quiet).await?;
    if checked.bad_lines > 0 {
        for (line, reason) in &checked.errors {
            eprintln!("line {line}: {reason}");
        }
        let unlisted = checked.bad_lines - checked.errors.len() as u64;
        if unlisted > 0 {
            eprintln!("... and {unlisted} more bad lines (the first {ERRORS_LISTED} are listed)");
        }
        bail!(
            "{} of {} lines are bad; nothing was imported",
            checked.bad_lines,
            checked.lines
        );
    }
    if dry_run {
        println!(
            "Checked {} lines: all valid; {} customers would be created and {} updated. Nothing was written (--dry-run).",
            checked.lines, checked.created, checked.updated
        );
        return Ok(());
    }
    // When no line matched a customer, writing need not look them up
    // again: one created meanwhile fails its batch on the unique email, id
    // or external id, and a rerun updates it.
    let write = Pass {
        write: true,
        match_existing: checked.updated > 0,
    };
    let spool = checked
        .spool
        .take()
        .context("the checked lines were not kept")?;
    let size = spool.0.metadata()?.len();
    let written = pass(store, config, Source::Spool(spool), size, write, quiet).await?;
    // What was written is on the record even when a batch failed after it.
    record(store, path, &written).await?;
    if let Some((line, reason)) = written.errors.first() {
        bail!(
            "line {line}: {reason}; lines before its batch are imported, rerun to continue (imported lines are matched, not duplicated)"
        );
    }
    store.analyze().await?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "Imported {} lines: {} customers created, {} updated in {secs:.1} s ({:.0} lines/s).",
        written.lines,
        written.created,
        written.updated,
        written.lines as f64 / secs.max(0.001)
    );
    Ok(())
}

/// The format named by `--format`, else by the file's extension.
fn file_format(path: &Path, format: Option<&str>) -> anyhow::Result<Format> {
    Ok(
        match format.or_else(|| path.extension().and_then(|e| e.to_str())) {
            Some("jsonl") | Some("json") | Some("ndjson") => Format::JsonLines,
            Some("csv") => Format::Csv,
            other => bail!(
                "--format must be jsonl or csv (got {})",
                other.unwrap_or("no extension")
            ),
        },
    )
}

/// The import on the audit trail, as the system (an operator's command).
async fn record(store: &Store, path: &Path, written: &Summary) -> anyhow::Result<()> {
    let details = json!({
        "file": path.display().to_string(),
        "lines": written.lines,
        "created": written.created,
        "updated": written.updated,
        "stopped_at": written.errors.first().map(|(line, _)| line),
    });
    let ctx = RequestContext::system();
    audit::write(
        store,
        Clock::system().now(),
        &ctx,
        Action::CustomersImported,
        None,
        details,
    )
    .await?;
    Ok(())
}

/// One pass over the lines: checks them (or reads them back checked) and,
/// when `write`, writes them. Threads read and check lines while this task
/// looks up and writes the batches before.
async fn pass(
    store: &Store,
    config: &Config,
    source: Source,
    size: u64,
    pass: Pass,
    quiet: bool,
) -> anyhow::Result<Summary> {
    let write = pass.write;
    let rules = Rules::read(store).await?;
    let now = rules.now;
    let bar = if quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(size)
    };
    bar.set_style(
        ProgressStyle::with_template(if write {
            "importing {bar:40} {bytes}/{total_bytes} {bytes_per_sec}, eta {eta} {msg}"
        } else {
            "checking  {bar:40} {bytes}/{total_bytes} {bytes_per_sec}, eta {eta}"
        })
        .expect("valid template"),
    );
    let (sender, mut batches) = tokio::sync::mpsc::channel::<Batch>(2);
    let reader = tokio::task::spawn_blocking(move || match source {
        Source::File {
            path,
            format,
            spool,
        } => read_batches(&path, format, &rules, spool, sender),
        Source::Spool(spool) => read_spool(spool, sender),
    });
    let deferred = write && store.defer_search_indexes().await?;
    let target = Target {
        pass,
        deferred,
        now,
    };
    let mut summary = Summary::default();
    let shared = Shared::default();
    let written = async {
        let mut flushed = futures_util::stream::poll_fn(|cx| batches.poll_recv(cx))
            .map(|batch| flush(store, config, batch, target, &shared))
            .buffered(store.concurrent_writers());
        while let Some(batch) = flushed.next().await {
            let mut batch = batch?;
            summary.lines += batch.lines;
            summary.created += batch.created;
            summary.updated += batch.updated;
            summary.bad_lines += batch.errors.len() as u64;
            let room = ERRORS_LISTED.saturating_sub(summary.errors.len());
            summary.errors.extend(batch.errors.drain(..).take(room));
            bar.set_position(batch.read.min(size));
        }
        anyhow::Ok(())
    }
    .await;
    // A reader still sending stops when the batches are dropped.
    drop(batches);
    let read = reader.await.context("the import file reader failed")?;
    if deferred {
        // Also after a failed batch: what was written gets its indexes now.
        bar.set_message("building the search indexes");
        store.build_deferred_indexes().await?;
    }
    written?;
    summary.spool = read?;
    bar.finish_and_clear();
    summary.errors.sort_by_key(|(line, _)| *line);
    Ok(summary)
}
