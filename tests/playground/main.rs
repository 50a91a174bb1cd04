//! The playground (`alignbot playground`): its page API and local Web API
//! through the real bot, and the page itself in a headless Chromium.

mod api;
mod browser;
mod page;
mod support;
mod time;
mod webdriver;
