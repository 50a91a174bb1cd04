//! What people type after a command, read into commands the app runs:
//! platform-neutral, so every chat adapter shares it.

pub mod goal;
