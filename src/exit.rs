//! The errors that decide the exit code (README.md#exit-codes): 0 success, 1 a data or runtime
//! problem, 2 a usage error; a closed stdout pipe is success.

use std::fmt;
use std::io;

/// A mistake in how the command was called (exit 2).
#[derive(Debug)]
pub(crate) struct UsageError(pub(crate) String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// The command has already told the user what is wrong (on stderr); exit 1 quietly.
#[derive(Debug)]
pub(crate) struct AlreadyReported;

impl fmt::Display for AlreadyReported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("problems were reported above")
    }
}

impl std::error::Error for AlreadyReported {}

/// A panic is a bug, never the user's fault: say so briefly (no backtrace hint). The
/// panic then unwinds, so temporary output files are removed, and the process exits
/// with 101, Rust's code for a panic.
pub(crate) fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        if CAUGHT.get() {
            return;
        }
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(ToString::to_string)
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        say!(
            "caseaudit hit an internal error (a bug, not a problem with your files): {message}{place}\n\
             Nothing was written. Please report it with the command you ran."
        );
    }));
}

thread_local! {
    /// Whether a panic on this thread is caught by [`caught`], which reports it.
    static CAUGHT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f`, a third-party parser given untrusted bytes, turning a panic inside
/// it into `None` (the caller reports the file as damaged) without the
/// internal-error message.
pub(crate) fn caught<T>(f: impl FnOnce() -> T) -> Option<T> {
    let was = CAUGHT.replace(true);
    // Under the fuzzer, whose panic hook aborts on any panic, the hook is set
    // aside meanwhile (the fuzzer runs one thread), so that it goes on to find
    // what is not caught: aborts, hangs, panics elsewhere.
    #[cfg(fuzzing)]
    let hook = {
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        hook
    };
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    #[cfg(fuzzing)]
    std::panic::set_hook(hook);
    CAUGHT.set(was);
    result.ok()
}

/// Shorthand for returning a usage error.
pub(crate) fn usage(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(UsageError(message.into()))
}

/// Whether the error is a write to a closed pipe (`caseaudit cases x.csv | head`).
/// `csv::Error` has no `source()`, so its kind is matched by hand.
pub(crate) fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        if let Some(io_err) = cause.downcast_ref::<io::Error>() {
            return io_err.kind() == io::ErrorKind::BrokenPipe;
        }
        if let Some(csv_err) = cause.downcast_ref::<csv::Error>()
            && let csv::ErrorKind::Io(io_err) = csv_err.kind()
        {
            return io_err.kind() == io::ErrorKind::BrokenPipe;
        }
        if let Some(json_err) = cause.downcast_ref::<serde_json::Error>() {
            return json_err.io_error_kind() == Some(io::ErrorKind::BrokenPipe);
        }
        false
    })
}

/// The exit code for an error, and whether its message still needs printing.
pub(crate) fn classify(err: &anyhow::Error) -> (u8, bool) {
    if is_broken_pipe(err) {
        (0, false)
    } else if err.downcast_ref::<AlreadyReported>().is_some() {
        (1, false)
    } else if err.downcast_ref::<UsageError>().is_some() {
        (2, true)
    } else {
        (1, true)
    }
}
