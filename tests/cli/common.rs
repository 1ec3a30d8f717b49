//! A temporary working folder and a way to run the binary in it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// A fixed reference date so that tests do not depend on today.
pub const AS_OF: &str = "2026-11-26";

pub struct Workdir {
    dir: tempfile::TempDir,
}

impl Workdir {
    pub fn new() -> Workdir {
        Workdir {
            dir: tempfile::tempdir().expect("a temp dir"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&p, contents).unwrap();
        p
    }

    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap_or_else(|e| panic!("reading {name}: {e}"))
    }

    /// The binary with `--as-of AS_OF`, run in this folder, stdout piped.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_caseaudit"));
        c.current_dir(self.root())
            .args(args)
            .arg("--as-of")
            .arg(AS_OF)
            .env_remove("NO_COLOR")
            // Tables are drawn whole unless a test gives a width.
            .env_remove("COLUMNS");
        c
    }

    pub fn run(&self, args: &[&str]) -> Run {
        Run::from(
            args,
            self.cmd(args)
                .stdin(Stdio::null())
                .output()
                .expect("the binary runs"),
        )
    }

    /// Runs the binary with `input` on its standard input (fed from a thread, so
    /// a large input cannot block against a full output pipe).
    pub fn run_stdin(&self, args: &[&str], input: impl Into<Vec<u8>>) -> Run {
        let mut child = self
            .cmd(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary runs");
        let mut stdin = child.stdin.take().expect("piped");
        let input = input.into();
        let feeder = std::thread::spawn(move || {
            use std::io::Write;
            // The program may stop reading early (an error): not the test's concern.
            let _ = stdin.write_all(&input);
        });
        let out = child.wait_with_output().expect("the binary runs");
        feeder.join().expect("the feeder thread");
        Run::from(args, out)
    }
}

/// The outcome of one run, with everything needed to explain a failure.
pub struct Run {
    pub args: Vec<String>,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn from(args: &[&str], out: Output) -> Run {
        Run {
            args: args.iter().map(|s| s.to_string()).collect(),
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    fn explain(&self) -> String {
        format!(
            "caseaudit {}\nexit: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.args.join(" "),
            self.code,
            self.stdout,
            self.stderr
        )
    }

    #[track_caller]
    pub fn ok(self) -> Run {
        assert_eq!(self.code, 0, "expected success\n{}", self.explain());
        self
    }

    #[track_caller]
    pub fn fails(self, code: i32) -> Run {
        assert_eq!(self.code, code, "expected exit {code}\n{}", self.explain());
        self
    }

    #[track_caller]
    pub fn stderr_has(self, needle: &str) -> Run {
        assert!(
            self.stderr.contains(needle),
            "stderr lacks {needle:?}\n{}",
            self.explain()
        );
        self
    }

    #[track_caller]
    pub fn stdout_has(self, needle: &str) -> Run {
        assert!(
            self.stdout.contains(needle),
            "stdout lacks {needle:?}\n{}",
            self.explain()
        );
        self
    }
}

/// Parses CSV text into records, each a map from heading to cell.
pub fn records(text: &str) -> Vec<std::collections::BTreeMap<String, String>> {
    let rows = csv_rows(text);
    let (head, body) = rows.split_first().expect("a header row");
    body.iter()
        .map(|r| head.iter().cloned().zip(r.iter().cloned()).collect())
        .collect()
}

/// The XML of the first sheet of an `.xlsx` workbook.
pub fn sheet_xml(path: &Path) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut xml = String::new();
    zip.by_name("xl/worksheets/sheet1.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

/// Parses CSV text into rows of strings (header included).
pub fn csv_rows(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}
