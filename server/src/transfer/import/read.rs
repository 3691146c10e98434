//! Reading an import file: its lines in order, as JSON Lines or CSV records,
//! and the checked lines kept between the passes.

use super::check::{Fields, Rules, Seen, check_names, unknown_field, validate};
use crate::store::ImportRow;
use crate::transfer::columns::{COLUMNS as FIELDS, Format, unguard_cell};
use anyhow::Context;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// The file's lines in order: line number and record, or what is wrong.
pub(super) type Records = Box<dyn Iterator<Item = (u64, Result<Record, String>)> + Send>;

/// One line as read: a JSON Lines line still to parse (the costly part,
/// left to the checking threads) or a CSV record's fields.
pub(super) enum Record {
    Json(String),
    Fields(Box<Fields>),
}

impl Record {
    fn fields(self) -> Result<Fields, String> {
        match self {
            Record::Json(text) => json_fields(&text),
            Record::Fields(fields) => Ok(*fields),
        }
    }
}

/// Checked lines kept between the passes, so that writing does not parse
/// and check every line again (a third of the CPU time while writing to
/// PostgreSQL): batches as MessagePack in an unnamed temporary file, gone
/// when closed.
pub(super) struct Spool(pub(super) std::fs::File);

impl Spool {
    pub(super) fn new() -> anyhow::Result<Self> {
        let file =
            tempfile::tempfile().context("cannot create a temporary file for the checked lines")?;
        Ok(Self(file))
    }
}

/// Sends the spooled batches on, in order. Returns no spool, as
/// `read_batches` does when it keeps none: the lines are written by now.
pub(super) fn read_spool(
    spool: Spool,
    sender: tokio::sync::mpsc::Sender<Batch>,
) -> anyhow::Result<Option<Spool>> {
    let mut file = spool.0;
    file.seek(SeekFrom::Start(0))?;
    let read = Arc::new(AtomicU64::new(0));
    let mut reader = BufReader::new(Counting {
        inner: file,
        read: read.clone(),
    });
    while !reader.fill_buf()?.is_empty() {
        let (lines, rows): (u64, Vec<ImportRow>) = rmp_serde::from_read(&mut reader)
            .context("cannot read the checked lines back from the temporary file")?;
        let batch = Batch {
            rows,
            lines,
            read: read.load(Ordering::Relaxed),
            ..Batch::default()
        };
        if sender.blocking_send(batch).is_err() {
            // The writer stopped (a failed batch): it reports why.
            break;
        }
    }
    Ok(None)
}

/// Reads the file line by line as (line number, fields), in constant memory.
pub(super) fn records(
    path: &Path,
    format: Format,
    read: Arc<AtomicU64>,
) -> anyhow::Result<Records> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let file = Counting { inner: file, read };
    Ok(match format {
        Format::JsonLines => json_lines(file),
        Format::Csv => csv_records(file),
    })
}

fn json_lines(file: Counting<std::fs::File>) -> Records {
    let mut reader = BufReader::new(file);
    let mut line = 0u64;
    // One buffer for every line: growing a new one per line showed up in
    // profiles.
    let mut bytes = Vec::with_capacity(1024);
    Box::new(std::iter::from_fn(move || {
        loop {
            bytes.clear();
            // At most a line's limit is read into memory; the rest of an
            // overlong line is skipped.
            let limit = LINE_MAX as u64 + 1;
            match reader.by_ref().take(limit).read_until(b'\n', &mut bytes) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(e) => return Some((line + 1, Err(format!("cannot read: {e}")))),
            }
            line += 1;
            if bytes.len() > LINE_MAX {
                if let Err(e) = skip_line(&mut reader) {
                    return Some((line, Err(format!("cannot read: {e}"))));
                }
                return Some((line, Err(too_long())));
            }
            let Ok(text) = std::str::from_utf8(&bytes) else {
                return Some((line, Err("not UTF-8".into())));
            };
            if text.trim().is_empty() {
                continue;
            }
            return Some((line, Ok(Record::Json(text.to_string()))));
        }
    }))
}

/// The longest line an import reads, in bytes: a customer with every
/// attribute filled fits many times over.
const LINE_MAX: usize = 64 * 1024;

fn too_long() -> String {
    format!("longer than {LINE_MAX} bytes")
}

/// Reads past the rest of a line without keeping it.
fn skip_line(reader: &mut impl BufRead) -> std::io::Result<()> {
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(());
        }
        match buf.iter().position(|b| *b == b'\n') {
            Some(at) => {
                reader.consume(at + 1);
                return Ok(());
            }
            None => {
                let n = buf.len();
                reader.consume(n);
            }
        }
    }
}

