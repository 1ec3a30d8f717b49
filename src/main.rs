//! caseaudit: parse the command line, run the command, map the outcome to an exit code.

mod allocate;
mod auditors;
mod cli;
mod cmd;
mod config;
mod csvio;
mod dates;
mod demo_data;
mod exit;
mod extract;
mod filter;
mod flow;
mod history;
mod idcheck;
mod manifest;
mod output;
mod records;
mod render;
mod sample;
mod stats;
mod synth;
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
