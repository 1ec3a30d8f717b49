//! Reading one case extract on both cores (docs/performance.md#targets: a million rows faster than xan).
//!
//! This thread reads the file in blocks (1 MiB, or less so that a smaller file
//! still makes at least 32), adds them to the manifest's SHA-256, and cuts each
//! block after the last line end that ends a record
//! ([`last_record_end`]: a line end inside a quoted field does not). Two workers
//! take whole blocks from one queue and parse and check them, exactly as the
//! one-thread reader checks a file, and fold their rows into parts; the parts come
//! back in file order when the fold needs it, with each block's problems moved to
//! the file's own line numbers.
//!
//! Anything out of the ordinary goes to the one-thread reader instead, which reports
//! exactly as before: standard input, Windows-1252, workbook sheets, a case id that
//! appears twice, or a worker finding that a cut fell inside a record after all.
//! Where rows that share a case id are folded into cases, a file with such rows
//! is read again by [`split`], which sets the rows of those ids aside for the
//! caller to fold and folds the rest as ever.

use super::idcheck::{IdLog, Repeated};
use super::reader::{Reopen, no_team};
use super::records::Records;
use super::{Case, CaseRow, ExtractReader, Fold, Schema, Std};
use crate::config::{RepeatedIds, Settings};
use crate::csvio::{self, Encoding, Input, InputOptions, file_sha256, hex};
use crate::problem::{Problem, Problems};
use anyhow::{Context as _, Result, anyhow};
use chrono::NaiveDate;
use memchr::{memchr, memrchr};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, mpsc};

/// Bytes read at a time: a million-row extract is about a hundred blocks.
const BLOCK: usize = 1 << 20;
/// A smaller file is read in at least this many blocks (of at least `MIN_BLOCK`
/// bytes): with too few, the last blocks keep the workers busy well after the
/// reading is done.
const MIN_BLOCKS: u64 = 32;
const MIN_BLOCK: usize = 64 << 10;
/// Worker threads (the benchmark's machine, docs/performance.md, has two cores; this thread mostly hashes).
const WORKERS: usize = 2;
/// Blocks read ahead, waiting for whichever worker is free first. One is enough
/// to keep both busy (this thread reads a block far faster than a worker checks
/// it), and fewer left waiting when the file ends means a shorter wait for the
/// last one (two measured 2% slower on a million rows).
const QUEUED: usize = 1;
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// What a scan found.
pub(crate) struct Scanned<S> {
    pub(crate) schema: Schema,
    /// The parts: in file order when the fold is `IN_ORDER` (so folding them in
    /// order is folding the whole file), else one a thread, in no given order.
    pub(crate) parts: Vec<S>,
    /// Errors and warnings, in line order. Callers stop on errors.
    pub(crate) problems: Vec<Problem>,
    /// Data rows read, good or bad.
    pub(crate) rows_read: u64,
    /// SHA-256 of the file's bytes (hex), when asked for and the input is a file.
    pub(crate) sha256: Option<String>,
    /// The good rows set aside by [`split`] (their case ids may repeat), in file
    /// order, unfolded; each is left out of the parts.
    pub(crate) aside: Vec<CaseRow>,
    /// For an `IN_ORDER` fold read by [`split`]: for each part, how many rows set
    /// aside come before it in the file.
    pub(crate) aside_before: Vec<usize>,
}

/// What a scan gave.
pub(crate) enum Scan<F: Fold> {
    /// Every row, checked and folded.
    Read(F, Box<Scanned<F::Part>>),
    /// Rows share a case id, and the settings fold such rows into cases: the
    /// table is to be read again, by [`split`] with the hashes of the ids that
    /// repeat when they are known (a file read on both cores), else whole
    /// (`merge::read_all`).
    Repeats(Option<Repeated>),
}

/// Reads every row of one extract table, checking each, and folds the good ones
/// with the `Fold` that `prepare` makes from the table's schema. `hash`: also
/// compute the SHA-256 of the file (on the second core, or while reading).
/// Where rows that share a case id are folded into cases, a table that has any
/// gives [`Scan::Repeats`]; only a table that can be read again (a file) may.
pub(crate) fn scan<F: Fold>(
    input: Input,
    settings: &Settings,
    as_of: NaiveDate,
    hash: bool,
    prepare: impl Fn(&Schema) -> Result<F>,
) -> Result<Scan<F>> {
    let how = How {
        settings,
        as_of,
        hash,
        aside: None,
    };
    if let Some((path, delimiter)) = parallel_source(&input)
        && let Some(done) = parallel(&input, &path, delimiter, &how, &prepare)?
    {
        return Ok(done);
    }
    one_thread(input, settings, as_of, hash, &prepare)
}

