//! `completions` and `man`: generated from the clap model, never hand-written.

use anyhow::Result;
use std::io::Write;

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

/// Print the man page (roff) on standard output.
///
/// View it with `caseaudit man | man -l -`, or install it with
/// `caseaudit man > ~/.local/share/man/man1/caseaudit.1`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "Examples:
  caseaudit man | man -l -
  caseaudit man > ~/.local/share/man/man1/caseaudit.1")]
pub(crate) struct ManArgs {}

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

/// `cli` is the whole command line's clap model.
pub(crate) fn man(_: &ManArgs, cli: clap::Command) -> Result<()> {
    let mut out = std::io::stdout().lock();
    clap_mangen::Man::new(cli).render(&mut out)?;
    out.flush()?;
    Ok(())
}
