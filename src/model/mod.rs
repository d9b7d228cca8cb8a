//! The model layer: what the inputs mean, independent of how they were written. For now the
//! typed Django settings ([`settings::Settings`]); the server-neutral picture of nginx and
//! Apache httpd joins it here.

pub mod settings;
