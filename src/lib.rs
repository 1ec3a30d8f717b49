//! caseaudit's modules. The binary (`src/main.rs`) calls [`run`]; the only other
//! public items are the [`fuzz`] entry points, for the fuzzers in `fuzz/`.

/// A line on standard error that never panics: a closed standard error (`2>&-`)
/// is ignored, where `eprintln!` would panic and the panic's own message abort.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// The version and the commit the program was built from (empty when it was not
/// built from a git checkout): `0.1.0 (commit abc123def456)`.
pub(crate) fn build() -> String {
    let commit = env!("CASEAUDIT_COMMIT");
    if commit.is_empty() {
        env!("CARGO_PKG_VERSION").to_string()
    } else {
        format!("{} (commit {commit})", env!("CARGO_PKG_VERSION"))
    }
}

/// `--version`'s text: the version and the commit.
const VERSION: &str = if env!("CASEAUDIT_COMMIT").is_empty() {
    env!("CARGO_PKG_VERSION")
} else {
    concat!(
        env!("CARGO_PKG_VERSION"),
        " (commit ",
        env!("CASEAUDIT_COMMIT"),
        ")"
    )
};

mod actions;
mod allocate;
mod annex_a;
mod audits;
mod census;
mod charts;
mod cmd;
mod config;
mod csvio;
mod dates;
mod exit;
mod extract;
mod filter;
mod fit;
mod flow;
mod forms;
mod grades;
mod guess;
mod keys;
mod layouts;
mod ledger;
mod manifest;
mod moderation;
mod output;
mod privacy;
mod problem;
mod progress;
mod render;
mod report;
mod sample;
mod spc;
mod stats;
mod synth;
mod templates;
mod themes;
mod values;
mod vocab;
mod workbook;

use clap::Parser;
use std::process::ExitCode;

/// Parses the command line, runs the command, and maps the outcome to an exit code
/// (README.md#exit-codes: 0 success or a closed pipe, 1 a data problem, 2 a usage error).
pub fn run() -> ExitCode {
    exit::install_panic_hook();
    let cli = cmd::cli::Cli::parse();
    match cmd::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let (code, print) = exit::classify(&err);
            if print {
                say!("error: {err:#}");
            }
            ExitCode::from(code)
        }
    }
}

/// Entry points for the fuzzers: each takes arbitrary input and must never panic,
/// hang or run out of memory, whatever it is given.
#[doc(hidden)]
pub mod fuzz {
    use crate::config::Settings;
    use crate::grades::GradeSettings;
    use chrono::NaiveDate;

