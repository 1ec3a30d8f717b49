//! Where output goes: stdout (buffered, locked) or a file written atomically
//! (temp file in the target's directory, fsync, rename), never replacing an
//! existing file without `--force`; a device or a pipe named by path
//! (`/dev/null`, `/dev/stdout`, a FIFO, `>(wc -l)`) is written into as it is,
//! never replaced by a file.

use anyhow::{Context, Result, bail};
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

/// The output formats (README.md#output).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    Table,
    Csv,
    Json,
    #[value(alias = "md")]
    Markdown,
    Html,
    /// An Excel workbook (one sheet, header row bold, frozen and filtered).
    Xlsx,
}

impl Format {
    /// An explicit `-f` wins; then the extension of `-o`; then a terminal gets a
    /// table and a pipe or file gets CSV.
    pub(crate) fn resolve(explicit: Option<Format>, output: Option<&Path>) -> Format {
        if let Some(f) = explicit {
            return f;
        }
        if let Some(path) = output.filter(|p| *p != Path::new("-")) {
            let ext = path
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or("")
                .to_ascii_lowercase();
            return match ext.as_str() {
                "json" => Format::Json,
                "md" | "markdown" => Format::Markdown,
                "html" | "htm" => Format::Html,
                "txt" => Format::Table,
                "xlsx" => Format::Xlsx,
                _ => Format::Csv,
            };
        }
        if io::stdout().is_terminal() {
            Format::Table
        } else {
            Format::Csv
        }
    }
}

/// A destination opened for writing. Call [`Output::commit`] when done: until then a
/// file destination is a temp file that vanishes if the command fails.
pub(crate) struct Output {
    sink: Sink,
    /// Say on stderr where the file went, once it is there.
    announce: bool,
}

enum Sink {
    Stdout(BufWriter<io::StdoutLock<'static>>),
    File {
        writer: BufWriter<tempfile::NamedTempFile>,
        path: PathBuf,
        force: bool,
    },
    /// A device or pipe, written into directly.
    Device {
        writer: BufWriter<std::fs::File>,
        path: PathBuf,
    },
}

/// Whether `path` names a device or a pipe rather than a file: it exists and is
/// neither a file nor a folder (a character device, a FIFO, a socket), or it is
/// under `/dev` or `/proc` (`/dev/stdout` when standard output is a file).
fn is_device(path: &Path) -> bool {
    let special = std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir());
    special || (cfg!(unix) && (path.starts_with("/dev/") || path.starts_with("/proc/")))
}

impl Output {
    /// Opens `path` (or stdout for `None`/`-`). Refuses an existing file without
    /// `force` and a missing directory, before anything is written.
    pub(crate) fn open(path: Option<&Path>, force: bool) -> Result<Output> {
        match path.filter(|p| *p != Path::new("-")) {
            None => Ok(Output {
                sink: Sink::Stdout(BufWriter::with_capacity(64 * 1024, io::stdout().lock())),
                announce: false,
            }),
            Some(path) if is_device(path) => {
                let file = std::fs::OpenOptions::new()
                    .write(true)
                    .open(path)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                Ok(Output {
                    sink: Sink::Device {
                        writer: BufWriter::with_capacity(64 * 1024, file),
                        path: path.to_path_buf(),
                    },
                    announce: false,
                })
            }
            Some(path) => {
                check_target(path, force)?;
                let dir = parent_dir(path);
                let temp = tempfile::Builder::new()
                    .prefix(".caseaudit-")
                    .suffix(".tmp")
                    .tempfile_in(dir)
                    .with_context(|| format!("cannot create a file in {}", dir.display()))?;
                Ok(Output {
                    sink: Sink::File {
                        writer: BufWriter::with_capacity(64 * 1024, temp),
                        path: path.to_path_buf(),
                        force,
                    },
                    announce: false,
                })
            }
        }
    }

    /// Flushes, syncs and moves the file into place.
    /// Says on stderr where the file went when it is committed (`wrote PATH`).
    pub(crate) fn announced(mut self, announce: bool) -> Output {
        self.announce = announce;
        self
    }

    pub(crate) fn commit(self) -> Result<()> {
        let announce = self.announce;
        match self.sink {
            Sink::Stdout(mut w) => w.flush().context("writing to standard output"),
            Sink::Device { mut writer, path } => {
                writer
                    .flush()
                    .with_context(|| format!("writing {}", path.display()))?;
                if announce {
                    say!("wrote {}", path.display());
                }
                Ok(())
            }
            Sink::File { writer, path, force } => {
                let temp = writer
                    .into_inner()
                    .map_err(|e| e.into_error())
                    .context("writing output")?;
                temp.as_file().sync_all().context("syncing output")?;
                let persisted = if force {
                    temp.persist(&path)
                } else {
                    temp.persist_noclobber(&path)
                };
                persisted.map_err(|e| {
                    if e.error.kind() == io::ErrorKind::AlreadyExists {
                        anyhow::anyhow!("{} already exists; use --force to replace it", path.display())
                    } else {
                        anyhow::Error::new(e.error).context(format!("cannot write {}", path.display()))
                    }
                })?;
                if announce {
                    say!("wrote {}", path.display());
                }
                Ok(())
            }
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.sink {
            Sink::Stdout(w) => w.write(buf),
            Sink::File { writer, .. } => writer.write(buf),
            Sink::Device { writer, .. } => writer.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match &mut self.sink {
            Sink::Stdout(w) => w.write_all(buf),
            Sink::File { writer, .. } => writer.write_all(buf),
            Sink::Device { writer, .. } => writer.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.sink {
            Sink::Stdout(w) => w.flush(),
            Sink::File { writer, .. } => writer.flush(),
            Sink::Device { writer, .. } => writer.flush(),
        }
    }
}

/// Writes a whole file atomically (temp file, fsync, rename); refuses to replace an
/// existing file unless `force`.
pub(crate) fn write_file_atomic(path: &Path, bytes: &[u8], force: bool) -> Result<()> {
    let mut out = Output::open(Some(path), force)?;
    out.write_all(bytes)
        .with_context(|| format!("writing {}", path.display()))?;
    out.commit()
}

/// Refuses a target that exists (without `force`), is a directory, or lies in a
/// directory that does not exist. A device or pipe is written into as it is.
pub(crate) fn check_target(path: &Path, force: bool) -> Result<()> {
    if is_device(path) {
        return Ok(());
    }
    let dir = parent_dir(path);
    if !dir.is_dir() {
        bail!(
            "cannot write {}: the directory {} does not exist",
            path.display(),
            dir.display()
        );
    }
    if path.is_dir() {
        bail!("cannot write {}: it is a directory", path.display());
    }
    if path.exists() && !force {
        bail!("{} already exists; use --force to replace it", path.display());
    }
    Ok(())
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}
