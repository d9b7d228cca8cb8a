//! One server-neutral picture of the front server ([`server`]), built from each server's tree
//! the way that server decides ([`nginx`]), and how requests are routed inside it ([`routing`]).

pub mod hosts;
pub mod nginx;
pub mod routing;
pub mod server;
