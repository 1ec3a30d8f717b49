//! The commands. Each file owns one subcommand: its arguments, and what it prints
//! and writes; it reads case extracts through `extract`'s front door and the files
//! between commands through `layouts`, and leaves the domain's work to the domain
//! modules. No command's file imports another's. Shared here: the run context
//! built from the global options (settings, inputs, outputs, warnings).

pub(crate) mod actions;
pub(crate) mod allocate;
pub(crate) mod cases;
pub(crate) mod cli;
pub(crate) mod collect;
pub(crate) mod completions;
pub(crate) mod demo;
pub(crate) mod dip;
pub(crate) mod forms;
pub(crate) mod generate;
pub(crate) mod history;
pub(crate) mod init;
pub(crate) mod moderate;
pub(crate) mod plan;
pub(crate) mod progress;
pub(crate) mod record;
pub(crate) mod report;
pub(crate) mod sample;
pub(crate) mod themes;
pub(crate) mod validate;
pub(crate) mod verify;

use crate::audits::{self, Audits};
use crate::config::Settings;
use crate::csvio::{self, InputOptions};
use crate::exit::usage;
use crate::extract;
use crate::filter::{Filter, RowFilter};
use crate::forms::returns;
use crate::grades::Scale;
use crate::moderation::{self, Against, Moderation};
use crate::output::{Format, Output};
use crate::problem::{Problem, Problems};
use crate::render::RenderOptions;
use anyhow::{Context as _, Result, bail};
use chrono::NaiveDate;
use cli::{Cli, ColorWhen, Command, GlobalArgs};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// Runs the parsed command line.
pub(crate) fn run(cli: Cli) -> Result<()> {
    // Completions and the man page need no settings: they work anywhere, even beside a broken settings file.
    // Commands whose answers depend on the settings say when there are none.
    let tells = !matches!(
        cli.command,
        Command::Demo(_) | Command::Generate(_) | Command::Verify(_) | Command::Plan(_)
    );
    let ctx = || Context::new(&cli.global, tells);
    let is_report = matches!(cli.command, Command::Report(_));
    if !is_report && Format::resolve(cli.global.format, cli.global.output.as_deref()) == Format::Html {
        return Err(crate::exit::usage(
            "HTML is the report's format; write tables as csv, json, markdown or xlsx (e.g. -o out.md)",
        ));
    }
    match cli.command {
        Command::Completions(args) => {
            completions::completions(&args, <Cli as clap::CommandFactory>::command())
        }
        Command::Man(args) => {
            completions::man(&args, cli.global.force, <Cli as clap::CommandFactory>::command())
        }
        // init writes the settings file, so it reads none: a broken one is what it replaces.
        Command::Init(args) => init::run(&cli.global, &args),
        Command::Demo(args) => demo::run(&ctx()?, &args),
        Command::Generate(args) => generate::run(&ctx()?, &args),
        Command::Validate(args) => validate::run(&ctx()?, &args),
        Command::Cases(args) => cases::run(&ctx()?, &args),
        Command::Sample(args) => sample::run(&ctx()?, &args),
        Command::Verify(args) => verify::run(&ctx()?, &args),
        Command::Plan(args) => plan::run(&ctx()?, &args),
        Command::Dip(args) => dip::run(&ctx()?, &args),
        Command::Allocate(args) => allocate::run(&ctx()?, &args),
        Command::Record(args) => record::run(&ctx()?, &args),
        Command::Progress(args) => progress::run(&ctx()?, &args),
        Command::Report(args) => report::run(&ctx()?, &args),
        Command::Themes(args) => themes::run(&ctx()?, &args),
        Command::Actions(args) => actions::run(&ctx()?, &args),
        Command::Moderate(args) => moderate::run(&ctx()?, &args),
        Command::History(args) => history::run(&ctx()?, &args),
        Command::Forms(args) => forms::run(&ctx()?, &args),
        Command::Collect(args) => collect::run(&ctx()?, &args),
    }
}

