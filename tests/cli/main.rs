//! Integration tests: the real binary on real files in temporary folders.

mod common;

mod cases;
mod demo;
mod dip;
mod generated;
mod plan;
mod record;
mod sample;
mod validate;
