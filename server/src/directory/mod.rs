//! What the organisation knows and decides about people: customer records
//! as admins see and change them, membership tiers, profile attributes, and
//! the admins themselves.

pub mod admins;
pub mod attributes;
pub mod customers;
pub mod search;
pub mod tier_moves;
pub mod tiers;
