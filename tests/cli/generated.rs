//! Completions and the man page come from the CLI definition.

use crate::common::Workdir;

#[test]
fn completions_and_man_page() {
    let w = Workdir::new();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let run = w.run(&["completions", shell]).ok();
        assert!(
            run.stdout.contains("sample") && run.stdout.contains("verify"),
            "{shell}"
        );
    }
    let run = w.run(&["man"]).ok();
    assert!(run.stdout.starts_with(".ie") && run.stdout.contains(".TH caseaudit 1"));
    // Neither needs a valid settings file.
    w.write("caseaudit.toml", "this is not toml");
    w.run(&["man"]).ok();
    w.run(&["completions", "bash"]).ok();
    w.run(&["completions", "tcsh"]).fails(2);
}

#[test]
fn help_and_version() {
    let w = Workdir::new();
    w.run(&["--version"]).ok().stdout_has(env!("CARGO_PKG_VERSION"));
    let run = w.run(&["cases", "--help"]).ok();
    assert!(run.stdout.contains("Examples:") && run.stdout.contains("--where"));
    w.run(&["nonsense"]).fails(2);
}
