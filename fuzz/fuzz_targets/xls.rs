//! The `.xls` reader and its bounds (`caseaudit::fuzz::xls`): an `.xls` file, or
//! its workbook stream of BIFF records, which the entry point puts in a valid
//! compound file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| caseaudit::fuzz::xls(bytes));