/// What every command knows: settings, the reference date, and where and how to write.
pub(crate) struct Context {
    pub(crate) settings: Settings,
    pub(crate) as_of: NaiveDate,
    pub(crate) input: InputOptions,
    pub(crate) output_path: Option<PathBuf>,
    pub(crate) force: bool,
    pub(crate) format: Format,
    /// Whether `-f` chose the format (rather than `-o`'s extension or the default).
    pub(crate) format_given: bool,
    pub(crate) render: RenderOptions,
    pub(crate) quiet: bool,
    pub(crate) verbose: bool,
    /// Global options to pass on when the demo runs the tool on itself.
    pub(crate) color: ColorWhen,
}

/// Audits read (with what `prepare` made of their columns), or `None` after an
/// error, and every problem found.
pub(crate) type Checked<T> = (Option<(Audits, T)>, Vec<Problem>);

/// The settings file used when `-c` is not given and it exists.
const DEFAULT_SETTINGS: &str = "caseaudit.toml";

impl Context {
    /// `tell_settings`: say on stderr which settings are in use when there is no
    /// settings file (commands whose answers depend on the settings).
    fn new(g: &GlobalArgs, tell_settings: bool) -> Result<Context> {
        let (settings, settings_path, empty) = load_settings(g.config.as_deref())?;
        let redact = redact_key(g.redact, &settings)?;
        match &settings_path {
            Some(p) if empty && !g.quiet => say!(
                "warning: {} sets nothing (it is empty or only comments): the built-in defaults are used",
                p.display()
            ),
            Some(p) if g.verbose => say!("settings: {}", p.display()),
            None if (tell_settings || g.verbose) && !g.quiet => {
                say!("settings: the built-in defaults (no caseaudit.toml here; `caseaudit init` writes one)")
            }
            _ => {}
        }
        let today = chrono::Local::now().date_naive();
        if let Some(as_of) = g.as_of
            && as_of > today + chrono::Days::new(31)
            && !g.quiet
        {
            say!(
                "warning: --as-of {} is more than a month after today ({}): a typo?",
                crate::dates::format_date(as_of),
                crate::dates::format_date(today)
            );
        }
        let color = match g.color {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto => {
                std::io::stdout().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::env::var("TERM").map_or(true, |t| t != "dumb")
            }
        };
        let input = InputOptions {
            delimiter: g.delimiter.or(settings.input.delimiter()),
            encoding: g.encoding.or(settings.input.encoding).unwrap_or_default(),
            sheet: g.sheet.clone(),
            header_row: g.header_row.or(settings.input.header_row),
            known: std::sync::Arc::new(settings.known_headings()),
        };
        Ok(Context {
            settings,
            as_of: g.as_of.unwrap_or_else(|| chrono::Local::now().date_naive()),
            input,
            output_path: g.output.clone(),
            force: g.force,
            format: Format::resolve(g.format, g.output.as_deref()),
            format_given: g.format.is_some(),
            render: RenderOptions {
                raw: g.raw,
                color,
                redact,
                width: crate::render::table_width(std::io::stdout().is_terminal()),
                tabs: g.output.as_deref().is_some_and(|p| {
                    p.extension()
                        .and_then(|e| e.to_str())
                        .is_some_and(|e| e.eq_ignore_ascii_case("tsv") || e.eq_ignore_ascii_case("tab"))
                }),
            },
            quiet: g.quiet,
            verbose: g.verbose,
            color: g.color,
        })
    }

    /// Opens the main output (stdout or `-o FILE`).
    pub(crate) fn open_output(&self) -> Result<Output> {
        if let Some(path) = &self.output_path {
            refuse_an_input(path)?;
        }
        Ok(Output::open(self.output_path.as_deref(), self.force)?.announced(!self.quiet))
    }

    /// The auditors list: the one given, else `[auditors] path`.
    pub(crate) fn auditors_path(&self, given: Option<&Path>) -> Option<PathBuf> {
        given
            .map(Path::to_path_buf)
            .or_else(|| self.settings.auditors.path.as_deref().map(PathBuf::from))
    }