/// Reads one extract table on both cores as [`scan`] does, except that the good
/// rows whose case id is in `repeated` are set aside ([`Scanned::aside`]), not
/// folded, and case ids are not checked: the caller folds the rows set aside
/// into cases. Rows are warned of a missing team as where rows are folded
/// (after the row's other problems); those set aside are not. `None`: the table
/// is not a plain UTF-8 file, or a block was cut inside a record; read it whole.
pub(crate) fn split<F: Fold>(
    input: Input,
    settings: &Settings,
    as_of: NaiveDate,
    hash: bool,
    repeated: &Repeated,
    prepare: impl Fn(&Schema) -> Result<F>,
) -> Result<Option<(F, Scanned<F::Part>)>> {
    let how = How {
        settings,
        as_of,
        hash,
        aside: Some(repeated),
    };
    let Some((path, delimiter)) = parallel_source(&input) else {
        return Ok(None);
    };
    Ok(match parallel(&input, &path, delimiter, &how, &prepare)? {
        Some(Scan::Read(fold, scanned)) => Some((fold, *scanned)),
        _ => None,
    })
}

/// How [`parallel`] reads.
struct How<'a> {
    settings: &'a Settings,
    as_of: NaiveDate,
    /// Take the file's SHA-256 as well.
    hash: bool,
    /// Set aside the rows whose ids are here ([`split`]).
    aside: Option<&'a Repeated>,
}

/// The file and delimiter when the table is a plain UTF-8 CSV file on disk.
fn parallel_source(input: &Input) -> Option<(PathBuf, u8)> {
    let opts = input.options.as_ref()?;
    let plain = opts.encoding == Encoding::Utf8
        && input.source != Path::new("-")
        && std::fs::metadata(&input.source).is_ok_and(|m| m.is_file());
    plain.then(|| (input.source.clone(), csvio::delimiter_for(&input.source, opts)))
}

/// The one-thread reader: every input, and the exact report of repeated ids.
fn one_thread<F: Fold>(
    input: Input,
    settings: &Settings,
    as_of: NaiveDate,
    hash: bool,
    prepare: &dyn Fn(&Schema) -> Result<F>,
) -> Result<Scan<F>> {
    let (name, source) = (input.name.clone(), input.source.clone());
    let (records, reopen) = records_of(input)?;
    let mut reader = ExtractReader::new(&name, records, settings, as_of).map_err(Problems)?;
    let folds = settings.extract.repeated_ids == RepeatedIds::Fold;
    if folds {
        reader = reader.watch_ids();
    } else if let Some(reopen) = reopen {
        reader = reader.check_ids_at_end(reopen);
    }
    let fold = prepare(reader.schema())?;
    // The file's hash is made on the second core meanwhile.
    let hashing = hash.then(|| {
        let source = source.clone();
        std::thread::spawn(move || file_sha256(&source))
    });
    let mut part = fold.part();
    fold_rows(&mut reader, &fold, &mut part, &mut CaseRow::default());
    if reader.repeated {
        return Ok(Scan::Repeats(None));
    }
    let sha256 = match hashing {
        Some(thread) => thread
            .join()
            .map_err(|_| anyhow!("hashing {} stopped unexpectedly", source.display()))??,
        None => None,
    };
    let scanned = Scanned {
        schema: reader.schema().clone(),
        parts: vec![part],
        rows_read: reader.rows_read,
        problems: std::mem::take(&mut reader.problems),
        sha256,
        aside: Vec::new(),
        aside_before: Vec::new(),
    };
    Ok(Scan::Read(fold, Box::new(scanned)))
}

/// Folds every good row `reader` has left into `part` (`row` is reused).
fn fold_rows<R: Read, F: Fold>(
    reader: &mut ExtractReader<R>,
    fold: &F,
    part: &mut F::Part,
    row: &mut CaseRow,
) {
    while reader.next_row(row) {
        let case = Case {
            schema: reader.schema(),
            row,
        };
        fold.take(part, case);
    }
}

