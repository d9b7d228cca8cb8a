//! deploy-audit: audits the seam between the web server (nginx, Apache httpd) and a Django app.
//!
//! Layers import only downward: [`syntax`] (text → spanned trees) → [`model`] (one
//! server-neutral picture plus typed Django settings) → [`rules`] → [`report`].

pub mod check;
pub mod cli;
pub mod commands;
pub mod config;
pub mod diagnostic;
pub mod diff;
pub mod discover;
pub mod model;
pub mod report;
pub mod rules;
pub mod source;
pub mod syntax;
