//! `completions` and `man`: generated from the clap model, never hand-written.

use crate::output::write_file_atomic;
use anyhow::{Context as _, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Print a shell completion script.
///
/// Install for bash with `caseaudit completions bash > ~/.local/share/bash-completion/completions/caseaudit`,
/// for zsh into a folder on $fpath as `_caseaudit`, for fish into
/// ~/.config/fish/completions/caseaudit.fish.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "Examples:
  caseaudit completions bash > ~/.local/share/bash-completion/completions/caseaudit
  caseaudit completions zsh > ~/.zfunc/_caseaudit")]
pub(crate) struct CompletionsArgs {
    /// The shell
    #[arg(value_name = "SHELL")]
    shell: clap_complete::Shell,
}

/// Print a man page (roff) on standard output, or write every page into a folder.
///
/// With no COMMAND, caseaudit's own page (caseaudit.1); with one, that command's
/// page (`caseaudit man sample` is caseaudit-sample.1, `caseaudit man moderate
/// select` caseaudit-moderate-select.1). `--all DIR` writes caseaudit.1 and a page
/// per command into DIR, as git and cargo ship theirs, so `man caseaudit-sample`
/// works once DIR is on the MANPATH. View a page with `man -l -`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "Examples:
  caseaudit man | man -l -
  caseaudit man sample | man -l -
  caseaudit man moderate select > caseaudit-moderate-select.1
  caseaudit man --all ~/.local/share/man/man1")]
pub(crate) struct ManArgs {
    /// The command whose page to print (e.g. `sample`, `moderate select`)
    #[arg(value_name = "COMMAND", conflicts_with = "all")]
    command: Vec<String>,
    /// Write every page (caseaudit.1, caseaudit-sample.1, …) into DIR, created if
    /// need be; --force replaces pages already there
    #[arg(long, value_name = "DIR")]
    all: Option<PathBuf>,
}

/// `cli` is the whole command line's clap model.
pub(crate) fn completions(args: &CompletionsArgs, mut cli: clap::Command) -> Result<()> {
    // clap_complete panics on a write error, so generate into memory first: a
    // closed pipe (`| head`) is then an ordinary error, which exits 0 quietly.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cli, "caseaudit", &mut script);
    let mut out = std::io::stdout().lock();
    out.write_all(&script)?;
    out.flush()?;
    Ok(())
}

/// `cli` is the whole command line's clap model; `force` lets `--all` replace pages.
pub(crate) fn man(args: &ManArgs, force: bool, cli: clap::Command) -> Result<()> {
    // Built once, so every subcommand knows its full name (caseaudit-moderate-select).
    let mut cli = cli.disable_help_subcommand(true);
    cli.build();
    if let Some(dir) = &args.all {
        return man_all(&cli, dir, force);
    }
    let mut page = &cli;
    for (i, name) in args.command.iter().enumerate() {
        page = page.find_subcommand(name).ok_or_else(|| {
            let within = if i == 0 {
                "caseaudit".to_string()
            } else {
                format!("caseaudit {}", args.command[..i].join(" "))
            };
            let names: Vec<&str> = page.get_subcommands().map(clap::Command::get_name).collect();
            crate::exit::usage(if names.is_empty() {
                format!("{within} has no commands of its own, so no page for {name:?}")
            } else {
                format!(
                    "{within} has no command {name:?}; its commands: {}",
                    names.join(", ")
                )
            })
        })?;
    }
    let mut roff = Vec::new();
    page_of(page).render(&mut roff)?;
    let mut out = std::io::stdout().lock();
    out.write_all(&roff)?;
    out.flush()?;
    Ok(())
}

/// Every page, each rendered before any is written, so a failure leaves no half set.
fn man_all(cli: &clap::Command, dir: &Path, force: bool) -> Result<()> {
    fn pages(cmd: &clap::Command, out: &mut Vec<(String, Vec<u8>)>) -> Result<()> {
        let man = page_of(cmd);
        let mut roff = Vec::new();
        man.render(&mut roff)?;
        out.push((man.get_filename(), roff));
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            pages(sub, out)?;
        }
        Ok(())
    }
    let mut all = Vec::new();
    pages(cli, &mut all)?;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    if !force {
        let there: Vec<&str> = all
            .iter()
            .filter(|(name, _)| dir.join(name).exists())
            .map(|(name, _)| name.as_str())
            .collect();
        if !there.is_empty() {
            let more = if there.len() > 3 { ", …" } else { "" };
            return Err(crate::exit::usage(format!(
                "{} already holds {} of the pages ({}{more}); use --force to replace them",
                dir.display(),
                there.len(),
                there[..there.len().min(3)].join(", ")
            )));
        }
    }
    for (name, roff) in &all {
        write_file_atomic(&dir.join(name), roff, true)?;
    }
    say!("wrote {} man pages into {}", all.len(), dir.display());
    Ok(())
}

/// One command's page, its source line naming the program and its version (clap
/// names the subcommand there).
fn page_of(cmd: &clap::Command) -> clap_mangen::Man {
    clap_mangen::Man::new(cmd.clone()).source(format!("caseaudit {}", crate::VERSION))
}