/// One block's worth of results.
struct Block<S> {
    index: usize,
    /// The block's own part (`IN_ORDER` folds only), or, where rows are set
    /// aside, one part before each row set aside and one after the last.
    parts: Vec<S>,
    /// The good rows set aside ([`split`]), lines counted from the block's start.
    aside: Vec<CaseRow>,
    problems: Vec<Problem>,
    rows_read: u64,
    /// Line ends in the block.
    lines: u64,
    /// A record ran to the block's end: the cut was wrong.
    cut_inside_a_record: bool,
}

/// Reads a file on both cores. `None`: read it again with the one-thread reader
/// (a repeated case id, to be reported exactly, or a cut inside a record).
/// [`Scan::Repeats`] when a case id repeats and such rows are folded into cases
/// (never when rows are set aside: their ids are not checked).
fn parallel<F: Fold>(
    input: &Input,
    path: &Path,
    delimiter: u8,
    how: &How,
    prepare: &dyn Fn(&Schema) -> Result<F>,
) -> Result<Option<Scan<F>>> {
    let How {
        settings,
        as_of,
        hash,
        aside,
    } = *how;
    let folds = settings.extract.repeated_ids == RepeatedIds::Fold;
    let name = input.name.as_str();
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let size = file.metadata().map_or(u64::MAX, |m| m.len());
    let block = usize::try_from(size / MIN_BLOCKS).map_or(BLOCK, |b| b.clamp(MIN_BLOCK, BLOCK));
    let (recycle, recycled) = mpsc::channel::<Vec<u8>>();
    let mut blocks = Blocks {
        file,
        block,
        path,
        delimiter,
        hasher: hash.then(Sha256::new),
        carry: Vec::new(),
        eof: false,
        recycled,
    };
    let mut first = blocks.next()?.unwrap_or_default();
    // One mark as `csvio::open_input` skips it and one as the csv reader would.
    for _ in 0..2 {
        if first.starts_with(BOM) {
            first.drain(..BOM.len());
        }
    }
    let records = Records::from_bytes(first, delimiter).with_header_at(input.header_line);
    let header = ExtractReader::new(name, records, settings, as_of).map_err(Problems)?;
    let schema = header.schema().clone();
    let (rest, header_lines) = header.into_records().into_rest();
    let fold = prepare(&schema)?;

    let (mut results, repeats, repeated, kept) = std::thread::scope(|scope| -> Result<_> {
        // One queue that both workers take from, so that neither is left with
        // blocks to do while the other waits at the end. Only the workers hold its
        // receiving end: should both stop early (by panicking), sending fails
        // rather than waiting for ever, and `join` below reports the panic.
        let (send, receive) = mpsc::sync_channel::<(usize, Vec<u8>, bool)>(QUEUED);
        let receive = Arc::new(Mutex::new(receive));
        let mut workers = Vec::new();
        for _ in 0..WORKERS {
            let (fold, schema, recycle, receive) = (&fold, &schema, recycle.clone(), Arc::clone(&receive));
            let job = Job {
                name,
                delimiter,
                schema,
                fold,
                aside,
            };
            workers.push(scope.spawn(move || work(&job, &receive, &recycle)));
        }
        drop(receive);
        // Each block is sent once the next is read, so the last is known as last.
        let mut index = 0;
        let mut pending = Some(rest);
        while let Some(block) = pending.take() {
            pending = blocks.next()?;
            let last = pending.is_none();
            // A worker only stops early by panicking, which `join` reports below.
            if send.send((index, block, last)).is_err() {
                break;
            }
            index += 1;
        }
        drop(send);
        let mut results = Vec::new();
        let mut logs: Vec<IdLog> = Vec::new();
        let mut kept = Vec::new();
        for worker in workers {
            let (blocks, log, part) = worker
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            results.extend(blocks);
            logs.push(log);
            kept.extend(part);
        }
        // Rows set aside are not checked: their ids were, on the first reading.
        let repeats = aside.is_none() && IdLog::any_repeats(&logs);
        let repeated = (repeats && folds).then(|| Repeated::of(&logs));
        Ok((results, repeats, repeated, kept))
    })?;
    let sha256 = blocks.hasher.take().map(|h| hex(&h.finalize()));
    if let Some(repeated) = repeated {
        return Ok(Some(Scan::Repeats(Some(repeated))));
    }
    if repeats || results.iter().any(|b| b.cut_inside_a_record) {
        return Ok(None);
    }
    results.sort_by_key(|b| b.index);
    let mut line_base = header_lines;
    let mut scanned = Scanned {
        schema,
        parts: kept,
        problems: Vec::new(),
        rows_read: 0,
        sha256,
        aside: Vec::new(),
        aside_before: Vec::new(),
    };
    for block in results {
        for mut problem in block.problems {
            problem.line = problem.line.map(|l| l + line_base);
            scanned.problems.push(problem);
        }
        if F::IN_ORDER {
            let before = scanned.aside.len();
            scanned
                .aside_before
                .extend((0..block.parts.len()).map(|k| before + k));
        }
        for mut row in block.aside {
            row.line += line_base;
            scanned.aside.push(row);
        }
        line_base += block.lines;
        scanned.rows_read += block.rows_read;
        scanned.parts.extend(block.parts);
    }
    Ok(Some(Scan::Read(fold, Box::new(scanned))))
}