fn csv_records(file: Counting<std::fs::File>) -> Records {
    let file = LineLimit {
        inner: file,
        since_newline: 0,
    };
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(file);
    let header = match reader.byte_headers() {
        Ok(h) => h.clone(),
        Err(e) => return Box::new(std::iter::once((1, Err(format!("no CSV header: {e}"))))),
    };
    let header: Result<Vec<String>, String> = header
        .iter()
        .map(|h| String::from_utf8(h.to_vec()).map_err(|_| "the header is not UTF-8".to_string()))
        .collect();
    let header = match header.and_then(|h| check_names(h.iter().map(String::as_str)).map(|()| h)) {
        Ok(h) => h,
        Err(e) => return Box::new(std::iter::once((1, Err(e)))),
    };
    let mut records = reader.into_byte_records();
    let mut stopped = false;
    Box::new(std::iter::from_fn(move || {
        if stopped {
            return None;
        }
        let record = records.next()?;
        Some(match record {
            // The reader cannot find where the next record starts.
            Err(e) if matches!(e.kind(), csv::ErrorKind::Io(_)) => {
                stopped = true;
                let line = records.reader().position().line();
                (line, Err(format!("cannot read on: {e}")))
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                (line, Err(format!("malformed CSV: {e}")))
            }
            Ok(r) => {
                let line = r.position().map_or(0, |p| p.line());
                let mut fields = Fields::default();
                for (name, value) in header.iter().zip(r.iter()) {
                    let Ok(v) = std::str::from_utf8(value) else {
                        return Some((line, Err("not UTF-8".into())));
                    };
                    // The header's names were checked above.
                    let _ = fields.set(name, unguard_cell(v).to_string());
                }
                (line, Ok(Record::Fields(Box::new(fields))))
            }
        })
    }))
}

/// A JSON value as import reads it: scalars as text, objects by member
/// (sorted by name, so errors come in a stable order). Reading lines into
/// `serde_json::Value`s and then into maps of strings cost more than writing
/// them to the database.
pub(super) enum Json {
    Null,
    Text(String),
    Object(BTreeMap<String, Json>),
    Array,
}

impl<'de> serde::Deserialize<'de> for Json {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(JsonVisitor)
    }
}

pub(super) struct JsonVisitor;

