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
    let version = w.run(&["--version"]).ok();
    assert!(
        version.stdout.contains(env!("CARGO_PKG_VERSION")),
        "{}",
        version.stdout
    );
    // Built from a git checkout (as CI and `cargo install --path .` are), the
    // commit too; and a sample's manifest records the same.
    let commit = env!("CASEAUDIT_COMMIT");
    if !commit.is_empty() {
        assert!(
            version.stdout.contains(&format!("(commit {commit})")),
            "{}",
            version.stdout
        );
        w.write(
            "x.csv",
            "case_id,team
C1,A
",
        );
        w.run(&["sample", "x.csv", "--seed", "1", "-o", "s.csv"]).ok();
        let manifest = w.read("s.csv.manifest.json");
        assert!(
            manifest.contains(&format!("\"commit\": \"{commit}\"")),
            "{manifest}"
        );
    }
    let run = w.run(&["cases", "--help"]).ok();
    assert!(run.stdout.contains("Examples:") && run.stdout.contains("--where"));
    w.run(&["nonsense"]).fails(2);
}

#[test]
fn the_man_page_renders_with_man_if_present() {
    let Ok(status) = std::process::Command::new("man").arg("--version").output() else {
        return;
    };
    if !status.status.success() {
        return;
    }
    let w = Workdir::new();
    let page = w.run(&["man"]).ok().stdout;
    w.write("caseaudit.1", page);
    let out = std::process::Command::new("man")
        .arg("-l")
        .arg(w.path("caseaudit.1"))
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "80")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("caseaudit"));
}

#[test]
fn completions_to_a_closed_pipe_exit_quietly() {
    use std::io::Read;
    let w = Workdir::new();
    for shell in ["bash", "zsh", "fish"] {
        let mut child = w
            .cmd(&["completions", shell])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let mut first = [0u8; 8];
        stdout.read_exact(&mut first).unwrap();
        drop(stdout);
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{shell}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.stderr.is_empty(),
            "{shell}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn settings_that_say_nothing_are_said_to_be_empty() {
    let w = Workdir::new();
    w.write("x.csv", "case_id,team\nC1,A\n");
    // No settings file here: said once, and quiet with -q.
    let run = w.run(&["cases", "x.csv", "--count"]).ok();
    assert_eq!(
        run.stderr
            .matches("settings: the built-in defaults (no caseaudit.toml here")
            .count(),
        1,
        "{}",
        run.stderr
    );
    let run = w.run(&["cases", "x.csv", "--count", "-q"]).ok();
    assert!(!run.stderr.contains("settings:"), "{}", run.stderr);
    // An empty or comment-only settings file is a warning.
    for text in ["", "# nothing set yet\n\n   # still nothing\n"] {
        w.write("empty.toml", text);
        w.run(&["cases", "x.csv", "--count", "-c", "empty.toml"])
            .ok()
            .stderr_has("warning: empty.toml sets nothing (it is empty or only comments): the built-in defaults are used");
    }
}

#[test]
fn dates_in_the_future_are_questioned() {
    let w = Workdir::new();
    w.write(
        "x.csv",
        "case_id,team,start_date\nC1,A,01/11/2026\nC2,B,05/12/2026\n",
    );
    w.run(&["cases", "x.csv", "--count"])
        .ok()
        .stderr_has("x.csv:3: warning: column \"start_date\": the episode starts on 2026-12-05, after --as-of (2026-11-26): a date in the future?");
    w.run(&["validate", "x.csv"])
        .ok()
        .stdout_has("x.csv:3: warning: column \"start_date\": the episode starts on 2026-12-05");
    // An --as-of far ahead of today.
    let far = (chrono::Local::now().date_naive() + chrono::Days::new(60))
        .format("%Y-%m-%d")
        .to_string();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_caseaudit"))
        .current_dir(w.root())
        .args(["cases", "x.csv", "--count", "--as-of", &far])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(&format!(
            "warning: --as-of {far} is more than a month after today"
        )),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Audits completed after --as-of, and an action done before its audit.
    w.write(
        "audits.csv",
        "audit_id,case_id,month,auditor_id,team,overall,completed_on,action,action_done\n\
         A1,C1,2026-11,TM1,A,Good,2026-11-10,Chase the plan,2026-11-05\n\
         A2,C2,2026-11,TM1,B,Good,2026-12-10,,\n",
    );
    w.run(&["validate", "audits.csv"])
        .ok()
        .stdout_has("audits.csv:2: warning: column \"action_done\": audit \"A1\": its action is done on 2026-11-05, before the audit that set it was completed (2026-11-10)")
        .stdout_has("audits.csv:3: warning: column \"completed_on\": audit \"A2\" is completed on 2026-12-10, after --as-of (2026-11-26): a date in the future?");
}

#[test]
fn a_man_page_per_command() {
    let w = Workdir::new();
    let run = w.run(&["man", "sample"]).ok();
    assert!(run.stdout.contains(".TH caseaudit-sample 1"), "{}", run.stdout);
    assert!(run.stdout.contains("caseaudit\\-sample \\-"), "the NAME line");
    let run = w.run(&["man", "moderate", "select"]).ok();
    assert!(run.stdout.contains(".TH caseaudit-moderate-select 1"));
    w.run(&["man", "nope"])
        .fails(2)
        .stderr_has("caseaudit has no command \"nope\"; its commands: demo, init,");
    w.run(&["man", "plan", "x"]).fails(2);
    w.run(&["man", "sample", "--all", "pages"]).fails(2);

    w.run(&["man", "--all", "pages"])
        .ok()
        .stderr_has("wrote 24 man pages into pages");
    let mut names: Vec<String> = std::fs::read_dir(w.path("pages"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for page in [
        "caseaudit.1",
        "caseaudit-sample.1",
        "caseaudit-moderate.1",
        "caseaudit-moderate-select.1",
        "caseaudit-moderate-summary.1",
        "caseaudit-man.1",
    ] {
        assert!(names.iter().any(|n| n == page), "{page} in {names:?}");
    }
    assert!(!names.iter().any(|n| n.contains("help")), "{names:?}");
    // Each page is the one `caseaudit man COMMAND` prints.
    assert_eq!(
        w.read("pages/caseaudit-sample.1"),
        w.run(&["man", "sample"]).ok().stdout
    );
    assert_eq!(w.read("pages/caseaudit.1"), w.run(&["man"]).ok().stdout);
    // Pages already there are replaced only with --force.
    w.run(&["man", "--all", "pages"])
        .fails(2)
        .stderr_has("already holds 24 of the pages");
    w.run(&["man", "--all", "pages", "--force"]).ok();
}