/// What a worker did: its blocks, their case ids, and its one part (unordered folds).
type Worked<S> = (Vec<Block<S>>, IdLog, Option<S>);

/// What a worker does with its blocks.
struct Job<'a, F> {
    name: &'a str,
    delimiter: u8,
    schema: &'a Schema,
    fold: &'a F,
    /// Set aside the rows whose ids are here ([`split`]) instead of logging ids.
    aside: Option<&'a Repeated>,
}

/// A worker: checks and folds the blocks it is sent, and logs their case ids.
fn work<F: Fold>(
    job: &Job<F>,
    blocks: &Mutex<mpsc::Receiver<(usize, Vec<u8>, bool)>>,
    recycle: &mpsc::Sender<Vec<u8>>,
) -> Worked<F::Part> {
    let Job {
        name,
        delimiter,
        schema,
        fold,
        aside,
    } = *job;
    let mut done = Vec::new();
    let mut ids = IdLog::default();
    let mut row = CaseRow::default();
    let mut kept = fold.part();
    let mut records = Some(Records::from_bytes(Vec::new(), delimiter));
    // The lock is held only while taking a block (a worker that panicked holding
    // it has left the queue as it was).
    let next = || blocks.lock().unwrap_or_else(PoisonError::into_inner).recv().ok();
    while let Some((index, bytes, last)) = next() {
        let mut parser = records.take().expect("the records are put back after each block");
        let _ = recycle.send(parser.refill(bytes));
        // One log for all the worker's blocks: a log a block would grow its 256
        // buckets from nothing, and copying them into the worker's cost as much again.
        let mut reader = ExtractReader::for_block(name, parser, schema.clone(), std::mem::take(&mut ids));
        let mut parts: Vec<F::Part> = F::IN_ORDER.then(|| fold.part()).into_iter().collect();
        let mut set_aside = Vec::new();
        match aside {
            None => {
                let part = parts.last_mut().unwrap_or(&mut kept);
                fold_rows(&mut reader, fold, part, &mut row);
                ids = reader.take_ids().expect("a block's reader keeps its log");
            }
            Some(repeated) => {
                reader = reader.fold_ids();
                let into = Aside {
                    repeated,
                    rows: &mut set_aside,
                    parts: &mut parts,
                };
                split_rows(&mut reader, fold, &mut kept, into, &mut row);
            }
        }
        let rows_read = reader.rows_read;
        let problems = std::mem::take(&mut reader.problems);
        let parser = reader.into_records();
        let cut_inside_a_record = !last && parser.ran_to_the_end();
        let lines = parser.lines();
        records = Some(parser);
        done.push(Block {
            index,
            parts,
            aside: set_aside,
            problems,
            rows_read,
            lines,
            cut_inside_a_record,
        });
    }
    (done, ids, (!F::IN_ORDER).then_some(kept))
}

/// Where [`split_rows`] sets rows aside.
struct Aside<'a, S> {
    repeated: &'a Repeated,
    rows: &'a mut Vec<CaseRow>,
    /// The block's parts (`IN_ORDER` folds): a new one is begun after each row
    /// set aside, so that the case it makes can be folded in its place.
    parts: &'a mut Vec<S>,
}

