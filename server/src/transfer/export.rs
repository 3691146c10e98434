//! Exporting customers as JSON Lines or CSV, a page at a time, so memory
//! stays constant however many there are. The console streams a search
//! result (never password hashes); `gatehouse export` writes everyone, with
//! the hashes on request, for moving to another Gatehouse.

use super::columns::{COLUMNS, Format, PASSWORD_HASH, guard_cell};
use crate::audit;
use crate::domain::{
    Action, Attribute, AttributeId, Clock, Customer, Error, OwnerTask, Problem, RequestContext,
    Result, TierId,
};
use crate::domain::{Cursor, CustomerSearch};
use crate::state::AppState;
use crate::store::Store;
use serde::Serialize;
use serde_json::json;
use std::collections::{BTreeMap, HashMap};

/// Rows read and written per step.
const PAGE: i64 = 1000;

/// One customer as exported. Times are RFC 3339 (UTC); the tier is its slug.
#[derive(Serialize)]
struct Record<'a> {
    id: String,
    email: &'a str,
    email_verified: bool,
    display_name: &'a str,
    tier: &'a str,
    tier_expires_at: Option<String>,
    created_at: String,
    last_sign_in_at: Option<String>,
    disabled: bool,
    external_id: Option<&'a str>,
    /// Active attributes the customer has a value for, by key, typed.
    attributes: BTreeMap<&'a str, serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    password_hash: Option<&'a str>,
}

pub fn rfc3339(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// Produces the export one chunk of bytes at a time.
pub struct Exporter {
    store: Store,
    search: CustomerSearch,
    format: Format,
    with_hashes: bool,
    tiers: HashMap<TierId, String>,
    /// Active attributes, in form order (the CSV's extra columns).
    attributes: Vec<Attribute>,
    cursor: Option<Cursor>,
    started: bool,
    done: bool,
    pub written: u64,
}

impl Exporter {
    pub async fn new(
        store: Store,
        search: CustomerSearch,
        format: Format,
        with_hashes: bool,
    ) -> Result<Self> {
        let tiers = store
            .list_tiers()
            .await?
            .into_iter()
            .map(|t| (t.id, t.slug))
            .collect();
        let attributes = store
            .list_attributes()
            .await?
            .into_iter()
            .filter(|a| !a.archived)
            .collect();
        Ok(Self {
            store,
            search,
            format,
            with_hashes,
            tiers,
            attributes,
            cursor: None,
            started: false,
            done: false,
            written: 0,
        })
    }

    /// The next chunk (a header, or a page of customers); `None` at the end.
    pub async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>> {
        if self.done {
            return Ok(None);
        }
        let mut out = Vec::with_capacity(256 * PAGE as usize);
        if !self.started {
            self.started = true;
            if self.format == Format::Csv {
                // The hash, when asked for, comes after the attributes.
                let mut header: Vec<String> = COLUMNS
                    .iter()
                    .filter(|c| **c != PASSWORD_HASH)
                    .map(|c| c.to_string())
                    .collect();
                header.extend(self.attributes.iter().map(Attribute::field_name));
                if self.with_hashes {
                    header.push(PASSWORD_HASH.into());
                }
                write_csv(&mut out, &header)?;
            }
        }
        let page = self
            .store
            .search_customers(&self.search, self.cursor.as_ref(), PAGE)
            .await?;
        let ids: Vec<_> = page.rows.iter().map(|c| c.id).collect();
        let hashes = if self.with_hashes {
            self.store.password_hashes(&ids).await?
        } else {
            HashMap::new()
        };
        let mut values: HashMap<uuid::Uuid, HashMap<AttributeId, String>> = HashMap::new();
        if !self.attributes.is_empty() {
            let raw: Vec<_> = ids.iter().map(|id| id.0).collect();
            for (customer, attribute, value) in self.store.attributes_of(&raw).await? {
                values.entry(customer).or_default().insert(attribute, value);
            }
        }
        let none = HashMap::new();
        for c in &page.rows {
            let values = values.get(&c.id.0).unwrap_or(&none);
            let record = self.record(c, values, hashes.get(&c.id).map(String::as_str));
            match self.format {
                Format::JsonLines => {
                    serde_json::to_writer(&mut out, &record).map_err(anyhow::Error::new)?;
                    out.push(b'\n');
                }
                Format::Csv => write_csv(&mut out, &self.csv_fields(&record, values))?,
            }
        }
        self.written += page.rows.len() as u64;
        self.cursor = page.next;
        self.done = self.cursor.is_none();
        Ok(Some(out))
    }

    fn record<'a>(
        &'a self,
        c: &'a Customer,
        values: &HashMap<AttributeId, String>,
        hash: Option<&'a str>,
    ) -> Record<'a> {
        let attributes = self
            .attributes
            .iter()
            .filter_map(|a| values.get(&a.id).map(|v| (a.key.as_str(), a.to_json(v))))
            .collect();
        Record {
            id: c.id.to_string(),
            email: c.email.as_str(),
            email_verified: c.email_verified,
            display_name: c.display_name.as_str(),
            tier: self
                .tiers
                .get(&c.tier)
                .map(String::as_str)
                .unwrap_or_default(),
            tier_expires_at: c.tier_expires_at.map(rfc3339),
            created_at: rfc3339(c.created_at),
            last_sign_in_at: c.last_sign_in_at.map(rfc3339),
            disabled: c.disabled,
            external_id: c.external_id.as_deref(),
            attributes,
            password_hash: hash,
        }
    }

    /// A CSV row: the fixed columns, one per attribute (its canonical text),
    /// then the hash if asked for.
    fn csv_fields(&self, r: &Record<'_>, values: &HashMap<AttributeId, String>) -> Vec<String> {
        let mut fields = fixed_csv_fields(r);
        fields.extend(
            self.attributes
                .iter()
                .map(|a| values.get(&a.id).cloned().unwrap_or_default()),
        );
        if let Some(h) = r.password_hash {
            fields.push(h.to_string());
        }
        fields
    }
}

