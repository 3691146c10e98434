//! Writing checked lines: matched against the database in batches, then
//! created or updated, each batch in one transaction.

use super::check::{Existing, FastMap, matching};
use super::read::Batch;
use crate::config::Config;
use crate::store::{ExistingCustomer, ImportRow, Store};
use anyhow::Context;
use std::sync::atomic::{AtomicBool, Ordering};
use uuid::Uuid;

/// How a batch is written.
#[derive(Clone, Copy)]
pub(super) struct Target {
    pub(super) pass: Pass,
    /// The search indexes are built at the end.
    pub(super) deferred: bool,
    pub(super) now: i64,
}

/// Matches a batch against the database and (when writing) writes it.
pub(super) async fn flush(
    store: &Store,
    config: &Config,
    mut batch: Batch,
    target: Target,
    shared: &Shared,
) -> anyhow::Result<Batch> {
    let rows = std::mem::take(&mut batch.rows);
    if rows.is_empty() {
        return Ok(batch);
    }
    let (inserts, updates) = if target.pass.match_existing {
        let emails: Vec<&str> = rows.iter().map(|r| r.email.as_str()).collect();
        let externals: Vec<&str> = rows
            .iter()
            .filter_map(|r| r.external_id.as_deref())
            .collect();
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let existing = store.existing_for_import(&emails, &externals, &ids).await?;
        match_rows(rows, &Existing::new(existing), shared, &mut batch.errors)
    } else {
        (rows, Vec::new())
    };
    batch.created = inserts.len() as u64;
    batch.updated = updates.len() as u64;
    if target.pass.write && !stop_at_errors(&batch, &shared.failed) {
        write(store, config, &inserts, &updates, target).await?;
    }
    Ok(batch)
}

/// Splits a batch's rows into new customers and updates of the customers
/// they match; what cannot be written goes to `errors`.
pub(super) fn match_rows(
    rows: Vec<ImportRow>,
    existing: &Existing,
    shared: &Shared,
    errors: &mut Vec<(u64, String)>,
) -> (Vec<ImportRow>, Vec<(ImportRow, ExistingCustomer)>) {
    let (mut inserts, mut updates) = (Vec::new(), Vec::new());
    let mut updated = shared
        .updated
        .lock()
        .expect("no thread panicked holding it");
    for row in rows {
        match matching(&row, existing) {
            Err(reason) => errors.push((row.line, reason)),
            Ok(Some(target)) => {
                let first = *updated.entry(target.id).or_insert(row.line);
                if first == row.line {
                    updates.push((row, target));
                } else {
                    // Batches are matched two at a time: the later line is
                    // the one reported, whichever batch came first.
                    let (first, later) = (first.min(row.line), first.max(row.line));
                    updated.insert(target.id, first);
                    let reason = format!("updates the same customer as line {first}");
                    errors.push((later, reason));
                    if row.line == first {
                        updates.push((row, target));
                    }
                }
            }
            Ok(None) => inserts.push(row),
        }
    }
    (inserts, updates)
}

/// Whether this or an earlier batch had a bad line (then nothing more is
/// written).
pub(super) fn stop_at_errors(batch: &Batch, failed: &AtomicBool) -> bool {
    if !batch.errors.is_empty() {
        failed.store(true, Ordering::Relaxed);
    }
    failed.load(Ordering::Relaxed)
}

pub(super) async fn write(
    store: &Store,
    config: &Config,
    inserts: &[ImportRow],
    updates: &[(ImportRow, ExistingCustomer)],
    target: Target,
) -> anyhow::Result<()> {
    store
        .import_batch(
            inserts,
            updates,
            &config.terms_version,
            target.now,
            target.deferred,
        )
        .await
        .with_context(|| {
            let first = inserts
                .first()
                .map(|r| r.line)
                .or(updates.first().map(|u| u.0.line));
            format!("writing the batch from line {}", first.unwrap_or(0))
        })?;
    Ok(())
}

#[derive(Clone, Copy)]
pub(super) struct Pass {
    /// Writes the lines (else only checks them).
    pub(super) write: bool,
    /// Matches each line to the customer it updates (else all are new).
    pub(super) match_existing: bool,
}

/// What the batches of a pass share.
#[derive(Default)]
pub(super) struct Shared {
    /// Set at the first bad line: later batches are checked, not written.
    failed: AtomicBool,
    /// The line that updates each matched customer: two lines may not
    /// update one customer (matched by different keys), as which one wins
    /// would depend on the batches.
    updated: std::sync::Mutex<FastMap<Uuid, u64>>,
}