    /// The history file: the one given, else `[history] path`.
    pub(crate) fn history_path(&self, given: Option<&Path>) -> Option<PathBuf> {
        given
            .map(Path::to_path_buf)
            .or_else(|| self.settings.history.path.as_deref().map(PathBuf::from))
    }

    /// The history a command reads to leave out or rotate by, if there is one:
    /// the one given or set, when it exists. Without one, or before its first
    /// month is recorded, says what that means (`what`: what the command then
    /// cannot do).
    pub(crate) fn history_to_read(&self, given: Option<&Path>, what: &str) -> Option<PathBuf> {
        match self.history_path(given) {
            None => {
                self.note(format!(
                    "no history (--history FILE, or [history] path in the settings): {what}"
                ));
                None
            }
            Some(path) if path != Path::new("-") && !path.exists() => {
                self.note(format!(
                    "{} does not exist yet: the first month, so {what}; `record` creates it",
                    path.display()
                ));
                None
            }
            Some(path) => Some(path),
        }
    }

    /// A line for the user on stderr, unless `--quiet`.
    pub(crate) fn note(&self, message: impl AsRef<str>) {
        if !self.quiet {
            say!("{}", message.as_ref());
        }
    }

    /// Warnings on stderr: all of them with `--verbose`, else the first few and a count.
    pub(crate) fn warn(&self, warnings: &[Problem]) {
        const SHOWN: usize = 5;
        if self.quiet || warnings.is_empty() {
            return;
        }
        let shown = if self.verbose { warnings.len() } else { SHOWN };
        for w in warnings.iter().take(shown) {
            say!("{w}");
        }
        if warnings.len() > shown {
            say!(
                "… and {} more warnings (see them all with --verbose or `caseaudit validate`)",
                warnings.len() - shown
            );
        }
    }

    /// Opens the one table of an input (a CSV file or a workbook's sheet).
    /// Its reader starts at the header (title rows passed over).
    pub(crate) fn table(&self, path: &Path) -> Result<csvio::Input> {
        let mut table = csvio::open_table(path, &self.input)?;
        table.skip_titles();
        if let Some(n) = &table.note {
            self.note(n);
        }
        self.warn(&std::mem::take(&mut table.warnings));
        Ok(table)
    }

    /// Reads completed audits from one or more files. `prepare` runs once every
    /// file's header is read and before any row is (so a bad `--where` stops the
    /// command early); it gets the columns the files hold between them. Warnings
    /// go to stderr; errors stop the command.
    pub(crate) fn read_audits<T>(
        &self,
        paths: &[PathBuf],
        prepare: impl FnOnce(&audits::Layout) -> Result<T>,
    ) -> Result<(Audits, T)> {
        let (read, problems) = self.check_audits(paths, prepare)?;
        match read {
            Some(found) => {
                self.warn(&problems);
                Ok(found)
            }
            None => Err(Problems(problems).into()),
        }
    }

    /// The grading scale of the settings (checked when the settings were read).
    pub(crate) fn scale(&self) -> Result<Scale> {
        Scale::new(&self.settings.grades).map_err(|errors| {
            let listed: Vec<String> = errors.iter().map(|(k, m)| format!("key \"{k}\": {m}")).collect();
            anyhow::anyhow!("settings: {}", listed.join("; "))
        })
    }

    /// Reads completed audits and returns every problem found (errors and
    /// warnings) beside the audits, which are `None` if there was an error.
    pub(crate) fn check_audits<T>(
        &self,
        paths: &[PathBuf],
        prepare: impl FnOnce(&audits::Layout) -> Result<T>,
    ) -> Result<Checked<T>> {
        let mut forms = Vec::new();
        let (read, mut problems) = self.check_audits_in(paths, prepare, &mut forms)?;
        for (name, located) in &forms {
            returns::locate(&mut problems, name, located);
        }
        Ok((read, problems))
    }

