//! Teams authentication, both ways, against a local fake of Microsoft's
//! identity platform: one test binary, `mod` lines only.

mod auth;
mod fake_identity;
mod logs;
mod support;
mod token;
