//! Each analysis command's result, built once for both front ends: the CLI prints it, the
//! server returns it. Each takes the scenario already laid onto its profiles.

pub mod access;
pub mod convoy;
pub mod evacuate;
pub mod siege;