    /// [`Self::check_audits`], each folder of forms read noted in `forms` with
    /// where each of its rows came from.
    fn check_audits_in<T>(
        &self,
        paths: &[PathBuf],
        prepare: impl FnOnce(&audits::Layout) -> Result<T>,
        forms: &mut Vec<(String, Vec<returns::Located>)>,
    ) -> Result<Checked<T>> {
        let scale = self.scale()?;
        let mut files = Vec::new();
        let mut problems = Vec::new();
        for path in paths {
            let csvio::Input { name, reader, .. } = if path.is_dir() {
                let (input, located) = self.returned_forms(path, &scale, &mut problems)?;
                forms.push((input.name.clone(), located));
                input
            } else {
                self.table(path)?
            };
            match audits::AuditFile::open(&name, reader, &self.settings) {
                Ok((file, warnings)) => {
                    problems.extend(warnings);
                    files.push(file);
                }
                Err(errors) => problems.extend(errors),
            }
        }
        if problems.iter().any(|p| !p.warning) {
            return Ok((None, problems));
        }
        let layout = audits::Layout::new(&files, &scale);
        let prepared = prepare(&layout)?;
        if self.verbose {
            for f in &files {
                self.note(format!("{}: template \"{}\"", f.name(), f.template()));
            }
        }
        Ok(match audits::read(files, layout, &scale) {
            Ok((audits, warnings)) => {
                problems.extend(warnings);
                problems.extend(future_dates(&audits, self.as_of));
                (Some((audits, prepared)), problems)
            }
            Err(errors) => {
                problems.extend(errors);
                (None, problems)
            }
        })
    }

    /// A folder of returned audit forms as a table of audits (in the layout
    /// `collect` writes); the forms' problems go to `problems`, and how many are
    /// not filled in yet to stderr.
    fn returned_forms(
        &self,
        dir: &Path,
        scale: &Scale,
        problems: &mut Vec<Problem>,
    ) -> Result<(csvio::Input, Vec<returns::Located>)> {
        let read = returns::read_forms(&returns::workbooks(&[dir.to_path_buf()])?, scale, &self.settings)?;
        problems.extend(read.problems);
        problems.extend(read.warnings);
        if read.outstanding > 0 {
            self.note(format!(
                "{}: {} form{} not filled in yet (no overall grade): not returned",
                dir.display(),
                read.outstanding,
                if read.outstanding == 1 { "" } else { "s" }
            ));
        }
        let bytes = returns::as_csv(&self.settings, &read.audits)?;
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(Box::new(std::io::Cursor::new(bytes)) as Box<dyn std::io::Read>);
        let located = read.audits.iter().map(returns::Located::of).collect();
        let input = csvio::Input {
            name: dir.display().to_string(),
            source: dir.to_path_buf(),
            reader,
            sheet: None,
            options: None,
            note: None,
            header_line: 1,
            titles: 0,
            annex_a_list: None,
            warnings: Vec::new(),
        };
        Ok((input, located))
    }

    /// The tables of the case extracts given (see [`extract::tables`]); notes of
    /// Annex A lists skipped go to stderr.
    pub(crate) fn extract_tables(&self, paths: &[PathBuf]) -> Result<Vec<csvio::Input>> {
        extract::tables(paths, &self.settings, &self.input, &mut |n| self.note(n))
    }

    /// Reads moderation results against the audits; warnings go to stderr.
    pub(crate) fn read_moderation(&self, path: &Path, audits: &Audits) -> Result<Vec<Moderation>> {
        let csvio::Input { name, reader, .. } = self.table(path)?;
        let (moderations, warnings) = moderation::read(
            &name,
            reader,
            &Against::audits(audits),
            &audits.scale,
            &self.settings.moderation.columns,
        )
        .map_err(Problems)?;
        self.warn(&warnings);
        Ok(moderations)
    }

    /// Compiles a `--where` expression against the audits' columns (a usage error if bad).
    pub(crate) fn audit_filter(
        expr: Option<&str>,
        layout: &audits::Layout,
        as_of: NaiveDate,
    ) -> Result<Option<Filter>> {
        expr.map(|e| Filter::compile(e, layout, as_of).map_err(|err| usage(err.to_string())))
            .transpose()
    }