fn fixed_csv_fields(r: &Record<'_>) -> Vec<String> {
    vec![
        r.id.clone(),
        r.email.to_string(),
        r.email_verified.to_string(),
        r.display_name.to_string(),
        r.tier.to_string(),
        r.tier_expires_at.clone().unwrap_or_default(),
        r.created_at.clone(),
        r.last_sign_in_at.clone().unwrap_or_default(),
        r.disabled.to_string(),
        r.external_id.unwrap_or_default().to_string(),
    ]
}

/// One CSV record, each cell guarded against running as a formula.
fn write_csv<T: AsRef<str>>(out: &mut Vec<u8>, fields: &[T]) -> Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    let cells = fields.iter().map(|f| guard_cell(f.as_ref()).into_owned());
    writer.write_record(cells).map_err(anyhow::Error::new)?;
    writer.flush().map_err(anyhow::Error::new)?;
    Ok(())
}

/// An owner's download of a console search (never with password hashes),
/// on the audit trail.
pub async fn download(
    state: &AppState,
    ctx: &RequestContext,
    search: CustomerSearch,
    format: Format,
) -> Result<Exporter> {
    if !ctx.admin()?.role.can_manage_admins() {
        return Err(Error::Forbidden(Problem::OnlyOwners(
            OwnerTask::ExportCustomers,
        )));
    }
    let details = json!({
        "format": format.extension(),
        "search": format!("{search:?}"),
    });
    audit::record(state, ctx, Action::CustomersExported, None, details).await?;
    // Exports read the replica when there is one: a long read there holds
    // nothing back on the primary.
    Exporter::new(state.store.lagging_reads(), search, format, false).await
}

/// Creates the export file: new, readable by its owner only (it may hold
/// every customer's password hash). An existing file is refused unless
/// `force`, which removes it first, so a symbolic link placed there is
/// replaced rather than followed (creating with O_EXCL never follows one).
pub fn private_file(path: &std::path::Path, force: bool) -> anyhow::Result<std::fs::File> {
    use anyhow::Context;
    use std::os::unix::fs::OpenOptionsExt;
    if force {
        match std::fs::remove_file(path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(e).with_context(|| format!("cannot replace {}", path.display()));
            }
            _ => {}
        }
    }
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => anyhow::anyhow!(
                "{} exists; choose another --output or add --force to replace it",
                path.display()
            ),
            _ => anyhow::Error::new(e).context(format!("cannot create {}", path.display())),
        })
}

/// `gatehouse export`: every customer to a file or standard output.
pub async fn run(
    store: &Store,
    format: &str,
    with_hashes: bool,
    output: Option<(std::path::PathBuf, std::fs::File)>,
) -> anyhow::Result<()> {
    use tokio::io::AsyncWriteExt;
    let format =
        Format::parse(format).ok_or_else(|| anyhow::anyhow!("--format must be jsonl or csv"))?;
    let (output, file) = output.unzip();
    let mut sink: Box<dyn tokio::io::AsyncWrite + Unpin> = match file {
        Some(file) => Box::new(tokio::io::BufWriter::new(tokio::fs::File::from_std(file))),
        None => Box::new(tokio::io::BufWriter::new(tokio::io::stdout())),
    };
    let started = std::time::Instant::now();
    let mut exporter = Exporter::new(store.clone(), CustomerSearch::all(), format, with_hashes)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    while let Some(chunk) = exporter
        .next_chunk()
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
    {
        sink.write_all(&chunk).await?;
    }
    sink.flush().await?;
    let details = json!({
        "format": format.extension(),
        "with_password_hashes": with_hashes,
        "customers": exporter.written,
        "output": output.as_ref().map(|p| p.display().to_string()),
    });
    audit::write(
        store,
        Clock::system().now(),
        &RequestContext::system(),
        Action::CustomersExported,
        None,
        details,
    )
    .await?;
    eprintln!(
        "Exported {} customers as {} in {:.1} s.",
        exporter.written,
        format.extension(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
