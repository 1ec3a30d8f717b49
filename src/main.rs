//! caseaudit: parse the command line, run the command, map the outcome to an exit code.

mod actions;
mod allocate;
mod annex_a;
mod auditors;
mod audits;
mod cli;
mod cmd;
mod config;
mod csvio;
mod dates;
mod demo_audits;
mod demo_data;
mod exit;
mod extract;
mod filter;
mod flow;
mod grades;
mod history;
mod manifest;
mod output;
mod privacy;
mod render;
mod sample;
mod stats;
mod templates;
mod themes;
mod values;
mod vocab;
mod workbook;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    exit::install_panic_hook();
    let cli = cli::Cli::parse();
    match cmd::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let (code, print) = exit::classify(&err);
            if print {
                eprintln!("error: {err:#}");
            }
            ExitCode::from(code)
        }
    }
}