    /// Compiles a `--where` expression for an extract's rows (a usage error if bad).
    pub(crate) fn case_filter(
        &self,
        expr: Option<&str>,
        schema: &extract::Schema,
    ) -> Result<Option<RowFilter<'static, extract::CaseRow>>> {
        expr.map(|e| {
            Filter::compile(e, schema, self.as_of)
                .map(|f| f.for_rows(schema))
                .map_err(|err| usage(err.to_string()))
        })
        .transpose()
    }
}

/// The pseudonym key when `--redact` is given: it must be configured, so that the
/// same case gets the same pseudonym every month.
fn redact_key(redact: bool, settings: &Settings) -> Result<Option<String>> {
    if !redact {
        return Ok(None);
    }
    match settings.privacy.redact_key.as_deref().map(str::trim) {
        Some(key) if key.len() >= 8 => {
            say!("case ids in this output are pseudonyms (--redact): the same case keeps the same pseudonym");
            Ok(Some(key.to_string()))
        }
        _ => Err(crate::exit::usage(
            "--redact needs a secret in the settings file, at least 8 characters:\n  [privacy]\n  redact_key = \"a phrase only the QA team knows\"",
        )),
    }
}

/// Refuses an output path that names a file given anywhere else on the command line
/// (an input, the settings file, the history): inputs are never modified, even with
/// `--force`.
pub(crate) fn refuse_an_input(output: &Path) -> Result<()> {
    let Ok(target) = output.canonicalize() else {
        return Ok(());
    }; // a new file is no input
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        let text = arg.to_string_lossy();
        if ["-o", "--output", "--manifest", "--summary"].contains(&text.as_ref()) {
            args.next(); // the value of an output option is not an input
            continue;
        }
        let value = text.split_once('=').map_or(text.as_ref(), |(_, v)| v);
        if Path::new(value).canonicalize().is_ok_and(|p| p == target) {
            bail!(
                "{} is one of this command's inputs; caseaudit never writes over an input (choose another output)",
                output.display()
            );
        }
    }
    Ok(())
}

/// The settings, the file they came from (none: the built-in defaults), and
/// whether that file sets nothing (empty, or only comments).
fn load_settings(explicit: Option<&Path>) -> Result<(Settings, Option<PathBuf>, bool)> {
    let path = match explicit {
        Some(p) => p.to_path_buf(),
        None if Path::new(DEFAULT_SETTINGS).is_file() => PathBuf::from(DEFAULT_SETTINGS),
        None => return Ok((Settings::default(), None, false)),
    };
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("cannot read settings {}", path.display()))?;
    let settings = Settings::parse(&text, &path.display().to_string()).map_err(Problems)?;
    let empty = text
        .lines()
        .map(str::trim)
        .all(|l| l.is_empty() || l.starts_with('#'));
    Ok((settings, Some(path), empty))
}

/// Dates in completed audits that cannot be right on `as_of`: an audit completed
/// after it, an action done before the audit that set it was completed.
fn future_dates(audits: &audits::Audits, as_of: chrono::NaiveDate) -> Vec<Problem> {
    let mut problems = Vec::new();
    for a in &audits.list {
        let file = audits.layout.files.get(a.file).map_or("", String::as_str);
        if let Some(done) = a.completed_on
            && done > as_of
        {
            problems.push(Problem::warning(
                file,
                Some(a.line),
                Some("completed_on"),
                format!(
                    "audit \"{}\" is completed on {}, after --as-of ({}): a date in the future?",
                    a.audit_id,
                    crate::dates::format_date(done),
                    crate::dates::format_date(as_of)
                ),
            ));
        }
        if let (Some(done), Some(set)) = (a.action_done_on, a.completed_on)
            && done < set
        {
            problems.push(Problem::warning(
                file,
                Some(a.line),
                Some("action_done"),
                format!(
                    "audit \"{}\": its action is done on {}, before the audit that set it was completed ({})",
                    a.audit_id,
                    crate::dates::format_date(done),
                    crate::dates::format_date(set)
                ),
            ));
        }
    }
    problems
}
