//! The documentation's examples are tests.
//!
//! Every ```` ```console ```` block of `README.md` and `docs/*.md` is run, and what
//! each command prints is compared with the lines shown under it:
//!
//! - `$ caseaudit …` starts a command (a line ending in `\` goes on to the next);
//!   words are split as a POSIX shell would (quotes, backslashes), and pipes and
//!   redirections are not allowed. The harness adds `--as-of` (the demo's date)
//!   and `--color never` unless the command gives them, and unsets `COLUMNS`, so
//!   tables are drawn at full width.
//! - The lines after it are what a terminal shows: standard output and standard
//!   error go to one pipe, so they interleave exactly as the program writes them.
//!   Trailing spaces are ignored. A line that is `…` or `...`, or starts with `…`
//!   (`… one row per auditor …` says what it stands for), matches any number of
//!   lines.
//! - A command exits 0, unless a line it shows starts with `error:`; then it must
//!   fail.
//!
//! Where the blocks run: the console blocks of one file share a folder, in order,
//! which starts as the demo's month before its first command
//! (`caseaudit demo --as-of 2026-11-26`, seed 2026, as the README says): the
//! settings, extract, auditors list and the history as it stood before the month
//! was recorded. The files the demo makes between commands arrive as they did in
//! the demo: the audit returns (`audits.csv`, `audits-so-far.csv`) and the earlier
//! months' moderation after the first `record`, this month's moderation results
//! after the first `moderate select`. So the walk-through is replayed as it was
//! made.
//!
//! HTML comments right before a fenced block steer it:
//! - `<!-- file: NAME -->` (before any fenced block): its text is written as NAME
//!   into the folder of the next console block; add `, windows-1252` to write it in
//!   that encoding and `, crlf` for Windows line ends, as Excel saves them.
//! - `<!-- run in: an empty folder -->` (before a console block): it runs in a new
//!   empty folder holding only the files written for it.
//! - `<!-- not tested: why -->`: the block is not run. Keep this rare.

use crate::common::Workdir;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The date and seed of the demo the README's walk-through was made from.
const AS_OF: &str = "2026-11-26";
const SEED: &str = "2026";
const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// One fenced block and the directives before it.
#[derive(Debug)]
struct Block {
    /// `README.md:44`: the fence's line.
    place: String,
    lang: String,
    body: Vec<String>,
    not_tested: Option<String>,
    file: Option<FileDirective>,
    empty_folder: bool,
}

#[derive(Debug, Clone)]
struct FileDirective {
    name: String,
    windows_1252: bool,
    crlf: bool,
}

/// The fenced blocks of a Markdown file, with the comments right before each.
fn blocks(name: &str, text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut comments: Vec<String> = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((i, line)) = lines.next() {
        let trimmed = line.trim();
        if let Some(lang) = trimmed.strip_prefix("```") {
            let mut body = Vec::new();
            for (_, l) in lines.by_ref() {
                if l.trim_start().starts_with("```") {
                    break;
                }
                body.push(l.to_string());
            }
            let mut block = Block {
                place: format!("{name}:{}", i + 1),
                lang: lang.trim().to_string(),
                body,
                not_tested: None,
                file: None,
                empty_folder: false,
            };
            for c in comments.drain(..) {
                if let Some(why) = c.strip_prefix("not tested:") {
                    block.not_tested = Some(why.trim().to_string());
                } else if let Some(spec) = c.strip_prefix("file:") {
                    let mut parts = spec.split(',').map(str::trim);
                    let name = parts.next().unwrap_or_default().to_string();
                    let mut file = FileDirective {
                        name,
                        windows_1252: false,
                        crlf: false,
                    };
                    for p in parts {
                        match p {
                            "windows-1252" => file.windows_1252 = true,
                            "crlf" => file.crlf = true,
                            other => panic!("{}: unknown file option {other:?}", block.place),
                        }
                    }
                    block.file = Some(file);
                } else if c == "run in: an empty folder" {
                    block.empty_folder = true;
                }
            }
            out.push(block);
        } else if let Some(c) = trimmed.strip_prefix("<!--").and_then(|c| c.strip_suffix("-->")) {
            comments.push(c.trim().to_string());
        } else if !trimmed.is_empty() {
            comments.clear();
        }
    }
    out
}

