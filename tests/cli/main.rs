//! Integration tests: the real binary on real files in temporary folders.

// The harness is shared between test modules of this one crate.
#![allow(unreachable_pub)]

mod common;

mod actions;
mod allocate;
mod blocks;
mod cases;
mod census;
mod corpus;
mod demo;
mod dip;
mod docs;
mod episodes;
mod examples;
mod forms;
mod forms_fixes;
mod forms_saved;
mod generate;
mod generated;
mod help_examples;
mod history;
mod init;
mod layouts;
mod line_breaks;
mod moderate;
mod packs;
mod pipes;
mod plan;
mod progress;
mod realloc;
mod record;
mod report;
mod rerun;
mod rules;
mod sample;
mod tables;
mod themes;
mod titles;
mod validate;
mod workbook;
mod workbook_limits;
