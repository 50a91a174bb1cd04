//! Just enough of the W3C WebDriver protocol to drive a headless Chromium
//! through `chromedriver` on loopback: sessions, navigation, elements,
//! clicks, keys, scripts and screenshots.

use base64::Engine;
use serde_json::{Value, json};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A `chromedriver` process, stopped on drop.
pub struct Driver {
    child: Child,
    pub base: String,
    http: reqwest::Client,
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

/// Why the browser tests cannot run here.
pub fn missing_browser() -> Option<String> {
    for tool in ["chromedriver", "chromium"] {
        let found = Command::new(tool)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !found {
            return Some(format!(
                "`{tool}` is not installed. The playground's browser tests need Debian's chromium and chromium-driver: \
                 `apt-get install -y chromium chromium-driver` (as root; .ci/run does it). \
                 To skip these tests on a machine without them, set ALIGNBOT_SKIP_BROWSER_TESTS=1."
            ));
        }
    }
    None
}

impl Driver {
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
            .expect("chromedriver starts");
        let driver = Driver {
            child,
            base: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::new(),
        };
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(r) = driver
                .http
                .get(format!("{}/status", driver.base))
                .send()
                .await
                && r.status().is_success()
            {
                return driver;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "chromedriver did not start"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// A new headless Chromium window of 1280×860.
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
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": args},
        }}});
        let v = call(
            &self.http,
            "POST",
            &format!("{}/session", self.base),
            Some(caps),
        )
        .await
        .expect("a Chromium session starts");
        Session {
            url: format!("{}/session/{}", self.base, v["sessionId"].as_str().unwrap()),
            http: self.http.clone(),
        }
    }
}

async fn call(
    http: &reqwest::Client,
    method: &str,
    url: &str,
    body: Option<Value>,
) -> Result<Value, String> {
    let req = match method {
        "GET" => http.get(url),
        "DELETE" => http.delete(url),
        _ => http
            .post(url)
            .header("content-type", "application/json")
            .body(body.unwrap_or_else(|| json!({})).to_string()),
    };
    let r = req.send().await.map_err(|e| e.to_string())?;
    let ok = r.status().is_success();
    let v: Value = serde_json::from_str(&r.text().await.map_err(|e| e.to_string())?)
        .map_err(|e| e.to_string())?;
    if ok {
        Ok(v["value"].clone())
    } else {
        Err(v["value"].to_string())
    }
}

pub struct Session {
    url: String,
    http: reqwest::Client,
}

#[derive(Clone)]
pub struct Element(String);

impl Session {
    async fn post(&self, path: &str, body: Value) -> Result<Value, String> {
        call(
            &self.http,
            "POST",
            &format!("{}{path}", self.url),
            Some(body),
        )
        .await
    }

    pub async fn close(self) {
        let _ = call(&self.http, "DELETE", &self.url, None).await;
    }

    pub async fn goto(&self, url: &str) {
        self.post("/url", json!({"url": url}))
            .await
            .expect("navigates");
    }

    pub async fn find_all(&self, css: &str) -> Vec<Element> {
        self.post("/elements", json!({"using": "css selector", "value": css}))
            .await
            .ok()
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_default()
            .iter()
            .filter_map(|e| e[ELEMENT].as_str().map(|id| Element(id.to_owned())))
            .collect()
    }

    /// The elements matching `css` inside `parent`.
    pub async fn find_within(&self, parent: &Element, css: &str) -> Vec<Element> {
        self.post(
            &format!("/element/{}/elements", parent.0),
            json!({"using": "css selector", "value": css}),
        )
        .await
        .ok()
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|e| e[ELEMENT].as_str().map(|id| Element(id.to_owned())))
        .collect()
    }

    pub async fn script(&self, script: &str, args: Vec<Value>) -> Value {
        self.post("/execute/sync", json!({"script": script, "args": args}))
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}"))
    }

    /// Waits (up to 15 s) for a visible element matching `css` whose text
    /// contains `text`; returns it.
    pub async fn wait_for(&self, css: &str, text: &str) -> Element {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            for e in self.find_all(css).await {
                if self.displayed(&e).await && self.text(&e).await.contains(text) {
                    return e;
                }
            }
            if tokio::time::Instant::now() > deadline {
                let body = self.script("return document.body.innerText", vec![]).await;
                panic!("no visible `{css}` with {text:?}; the page shows:\n{body}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until no visible element matches `css`.
    pub async fn wait_gone(&self, css: &str) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            let mut visible = false;
            for e in self.find_all(css).await {
                visible |= self.displayed(&e).await;
            }
            if !visible {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "`{css}` is still shown"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn testid(&self, id: &str) -> Element {
        self.wait_for(&format!("[data-testid=\"{id}\"]"), "").await
    }

    /// Whether `e` takes room on the page (not hidden, not display:none).
    pub async fn displayed(&self, e: &Element) -> bool {
        self.post(
            "/execute/sync",
            json!({
                "script": "const e = arguments[0]; return !e.closest('[hidden]') && e.getClientRects().length > 0;",
                "args": [{ELEMENT: e.0}],
            }),
        )
        .await
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
    }

    pub async fn text(&self, e: &Element) -> String {
        call(
            &self.http,
            "GET",
            &format!("{}/element/{}/text", self.url, e.0),
            None,
        )
        .await
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
    }

    pub async fn click(&self, e: &Element) {
        self.post(&format!("/element/{}/click", e.0), json!({}))
            .await
            .unwrap_or_else(|err| panic!("click failed: {err}"));
    }

    pub async fn clear(&self, e: &Element) {
        self.post(&format!("/element/{}/clear", e.0), json!({}))
            .await
            .unwrap_or_else(|err| panic!("clearing failed: {err}"));
    }

    pub async fn type_into(&self, e: &Element, text: &str) {
        self.post(&format!("/element/{}/value", e.0), json!({"text": text}))
            .await
            .unwrap_or_else(|err| panic!("typing failed: {err}"));
    }

    /// A PNG of the window.
    pub async fn screenshot(&self) -> Vec<u8> {
        let v = call(&self.http, "GET", &format!("{}/screenshot", self.url), None)
            .await
            .expect("a screenshot");
        base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap())
            .expect("base64")
    }
}