    fn as_of() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 26).expect("a valid date")
    }

    fn reader(bytes: &[u8]) -> csv::Reader<&[u8]> {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes)
    }

    /// The date parser and the month parser.
    pub fn dates(text: &str) {
        let _ = crate::dates::parse_date(text);
        let _ = crate::dates::date_problem(text);
        let _ = text.parse::<crate::dates::Month>();
    }

    /// The filter language: syntax check, compile against an extract's headings,
    /// evaluate on one row. Input: the expression, a newline, then a CSV.
    pub fn filter(input: &str) {
        let (expr, csv) = input.split_once('\n').unwrap_or((
            input,
            "case_id,team,risk_factors,end_date\nC1,T,16A;NEG,01/01/2026\n",
        ));
        let _ = crate::filter::Filter::check_syntax(expr);
        let settings = Settings::default();
        let Ok(mut reader) = crate::extract::reader_of("fuzz", csv.as_bytes(), &settings, as_of()) else {
            return;
        };
        let Ok(filter) = crate::filter::Filter::compile(expr, reader.schema(), as_of()) else {
            return;
        };
        let filter = filter.for_rows(reader.schema());
        let mut row = crate::extract::CaseRow::default();
        while reader.next_row(&mut row) {
            let _ = filter.matches(&row);
        }
    }

    /// The settings loader.
    pub fn settings(text: &str) {
        let _ = Settings::parse(text, "fuzz.toml");
    }

    /// The grade parser, on the default scale.
    pub fn grade(text: &str) {
        if let Ok(scale) = crate::grades::Scale::new(&GradeSettings::default()) {
            let _ = scale.read(text);
            let _ = scale.unknown_message(text);
        }
    }

    /// The CIN census XML reader.
    pub fn census(bytes: &[u8]) {
        let _ = crate::census::read("fuzz", bytes);
    }

    /// The workbook reader: `bytes` is an `.xlsx` file (when it starts `PK`), or
    /// the parts of one separated by NUL bytes (sheet XML, shared strings,
    /// styles, workbook), put in a valid zip. Each sheet read goes on to the
    /// case extract reader.
    pub fn workbook(bytes: &[u8]) {
        let settings = Settings::default();
        crate::workbook::fuzz(bytes, &mut |csv| {
            let _ = crate::extract::read_bytes("fuzz", csv, &settings, as_of());
        });
    }

    /// The `.ods` reader: `bytes` is an `.ods` file (when it starts `PK`), or its
    /// `content.xml` (then a NUL byte and the manifest, if any), put in a valid
    /// zip. Each sheet read goes on to the case extract reader.
    pub fn ods(bytes: &[u8]) {
        let settings = Settings::default();
        crate::workbook::fuzz_ods(bytes, &mut |csv| {
            let _ = crate::extract::read_bytes("fuzz", csv, &settings, as_of());
        });
    }

    /// The `.xls` reader and its bounds: `bytes` is an `.xls` file (when it
    /// starts with the compound file signature), or the workbook stream (BIFF
    /// records) put in a valid compound file. Each sheet read goes on to the case
    /// extract reader.
    pub fn xls(bytes: &[u8]) {
        let settings = Settings::default();
        crate::workbook::fuzz_xls(bytes, &mut |csv| {
            let _ = crate::extract::read_bytes("fuzz", csv, &settings, as_of());
        });
    }

    /// The decoding every CSV file goes through before its reader: the first
    /// byte chooses UTF-8 (even) or Windows-1252 (odd), the rest is the file
    /// (byte-order mark, CRLF line ends, UTF-16 refused, UTF-8 read as such under
    /// Windows-1252), and what comes out goes to every CSV layout reader ([`tables`]).
    /// For UTF-8, the extract's fast reader must read the same records and lines
    /// from the file as the `csv` crate reads from the decoded text (a panic if not).
    pub fn decoding(bytes: &[u8]) {
        use std::io::Read as _;
        let Some((&first, file)) = bytes.split_first() else {
            return;
        };
        let encoding = if first % 2 == 0 {
            crate::csvio::Encoding::Utf8
        } else {
            crate::csvio::Encoding::Windows1252
        };
        if encoding == crate::csvio::Encoding::Utf8 {
            // The extract's own reader, which reads the file's bytes as they are,
            // against the `csv` crate on the decoded text; read in pieces of 1 to
            // 128 bytes, to cross its buffer's edges.
            crate::extract::records_agree(file, 1 + usize::from(first / 2));
        }
        let raw = Box::new(std::io::Cursor::new(file.to_vec()));
        let Ok(mut text) = crate::csvio::decoded(raw, "fuzz", encoding, b',') else {
            return;
        };
        let mut decoded = Vec::new();
        if text.read_to_end(&mut decoded).is_ok() {
            tables(&decoded);
        }
    }

    /// A sample manifest, as `verify` reads it: its JSON, the settings it
    /// records (each frame's expression compiled against a small extract's
    /// headings), its month and date, and its comparison with itself.
    pub fn manifest(bytes: &[u8]) {
        let Ok(m) = serde_json::from_slice::<crate::manifest::Manifest>(bytes) else {
            return;
        };
        let _ = m.differences(&m);
        let _ = m.month.parse::<crate::dates::Month>();
        let _ = crate::dates::parse_date(&m.as_of);
        let Ok(settings) = m.settings() else {
            return;
        };
        let csv =
            "case_id,team,risk_factors,end_date,dob,referral_source\nC1,T,16A;NEG,01/01/2026,02/03/2015,6\n";
        let Ok(reader) = crate::extract::reader_of("fuzz", csv.as_bytes(), &settings, as_of()) else {
            return;
        };
        for frame in &settings.sampling.frames {
            let _ = crate::filter::Filter::compile(frame.filter.get_ref(), reader.schema(), as_of());
        }
    }

    /// Returned audit and moderation forms, as `collect` reads them: `bytes`
    /// is an `.xlsx` file (when it starts `PK`), or the parts of one separated by
    /// NUL bytes (as for [`workbook`]); every sheet read as either form.
    pub fn forms(bytes: &[u8]) {
        let settings = Settings::default();
        let Ok(scale) = crate::grades::Scale::new(&settings.grades) else {
            return;
        };
        crate::workbook::fuzz_cells(bytes, &mut |sheet, cells| {
            let _ = crate::forms::read_sheet("fuzz.xlsx", sheet, cells, &scale, &settings);
            let _ = crate::forms::moderation::read_sheet("fuzz.xlsx", sheet, cells, &scale, &settings);
        });
    }

    /// Every CSV layout reader on the same bytes: extract (standard and Annex A),
    /// auditors, history, completed audits and moderation results; and two
    /// extracts merged (the bytes before a NUL byte and those after it, with
    /// headings of their own; or the extract with itself).
    pub fn tables(bytes: &[u8]) {
        let settings = Settings::default();
        let (first, second) = match bytes.iter().position(|&b| b == 0) {
            Some(at) => (&bytes[..at], &bytes[at + 1..]),
            None => (bytes, bytes),
        };
        if let (Ok(a), Ok(b)) = (
            crate::extract::read_bytes("fuzz-a", first, &settings, as_of()),
            crate::extract::read_bytes("fuzz-b", second, &settings, as_of()),
        ) {
            let _ = crate::extract::Extract::merge(vec![("a".into(), a), ("b".into(), b)], as_of(), None);
        }
        let _ = crate::layouts::auditors::read("fuzz", reader(bytes), &settings.auditors.columns);
        let _ = crate::layouts::history::read("fuzz", reader(bytes), &settings.history.columns);
        for n in [None, Some(3), Some(7)] {
            let _ = crate::annex_a::to_standard(n, "fuzz", reader(bytes));
        }
        if let (Ok((file, _)), Ok(scale)) = (
            crate::audits::AuditFile::open("fuzz", reader(bytes), &settings),
            crate::grades::Scale::new(&settings.grades),
        ) {
            let layout = crate::audits::Layout::new(std::slice::from_ref(&file), &scale);
            let _ = crate::audits::read(vec![file], layout, &scale);
        }
        if let Ok(scale) = crate::grades::Scale::new(&settings.grades) {
            let against = crate::moderation::Against::templates(&settings);
            let _ = crate::moderation::read(
                "fuzz",
                reader(bytes),
                &against,
                &scale,
                &settings.moderation.columns,
            );
        }
    }
}
