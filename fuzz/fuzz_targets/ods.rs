//! The `.ods` reader (`caseaudit::fuzz::ods`): an `.ods` file, or its
//! `content.xml` (then a NUL byte and the manifest), which the entry point puts in
//! a valid zip.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| caseaudit::fuzz::ods(bytes));
