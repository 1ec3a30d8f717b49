//! Integration tests: the real binary on real files in temporary folders.

mod common;

mod actions;
mod cases;
mod demo;
mod dip;
mod plan;
mod record;
mod sample;
mod themes;
mod validate;
