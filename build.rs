//! Records the commit the program is built from, for `--version`, the sample
//! manifest and the report's methodology: `git describe`-like `abc123def456`, with
//! `-modified` when the working tree differs from it. Built outside a git
//! checkout (from a source archive), it records nothing.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn main() {
    let root = env!("CARGO_MANIFEST_DIR");
    // Again when the checkout moves to another commit, or the sources change.
    for path in [".git/HEAD", ".git/index", "src", "Cargo.toml"] {
        println!("cargo:rerun-if-changed={root}/{path}");
    }
    let commit = git(&["rev-parse", "--short=12", "HEAD"]).filter(|c| !c.is_empty());
    let commit = commit.map(|c| {
        let dirty = git(&[
            "--no-optional-locks",
            "status",
            "--porcelain",
            "--untracked-files=no",
        ])
        .is_some_and(|s| !s.is_empty());
        if dirty { format!("{c}-modified") } else { c }
    });
    println!("cargo:rustc-env=CASEAUDIT_COMMIT={}", commit.unwrap_or_default());
}
