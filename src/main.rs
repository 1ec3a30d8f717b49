//! caseaudit: parse the command line, run the command, map the outcome to an exit code.

mod actions;
mod allocate;
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
mod moderation;
mod output;
mod render;
mod sample;
mod stats;
mod templates;
mod themes;
mod values;
mod vocab;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
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
