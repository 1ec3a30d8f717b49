//! The workbook reader (`caseaudit::fuzz::workbook`): an `.xlsx` file, or the
//! parts of one (sheet XML, shared strings, styles, workbook) separated by NUL
//! bytes, which the entry point puts in a valid zip.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| caseaudit::fuzz::workbook(bytes));