/// Folds every good row `reader` has left whose id is not in `into.repeated`
/// (into the last of `into.parts`, or `kept` for an unordered fold), warning of
/// one without a team, and sets the others aside (`row` is reused).
fn split_rows<R: Read, F: Fold>(
    reader: &mut ExtractReader<R>,
    fold: &F,
    kept: &mut F::Part,
    into: Aside<F::Part>,
    row: &mut CaseRow,
) {
    let id_col = reader.schema().col(Std::CaseId).expect("case_id is required");
    let team_col = reader.schema().col(Std::Team);
    while reader.next_row(row) {
        let id = row.get(id_col).unwrap_or("");
        if into.repeated.may_hold(id) {
            into.rows.push(row.clone());
            if F::IN_ORDER {
                into.parts.push(fold.part());
            }
            continue;
        }
        if row.cell(team_col).is_none() {
            let warning = no_team(&reader.file, row.line, reader.schema(), id);
            reader.problems.push(warning);
        }
        let case = Case {
            schema: reader.schema(),
            row,
        };
        fold.take(into.parts.last_mut().unwrap_or(&mut *kept), case);
    }
}

/// Blocks of a file, each ending where a record ends.
struct Blocks<'a> {
    file: File,
    /// Bytes to read at a time.
    block: usize,
    path: &'a Path,
    delimiter: u8,
    hasher: Option<Sha256>,
    /// What followed the last cut: the start of the next block.
    carry: Vec<u8>,
    eof: bool,
    /// Blocks the workers are done with, to be filled again.
    recycled: mpsc::Receiver<Vec<u8>>,
}

impl Blocks<'_> {
    /// The next block, or `None` at the end of the file.
    fn next(&mut self) -> Result<Option<Vec<u8>>> {
        // A recycled buffer keeps its length, its old bytes overwritten, so that
        // only the part a buffer grows by is zeroed; `len` is how much is read.
        let mut buf = self.recycled.try_recv().unwrap_or_default();
        let mut len = self.carry.len();
        if buf.len() < len {
            buf.resize(len, 0);
        }
        buf[..len].copy_from_slice(&self.carry);
        self.carry.clear();
        loop {
            if self.eof {
                buf.truncate(len);
                return Ok((!buf.is_empty()).then_some(buf));
            }
            let start = len;
            if buf.len() < start + self.block {
                buf.resize(start + self.block, 0);
            }
            // One read a block: `read_to_end` starts small and took eight.
            let n = read_full(&mut self.file, &mut buf[start..start + self.block])
                .with_context(|| format!("reading {}", self.path.display()))?;
            buf.truncate(start + n);
            len = start + n;
            if n == 0 {
                self.eof = true;
                continue;
            }
            if let Some(h) = &mut self.hasher {
                h.update(&buf[start..]);
            }
            if let Some(cut) = last_record_end(&buf, self.delimiter) {
                self.carry.extend_from_slice(&buf[cut..]);
                buf.truncate(cut);
                return Ok(Some(buf));
            }
            // No record ends in the block yet: read on.
        }
    }
}

