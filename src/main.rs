//! caseaudit: the command-line tool. Everything lives in the library; see `src/lib.rs`.

fn main() -> std::process::ExitCode {
    caseaudit::run()
}
