//! The command-line model: global options, input and output option groups, and
//! the commands. Nothing here does work; `cmd::run` turns it into a plan.

use crate::cmd;
use crate::csvio::Encoding;
use crate::output::Format;
use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Reproducible case-file audit sampling, allocation and summaries for the Quality
/// Assurance officer of a children's social care service.
///
/// A month: `sample` the extract within the agreed frames, `allocate` the sample to
/// auditors outside each case's team, `record` it in the history, then read back
/// the audits with `themes`, `moderate` and `actions`, and print the `report`.
/// Run `caseaudit demo` to see the whole cycle on synthetic data.
#[derive(Debug, Parser)]
#[command(
    name = "caseaudit",
    version = crate::VERSION,
    about,
    long_about,
    propagate_version = true,
    max_term_width = 100
)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) global: GlobalArgs,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Options every command accepts, before or after its name.
#[derive(Debug, Args)]
pub(crate) struct GlobalArgs {
    /// Settings file (TOML). Default: ./caseaudit.toml if present, else built-in defaults
    #[arg(short = 'c', long, global = true, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    /// Output format. Default: table on a terminal, csv when piped; with -o the file's extension decides
    #[arg(short = 'f', long, global = true, value_name = "FMT")]
    pub(crate) format: Option<Format>,
    /// Write the main output to FILE (atomically) instead of standard output
    #[arg(short = 'o', long, global = true, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// Allow -o to replace an existing file
    #[arg(long, global = true)]
    pub(crate) force: bool,
    /// Reference date for relative windows and ages (dd/mm/yyyy or yyyy-mm-dd). Default: today
    #[arg(long, global = true, value_name = "DATE", value_parser = parse_date_arg)]
    pub(crate) as_of: Option<NaiveDate>,
    /// When to use colour on the terminal (NO_COLOR is honoured)
    #[arg(long, global = true, value_name = "WHEN", default_value = "auto")]
    pub(crate) color: ColorWhen,
    /// Print less on stderr
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub(crate) quiet: bool,
    /// Print more on stderr
    #[arg(short, long, global = true)]
    pub(crate) verbose: bool,
    /// Field delimiter of input files (default: comma; tab for .tsv)
    #[arg(long, global = true, value_name = "CHAR", value_parser = crate::csvio::parse_delimiter)]
    pub(crate) delimiter: Option<u8>,
    /// The workbook sheet to read (.xlsx/.xls/.ods inputs). Default: every sheet that fits
    #[arg(long, global = true, value_name = "NAME")]
    pub(crate) sheet: Option<String>,
    /// Character encoding of input files (default: utf-8, or [input] encoding)
    #[arg(long, global = true, value_name = "ENC")]
    pub(crate) encoding: Option<Encoding>,
    /// The row the headings are on, for files with title rows above them (default:
    /// found by itself)
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) header_row: Option<u64>,
    /// Write formula-like text to CSV as it is (no leading apostrophe)
    #[arg(long, global = true)]
    pub(crate) raw: bool,
    /// Replace case ids in outputs with stable keyed pseudonyms ([privacy] redact_key)
    #[arg(long, global = true)]
    pub(crate) redact: bool,
}

/// `--where`'s long help, shared by every command that filters: the filter
/// language in brief, so `--help` is enough without the README.
pub(crate) const WHERE_HELP: &str = "\
Only rows matching EXPR, an expression in caseaudit's filter language:
  FIELD = VALUE          also !=, <, <=, >, >=: text (ignoring case), numbers,
                         dates (2026-11-01 or 01/11/2026)
  FIELD contains WORD    an item of a list (risk_factors), or part of a text
  FIELD in (A, B)        one of several; also FIELD is empty, FIELD is set
  FIELD within 6 months  a date in the 6 months ending on --as-of (also days,
                         weeks, years)
  and, or, not, ( )      combine; a yes/no field alone (step_up) means yes
  \"Allocated Team\" = 'Duty Team 1'
                         quote a heading or a value that has spaces
Fields: the standard ones (team, worker, service, start_date, end_date,
risk_factors, overall, frame, …), the derived age, age_at_start, status, step_up,
days_open, episodes, and any heading of the file. Grades compare by rank:
overall > Good is worse than Good. A value missing from a row never matches.
Examples:
  --where \"status = closed and end_date within 6 months\"
  --where \"risk_factors contains neglect and not service in (CLA, 'Leaving Care')\"";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorWhen {
    Auto,
    Always,
    Never,
}

impl ColorWhen {
    /// The option's value as typed (`--color auto`).
    pub(crate) fn as_arg(self) -> &'static str {
        match self {
            ColorWhen::Auto => "auto",
            ColorWhen::Always => "always",
            ColorWhen::Never => "never",
        }
    }
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    Demo(cmd::demo::Args),
    Init(cmd::init::Args),
    Generate(cmd::generate::Args),
    Validate(cmd::validate::Args),
    Cases(cmd::cases::Args),
    Sample(cmd::sample::Args),
    Verify(cmd::verify::Args),
    Plan(cmd::plan::Args),
    Dip(cmd::dip::Args),
    Allocate(cmd::allocate::Args),
    Record(cmd::record::Args),
    Progress(cmd::progress::Args),
    Report(cmd::report::Args),
    Themes(cmd::themes::Args),
    Actions(cmd::actions::Args),
    Moderate(cmd::moderate::Args),
    History(cmd::history::Args),
    Forms(cmd::forms::Args),
    Collect(cmd::collect::Args),
    Completions(cmd::completions::CompletionsArgs),
    Man(cmd::completions::ManArgs),
}

fn parse_date_arg(s: &str) -> Result<NaiveDate, String> {
    crate::dates::parse_date(s).ok_or_else(|| crate::dates::date_problem(s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    /// Every command says what it reads and writes and shows real examples.
    #[test]
    fn every_command_has_a_description_and_examples() {
        let cli = Cli::command();
        let mut missing = Vec::new();
        for sub in cli.get_subcommands() {
            let leaf: Vec<&clap::Command> = if sub.has_subcommands() {
                sub.get_subcommands().collect()
            } else {
                vec![sub]
            };
            for c in leaf {
                let examples = c
                    .get_after_long_help()
                    .is_some_and(|h| h.to_string().contains("Examples:"));
                let about = c.get_long_about().or(c.get_about()).is_some();
                if !(examples && about) {
                    missing.push(c.get_name().to_string());
                }
            }
        }
        assert!(
            missing.is_empty(),
            "commands without a description or examples: {missing:?}"
        );
    }
}
