//! A sample manifest as `verify` reads it (`caseaudit::fuzz::manifest`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| caseaudit::fuzz::manifest(bytes));