/// One `$ caseaudit …` line (joined over `\` continuations) and the lines shown
/// after it.
#[derive(Debug)]
struct Step {
    line: String,
    args: Vec<String>,
    expected: Vec<String>,
}

fn steps(block: &Block) -> Vec<Step> {
    let mut out: Vec<Step> = Vec::new();
    let mut body = block.body.iter();
    while let Some(line) = body.next() {
        if let Some(cmd) = line.strip_prefix("$ ") {
            let mut cmd = cmd.to_string();
            while cmd.ends_with('\\') {
                cmd.pop();
                let next = body
                    .next()
                    .unwrap_or_else(|| panic!("{}: a `\\` at the end of the block", block.place));
                cmd.push_str(next.trim_start());
            }
            let words = shell_words(&cmd).unwrap_or_else(|e| panic!("{}: {cmd}: {e}", block.place));
            assert_eq!(
                words.first().map(String::as_str),
                Some("caseaudit"),
                "{}: only caseaudit commands can run: {cmd}",
                block.place
            );
            out.push(Step {
                line: cmd.clone(),
                args: words[1..].to_vec(),
                expected: Vec::new(),
            });
        } else {
            let step = out
                .last_mut()
                .unwrap_or_else(|| panic!("{}: output before any `$ ` command", block.place));
            step.expected.push(line.trim_end().to_string());
        }
    }
    out
}

