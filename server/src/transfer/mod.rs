//! Customers in and out in bulk: `gatehouse import` and `gatehouse export`
//! (and the console's download of a search).

pub mod columns;
pub mod export;
pub mod import;
