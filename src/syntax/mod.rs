//! Text → spanned trees. Every parser here never panics: any input ends in a tree or in located
//! errors.

pub mod apache;
pub mod django;
pub mod nginx;