/// Reads until `buf` is full or the file ends.
fn read_full(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match file.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Where the last record that ends with a `\n` in `bytes` ends (just after that
/// `\n`), for `bytes` that begin at the start of a record; `None` when no record
/// ends with a line end. A line with no quote ends a record when the line before
/// it did, so only lines holding a quote are followed through the CSV rules, which
/// are those of the `csv` crate: a quote opens a quoted field only as a field's
/// first byte; inside one, `""` is a quote and a line end is data.
pub(crate) fn last_record_end(bytes: &[u8], delimiter: u8) -> Option<usize> {
    let mut last = None;
    let mut pos = 0;
    loop {
        let Some(quote) = memchr(b'"', &bytes[pos..]).map(|q| pos + q) else {
            return memrchr(b'\n', &bytes[pos..]).map(|n| pos + n + 1).or(last);
        };
        // The line holding the quote starts a record.
        if let Some(n) = memrchr(b'\n', &bytes[pos..quote]) {
            pos += n + 1;
            last = Some(pos);
        }
        match record_end(&bytes[pos..], delimiter) {
            Some(end) => {
                pos += end;
                last = Some(pos);
            }
            None => return last,
        }
    }
}

/// Just after the first `\n` outside quotes, for bytes that begin a record.
fn record_end(bytes: &[u8], delimiter: u8) -> Option<usize> {
    #[derive(Clone, Copy)]
    enum At {
        FieldStart,
        Field,
        Quoted,
        QuoteInQuoted,
    }
    let mut at = At::FieldStart;
    for (i, &b) in bytes.iter().enumerate() {
        at = match at {
            At::Quoted if b == b'"' => At::QuoteInQuoted,
            At::Quoted => At::Quoted,
            _ if b == b'\n' => return Some(i + 1),
            // A lone `\r` ends a record too; the field after a delimiter starts afresh.
            _ if b == delimiter || b == b'\r' => At::FieldStart,
            At::FieldStart | At::QuoteInQuoted if b == b'"' => At::Quoted,
            _ => At::Field,
        };
    }
    None
}

/// A table's records, and how to open them again (files only).
pub(super) type TableRecords = (Records<Box<dyn Read>>, Option<Reopen<Box<dyn Read>>>);

/// The table as records for the extract reader, and a way to read it again when
/// it is a file (so case ids can be checked at the end).
pub(super) fn records_of(table: Input) -> Result<TableRecords> {
    let header_line = table.header_line;
    let open = move |path: &Path, opts: &InputOptions| -> Result<Records<Box<dyn Read>>> {
        let (bytes, crlf) = csvio::open_bytes(path, opts)?;
        Ok(Records::new(bytes, csvio::delimiter_for(path, opts), crlf).with_header_at(header_line))
    };
    match table.options {
        Some(opts) if table.source != Path::new("-") => {
            let first = open(&table.source, &opts)?;
            let source = table.source;
            let reopen: Reopen<Box<dyn Read>> = Box::new(move || open(&source, &opts));
            Ok((first, Some(reopen)))
        }
        // Standard input, already opened (BOM skipped, CRLF as LF): nothing read yet.
        Some(opts) => Ok((
            Records::new(
                table.reader.into_inner(),
                csvio::delimiter_for(&table.source, &opts),
                false,
            )
            .with_header_at(header_line),
            None,
        )),
        // A sheet or a converted list: CSV made in memory, comma-separated.
        None => Ok((
            Records::new(table.reader.into_inner(), b',', false).with_header_at(header_line),
            None,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The records the `csv` crate reads from `bytes`.
    fn csv_records(bytes: &[u8]) -> Vec<Vec<Vec<u8>>> {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes);
        let mut rec = csv::ByteRecord::new();
        let mut out = Vec::new();
        while r.read_byte_record(&mut rec).unwrap() {
            out.push(rec.iter().map(<[u8]>::to_vec).collect());
        }
        out
    }

    /// Whether the `csv` crate is at the start of a record after `bytes[..at]`:
    /// reading the two sides apart gives the same records as reading them together.
    fn is_record_start(bytes: &[u8], at: usize) -> bool {
        let mut apart = csv_records(&bytes[..at]);
        apart.extend(csv_records(&bytes[at..]));
        apart == csv_records(bytes)
    }

    #[test]
    fn cuts_after_the_last_line_end_outside_quotes() {
        let cut = |s: &str| last_record_end(s.as_bytes(), b',');
        assert_eq!(cut("a,b\n1,2\n3,4"), Some(8));
        assert_eq!(cut("a,b\n1,\"x\ny\"\n3"), Some(12));
        assert_eq!(cut("a,b\n1,\"x\ny"), Some(4), "inside a quoted field");
        assert_eq!(cut("1,\"x\ny"), None);
        assert_eq!(cut("1,ab\"c\n2,d\n"), Some(11), "a quote inside a field is data");
        assert_eq!(cut("1,\"a\"\"\nb\"\n"), Some(10), "a doubled quote stays quoted");
        assert_eq!(cut("1,\"a\"b\n2"), Some(7), "text after a closing quote");
        assert_eq!(
            cut("1,\"a\r\"\r\"x\n"),
            None,
            "a lone CR then a quote opens a field"
        );
        assert_eq!(cut("no line end"), None);
    }

    proptest::proptest! {
        #[test]
        fn the_cut_is_the_last_line_end_where_the_csv_crate_starts_a_record(
            input in proptest::collection::vec(proptest::sample::select(b"a,\"\n\r ".to_vec()), 0..60),
        ) {
            let got = last_record_end(&input, b',');
            // More text after the input, so that a cut at its very end is tested too.
            let mut longer = input.clone();
            longer.extend_from_slice(b"z\n");
            let line_ends: Vec<usize> = (0..input.len()).filter(|&i| input[i] == b'\n').map(|i| i + 1).collect();
            let want = line_ends.into_iter().rev().find(|&at| is_record_start(&longer, at));
            proptest::prop_assert_eq!(got, want, "{:?}", String::from_utf8_lossy(&input));
        }
    }
}