impl<'de> serde::de::Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Text(v.to_string()))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
        Ok(Json::Text(v.to_string()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
        Ok(Json::Text(v.to_string()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Json, E> {
        Ok(Json::Text(v.to_string()))
    }
    fn visit_str<E>(self, v: &str) -> Result<Json, E> {
        Ok(Json::Text(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Json, E> {
        Ok(Json::Text(v))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
        Ok(Json::Array)
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut members = BTreeMap::new();
        while let Some((k, v)) = map.next_entry::<String, Json>()? {
            members.insert(k, v);
        }
        Ok(Json::Object(members))
    }
}

pub(super) fn json_fields(text: &str) -> Result<Fields, String> {
    let Json::Object(members) = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?
    else {
        return Err("not a JSON object".into());
    };
    let mut fields = Fields::default();
    for (k, v) in members {
        match (k.as_str(), v) {
            ("attributes", Json::Object(attributes)) => {
                // {"key": value}: a value of null removes the customer's value.
                for (key, value) in attributes {
                    match value {
                        Json::Null => fields.attributes.push((key, String::new())),
                        Json::Text(text) => fields.attributes.push((key, text)),
                        _ => {
                            return Err(format!(
                                "attributes.{key}: expected text, a number, a boolean or null"
                            ));
                        }
                    }
                }
            }
            ("attributes", _) => return Err("attributes: expected an object of key: value".into()),
            (_, Json::Null) => fields.set(&k, String::new())?,
            (_, Json::Text(text)) => fields.set(&k, text)?,
            (_, _) if FIELDS.contains(&k.as_str()) => {
                return Err(format!("{k}: expected text, a boolean or null"));
            }
            (_, _) => return Err(unknown_field(&k)),
        }
    }
    Ok(fields)
}

/// Reads and checks the file's lines, sending them on in batches. Lines
/// are parsed and checked on `checkers()` threads, a chunk at a time, and
/// put back in file order for the duplicate check: on one thread parsing
/// was the whole check pass's time.
pub(super) fn read_batches(
    path: &Path,
    format: Format,
    rules: &Rules,
    spool: Option<Spool>,
    sender: tokio::sync::mpsc::Sender<Batch>,
) -> anyhow::Result<Option<Spool>> {
    let read = Arc::new(AtomicU64::new(0));
    let mut records = records(path, format, read.clone())?;
    let mut spool = spool.map(|s| std::io::BufWriter::new(s.0));
    let mut send = |batch: Batch| -> anyhow::Result<bool> {
        if let Some(spool) = &mut spool {
            rmp_serde::encode::write(spool, &(batch.lines, &batch.rows))
                .context("cannot write the checked lines to a temporary file")?;
        }
        Ok(sender.blocking_send(batch).is_ok())
    };
    // Whether every batch was sent (else the writer stopped).
    let complete = std::thread::scope(|scope| {
        let (chunks, to_check) = std::sync::mpsc::sync_channel::<(u64, Lines)>(4);
        let (checked, results) = std::sync::mpsc::sync_channel::<(u64, Checked)>(4);
        // Shared by the checkers, and dropped with the last of them, so the
        // reader stops when they do.
        let to_check = Arc::new(std::sync::Mutex::new(to_check));
        for _ in 0..checkers() {
            let (to_check, checked) = (to_check.clone(), checked.clone());
            scope.spawn(move || check_chunks(&to_check, &checked, rules));
        }
        drop((to_check, checked));
        scope.spawn(move || {
            for seq in 0.. {
                let chunk: Lines = records.by_ref().take(CHUNK).collect();
                if chunk.is_empty() || chunks.send((seq, chunk)).is_err() {
                    return;
                }
            }
        });
        let mut seen = Seen::default();
        let mut batch = Batch::default();
        for chunk in InOrder::new(results) {
            for (line, row) in chunk {
                batch.lines += 1;
                match row.and_then(|row| seen.first(row)) {
                    Err(reason) => batch.errors.push((line, reason)),
                    Ok(row) => batch.rows.push(row),
                }
            }
            if batch.rows.len() >= BATCH {
                batch.read = read.load(Ordering::Relaxed);
                if !send(std::mem::take(&mut batch))? {
                    // The writer stopped (a failed batch): it reports why.
                    // The results dropped on return stop the checkers, and
                    // they the reader.
                    return Ok(false);
                }
            }
        }
        batch.read = read.load(Ordering::Relaxed);
        send(batch)
    })?;
    match spool {
        Some(spool) if complete => {
            let file = spool.into_inner().map_err(|e| e.into_error())?;
            Ok(Some(Spool(file)))
        }
        _ => Ok(None),
    }
}

/// Lines handed to the checkers at a time.
const CHUNK: usize = 1000;
type Lines = Vec<(u64, Result<Record, String>)>;
type Checked = Vec<(u64, Result<ImportRow, String>)>;

/// A checker thread: parses and checks chunks until there are none, or
/// nobody waits for the results.
fn check_chunks(
    to_check: &std::sync::Mutex<std::sync::mpsc::Receiver<(u64, Lines)>>,
    checked: &std::sync::mpsc::SyncSender<(u64, Checked)>,
    rules: &Rules,
) {
    loop {
        let next = to_check.lock().map(|r| r.recv());
        let Ok(Ok((seq, chunk))) = next else { return };
        let rows = chunk
            .into_iter()
            .map(|(line, record)| {
                let row = record.and_then(Record::fields);
                (line, row.and_then(|f| validate(line, &f, rules)))
            })
            .collect();
        if checked.send((seq, rows)).is_err() {
            return;
        }
    }
}

/// Checked chunks back in file order, whatever order the checkers finish
/// them in.
struct InOrder {
    results: std::sync::mpsc::Receiver<(u64, Checked)>,
    waiting: BTreeMap<u64, Checked>,
    next: u64,
}

impl InOrder {
    fn new(results: std::sync::mpsc::Receiver<(u64, Checked)>) -> Self {
        Self {
            results,
            waiting: BTreeMap::new(),
            next: 0,
        }
    }
}

impl Iterator for InOrder {
    type Item = Checked;
    fn next(&mut self) -> Option<Checked> {
        let chunk = loop {
            if let Some(chunk) = self.waiting.remove(&self.next) {
                break chunk;
            }
            let (seq, chunk) = self.results.recv().ok()?;
            if seq == self.next {
                break chunk;
            }
            self.waiting.insert(seq, chunk);
        };
        self.next += 1;
        Some(chunk)
    }
}

/// Fails a read once a physical line grows past `LINE_MAX`: the CSV reader
/// keeps a whole record in memory, so an endless line must stop it.
struct LineLimit<R> {
    inner: R,
    since_newline: usize,
}

impl<R: Read> Read for LineLimit<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for b in &buf[..n] {
            self.since_newline = if *b == b'\n' {
                0
            } else {
                self.since_newline + 1
            };
            if self.since_newline > LINE_MAX {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    too_long(),
                ));
            }
        }
        Ok(n)
    }
}

/// A reader that counts the bytes it has read, for the progress bar.
pub(super) struct Counting<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Lines checked against the database, and written, together (one
/// transaction). Larger batches touch each index page once for more rows:
/// 10,000 imported 400k customers with two indexed attributes 43% faster
/// than 2,000 on SQLite.
pub(super) const BATCH: usize = 10000;

/// Lines read and checked together, handed from the reading thread.
#[derive(Default)]
pub(super) struct Batch {
    pub(super) rows: Vec<ImportRow>,
    /// Bad lines among them, with the reason.
    pub(super) errors: Vec<(u64, String)>,
    pub(super) lines: u64,
    /// Bytes of the file read so far, for the progress bar.
    pub(super) read: u64,
    /// Customers the rows created and updated (or would).
    pub(super) created: u64,
    pub(super) updated: u64,
}

/// Threads that parse and check lines: the cores, as the writer mostly
/// waits on the database.
pub(super) fn checkers() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get().min(8))
}