/// Splits a command line as a POSIX shell would, for the quoting the docs use.
pub fn shell_words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err("an unclosed '".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$' | '`')) => word.push(c),
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => return Err("an unclosed \"".into()),
                        },
                        Some(c) => word.push(c),
                        None => return Err("an unclosed \"".into()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(c) = chars.next() {
                    word.push(c);
                }
            }
            '|' | '>' | '<' | ';' | '&' => {
                return Err(format!("`{c}` is shell syntax the harness does not run"));
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

/// Whether an expected line stands for any number of lines.
fn is_elision(line: &str) -> bool {
    line == "..." || line.starts_with('…')
}

/// Whether `actual` matches `expected`, where elisions match any run of lines.
fn matches(expected: &[String], actual: &[String]) -> bool {
    // reach[j]: expected[..i] can match actual[..j].
    let mut reach = vec![false; actual.len() + 1];
    reach[0] = true;
    for e in expected {
        let mut next = vec![false; actual.len() + 1];
        if is_elision(e) {
            let mut any = false;
            for j in 0..=actual.len() {
                any |= reach[j];
                next[j] = any;
            }
        } else {
            for j in 0..actual.len() {
                next[j + 1] = reach[j] && actual[j] == *e;
            }
        }
        reach = next;
    }
    reach[actual.len()]
}

/// The binary run in `dir` with stdout and stderr on one pipe: (exit code, lines).
fn run_merged(dir: &Path, args: &[String]) -> (i32, Vec<String>) {
    let mut args = args.to_vec();
    if !args.iter().any(|a| a == "--as-of" || a.starts_with("--as-of=")) {
        args.extend(["--as-of".into(), AS_OF.into()]);
    }
    if !args.iter().any(|a| a == "--color" || a.starts_with("--color=")) {
        args.extend(["--color".into(), "never".into()]);
    }
    let (mut reader, writer) = std::io::pipe().expect("a pipe");
    let mut command = Command::new(env!("CARGO_BIN_EXE_caseaudit"));
    command
        .current_dir(dir)
        .args(&args)
        .env_remove("COLUMNS")
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .stdout(writer.try_clone().expect("a pipe"))
        .stderr(writer);
    let mut child = command.spawn().expect("the binary runs");
    // The command holds the pipe's writing ends: drop them so the read ends.
    drop(command);
    let mut bytes = Vec::new();
    reader.read_to_end(&mut bytes).expect("the output");
    let code = child.wait().expect("the binary ends").code().unwrap_or(-1);
    let text = String::from_utf8_lossy(&bytes);
    (code, text.lines().map(|l| l.trim_end().to_string()).collect())
}

/// The finished demo month (made once per test) and the folder it is replayed in.
struct Month {
    demo: PathBuf,
    folder: PathBuf,
    recorded: bool,
    selected: bool,
    forms: bool,
}

impl Month {
    fn new(w: &Workdir) -> Month {
        w.run(&["demo", "demo", "--seed", SEED, "-q"]).ok();
        let demo = w.path("demo");
        let folder = w.path("month");
        std::fs::create_dir_all(&folder).unwrap();
        for name in ["caseaudit.toml", "extract.csv", "auditors.csv"] {
            std::fs::copy(demo.join(name), folder.join(name)).unwrap();
        }
        // The history before `record` added the month's allocation to it.
        let month = &AS_OF[..7];
        let history = std::fs::read_to_string(demo.join("history.csv")).unwrap();
        let before: String = history
            .split_inclusive('\n')
            .filter(|l| !l.starts_with(&format!("{month},")))
            .collect();
        std::fs::write(folder.join("history.csv"), before).unwrap();
        Month {
            demo,
            folder,
            recorded: false,
            selected: false,
            forms: false,
        }
    }

    /// Brings in what the demo made after `args` ran, as it did in the demo.
    fn after(&mut self, args: &[String]) {
        let copy = |name: &str| {
            std::fs::copy(self.demo.join(name), self.folder.join(name)).unwrap();
        };
        if args.first().map(String::as_str) == Some("record") && !self.recorded {
            self.recorded = true;
            copy("audits.csv");
            copy("audits-so-far.csv");
            // The earlier months' results: the demo's, less those of the audits it
            // chose to moderate this month.
            let chosen = std::fs::read_to_string(self.demo.join("moderation-sample.csv")).unwrap();
            let chosen: Vec<&str> = chosen
                .lines()
                .skip(1)
                .filter_map(|l| l.split(',').next())
                .collect();
            let all = std::fs::read_to_string(self.demo.join("moderation.csv")).unwrap();
            let earlier: String = all
                .split_inclusive('\n')
                .filter(|l| !chosen.contains(&l.split(',').next().unwrap_or_default()))
                .collect();
            std::fs::write(self.folder.join("moderation.csv"), earlier).unwrap();
        }
        if args.first().map(String::as_str) == Some("forms") && !self.forms {
            self.forms = true;
            // The auditors fill in the blank forms and save them.
            let to = self.folder.join("forms");
            for entry in std::fs::read_dir(self.demo.join("forms")).unwrap() {
                let entry = entry.unwrap();
                std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
            }
        }
        let is_select = args.len() > 1 && args[0] == "moderate" && args[1] == "select";
        if is_select && !self.selected {
            self.selected = true;
            copy("moderation.csv");
        }
    }
}

fn write_file(dir: &Path, file: &FileDirective, body: &[String]) {
    let mut text = body.join(if file.crlf { "\r\n" } else { "\n" });
    text.push_str(if file.crlf { "\r\n" } else { "\n" });
    let bytes: Vec<u8> = if file.windows_1252 {
        // The characters the docs use are all Latin-1, which Windows-1252 shares.
        text.chars()
            .map(|c| u8::try_from(u32::from(c)).expect("a Latin-1 character"))
            .collect()
    } else {
        text.into_bytes()
    };
    let path = dir.join(&file.name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// Runs every console block of one Markdown file; returns the failures.
fn check_markdown(name: &str) -> Vec<String> {
    let text = std::fs::read_to_string(Path::new(ROOT).join(name)).unwrap();
    let w = Workdir::new();
    let mut month: Option<Month> = None;
    let mut pending: Vec<(FileDirective, Vec<String>)> = Vec::new();
    let mut failures = Vec::new();
    let mut empties = 0;
    for block in blocks(name, &text) {
        if block.not_tested.is_some() {
            continue;
        }
        if let Some(file) = &block.file {
            pending.push((file.clone(), block.body.clone()));
            continue;
        }
        if block.lang != "console" {
            continue;
        }
        let dir = if block.empty_folder {
            empties += 1;
            let dir = w.path(&format!("empty-{empties}"));
            std::fs::create_dir_all(&dir).unwrap();
            dir
        } else {
            month.get_or_insert_with(|| Month::new(&w)).folder.clone()
        };
        for (file, body) in pending.drain(..) {
            write_file(&dir, &file, &body);
        }
        for step in steps(&block) {
            let (code, actual) = run_merged(&dir, &step.args);
            let should_fail = step.expected.iter().any(|l| l.starts_with("error:"));
            let code_ok = if should_fail { code != 0 } else { code == 0 };
            if !code_ok || !matches(&step.expected, &actual) {
                failures.push(format!(
                    "{}: $ {}\nexit {code}{}\n--- shown ---\n{}\n--- printed ---\n{}\n",
                    block.place,
                    step.line,
                    if should_fail { " (a failure was shown)" } else { "" },
                    step.expected.join("\n"),
                    actual.join("\n")
                ));
            }
            if !block.empty_folder
                && let Some(m) = month.as_mut()
                && code == 0
            {
                m.after(&step.args);
            }
        }
    }
    assert!(
        pending.is_empty(),
        "{name}: a file block with no console block after it"
    );
    failures
}

fn markdown_files() -> Vec<String> {
    let mut names = vec!["README.md".to_string()];
    let mut docs: Vec<String> = std::fs::read_dir(Path::new(ROOT).join("docs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md"))
        .map(|n| format!("docs/{n}"))
        .collect();
    docs.sort();
    names.extend(docs);
    names
}

#[test]
fn the_readme_says_which_demo_its_walk_through_comes_from() {
    let readme = std::fs::read_to_string(Path::new(ROOT).join("README.md")).unwrap();
    let claim = format!("`caseaudit demo --as-of {AS_OF}` (seed {SEED})");
    assert!(readme.contains(&claim), "README.md should say {claim}");
}

#[test]
fn console_blocks_print_what_the_docs_show() {
    let mut failures = Vec::new();
    for name in markdown_files() {
        failures.extend(check_markdown(&name));
    }
    assert!(
        failures.is_empty(),
        "{} command(s) print other than the docs show:\n\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_harness_splits_and_matches_as_documented() {
    assert_eq!(
        shell_words(r#"cases x.csv --where "a = 'b c'" -o 'y z.csv' a\ b"#).unwrap(),
        ["cases", "x.csv", "--where", "a = 'b c'", "-o", "y z.csv", "a b"]
    );
    assert!(shell_words("man | man -l -").is_err());
    let lines = |s: &str| -> Vec<String> { s.lines().map(str::to_string).collect() };
    assert!(matches(&lines("a\n…\nd"), &lines("a\nb\nc\nd")));
    assert!(matches(
        &lines("a\n... \nd")
            .into_iter()
            .map(|l| l.trim_end().to_string())
            .collect::<Vec<_>>(),
        &lines("a\nd")
    ));
    assert!(matches(&lines("… rows …"), &lines("x\ny")));
    assert!(!matches(&lines("a\n…\nd"), &lines("a\nb\nc")));
    assert!(!matches(&lines("a"), &lines("a\nb")));
    assert!(matches(&[], &[]));
}
