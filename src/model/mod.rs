//! The model layer: what the inputs mean, independent of how they were written. One
//! server-neutral picture of the front server ([`server`]), built from each server's tree the way
//! that server decides ([`nginx`]), how requests are routed inside it ([`routing`]), and the typed
//! Django settings ([`settings`]).

pub mod apache;
pub mod hosts;
pub mod nginx;
pub mod routing;
pub mod server;
pub mod settings;
