//! The browser side of the playground's end-to-end tests: a `chromedriver`
//! process of our own and a headless Chromium session driven through it with
//! `fantoccini` (a maintained W3C WebDriver client over hyper 1, which we
//! already build; thirtyfour would turn on serde_json's `preserve_order` for
//! the whole crate under test), plus the few waits the tests share. The
//! page updates on its own after a click, so finding what it shows is a
//! bounded wait on the page, never a fixed sleep.
//!
//! Only the tests in `browser.rs` use it, and each of them is marked
//! `#[ignore = "needs chromium and chromedriver"]`: `cargo test --locked`
//! reports them as not run on a machine without a browser; `.ci/run`
//! installs one and runs them with `--include-ignored`.

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// How long the page may take to show something.
const PATIENCE: Duration = Duration::from_secs(15);
/// How often the page is looked at while waiting.
const POLL: Duration = Duration::from_millis(50);

/// A `chromedriver` process, stopped on drop.
pub struct Driver {
    child: Child,
    base: String,
}

/// Stops chromedriver and the Chromium it started (they share a process
/// group of their own), also when a test fails before closing its session.
impl Drop for Driver {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg("--")
            .arg(format!("-{}", self.child.id()))
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    /// Starts `chromedriver` on a free port and waits until it answers.
    pub async fn start() -> Driver {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect(
                "chromedriver starts (Debian's chromium and chromium-driver: \
                 `apt-get install -y chromium chromium-driver`; .ci/run installs them)",
            );
        let driver = Driver {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        // The process is up before its port is: wait for the port.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            assert!(
                tokio::time::Instant::now() < deadline,
                "chromedriver did not start"
            );
            tokio::time::sleep(POLL).await;
        }
        driver
    }

    /// A new headless Chromium window of 1280×860 with its profile in
    /// `profile`.
    pub async fn session(&self, profile: &std::path::Path) -> Session {
        let args = [
            "--headless=new".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--window-size=1280,860".to_owned(),
            "--force-device-scale-factor=1".to_owned(),
            format!("--user-data-dir={}", profile.display()),
        ];
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("chrome"));
        caps.insert(
            "goog:chromeOptions".into(),
            json!({"binary": "/usr/bin/chromium", "args": args}),
        );
        // chromedriver is on loopback and speaks plain HTTP: no TLS needed.
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&self.base)
            .await
            .expect("a Chromium session starts");
        Session { client }
    }
}

/// One browser window.
pub struct Session {
    client: Client,
}

impl Session {
    pub async fn close(self) {
        let _ = self.client.close().await;
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.expect("navigates");
    }

    /// The elements matching `css` inside `parent`.
    pub async fn find_within(&self, parent: &Element, css: &str) -> Vec<Element> {
        parent.find_all(Locator::Css(css)).await.unwrap_or_default()
    }

    pub async fn script(&self, script: &str, args: Vec<Value>) -> Value {
        self.client
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}"))
    }

    /// Waits until the page's animations (focus rings, fades) are over, for
    /// a screenshot that shows the resting page.
    pub async fn settle_animations(&self) {
        self.client
            .execute_async(
                "const done = arguments[0];
                 Promise.all(document.getAnimations().map(a => a.finished.catch(() => {})))
                   .then(() => requestAnimationFrame(() => requestAnimationFrame(() => done())));",
                Vec::new(),
            )
            .await
            .unwrap_or_else(|e| panic!("waiting for animations failed: {e}"));
    }

    /// Waits (up to 15 s) for a visible element matching `css` whose text
    /// contains `text`; returns it.
    pub async fn wait_for(&self, css: &str, text: &str) -> Element {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            for e in self
                .client
                .find_all(Locator::Css(css))
                .await
                .unwrap_or_default()
            {
                if self.displayed(&e).await && self.text(&e).await.contains(text) {
                    return e;
                }
            }
            if tokio::time::Instant::now() > deadline {
                let body = self.script("return document.body.innerText", vec![]).await;
                panic!("no visible `{css}` with {text:?}; the page shows:\n{body}");
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits (up to 15 s) until no visible element matches `css`.
    pub async fn wait_gone(&self, css: &str) {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let mut visible = false;
            for e in self
                .client
                .find_all(Locator::Css(css))
                .await
                .unwrap_or_default()
            {
                visible |= self.displayed(&e).await;
            }
            if !visible {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "`{css}` is still shown"
            );
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits for the visible element with this `data-testid`.
    pub async fn testid(&self, id: &str) -> Element {
        self.wait_for(&format!("[data-testid=\"{id}\"]"), "").await
    }

    /// Whether `e` takes room on the page (not inside `[hidden]`, not
    /// `display: none`); WebDriver's own "displayed" ignores `[hidden]`
    /// ancestors in some drivers.
    pub async fn displayed(&self, e: &Element) -> bool {
        let Ok(arg) = serde_json::to_value(e) else {
            return false;
        };
        self.client
            .execute(
                "const e = arguments[0]; return !e.closest('[hidden]') && e.getClientRects().length > 0;",
                vec![arg],
            )
            .await
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false)
    }

    /// The element's rendered text ("" once it is gone from the page).
    pub async fn text(&self, e: &Element) -> String {
        e.text().await.unwrap_or_default()
    }

    pub async fn click(&self, e: &Element) {
        e.click()
            .await
            .unwrap_or_else(|err| panic!("click failed: {err}"));
    }

    pub async fn clear(&self, e: &Element) {
        e.clear()
            .await
            .unwrap_or_else(|err| panic!("clearing failed: {err}"));
    }

    pub async fn type_into(&self, e: &Element, text: &str) {
        e.send_keys(text)
            .await
            .unwrap_or_else(|err| panic!("typing failed: {err}"));
    }

    /// A PNG of the window.
    pub async fn screenshot(&self) -> Vec<u8> {
        self.client.screenshot().await.expect("a screenshot")
    }
}
