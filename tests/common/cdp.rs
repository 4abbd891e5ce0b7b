//! A headless Debian `chromium` driven over the Chrome DevTools Protocol: open a page,
//! run script in it, wait for what a person would see. Used by the browser tests of
//! `serve` and by the live-reload latency benchmark (`examples/live_latency.rs`).

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

/// The chromium binary: `$DOCSITE_CHROMIUM`, else `/usr/bin/chromium`. Missing is a
/// failure under CI (`CI` set) and a skip elsewhere.
pub fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("DOCSITE_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| "/usr/bin/chromium".into());
    if path.exists() {
        return Some(path);
    }
    if std::env::var_os("CI").is_some() {
        panic!(
            "chromium not found at {} (install Debian's chromium or set DOCSITE_CHROMIUM)",
            path.display()
        );
    }
    eprintln!("skipping: no chromium at {}", path.display());
    None
}

pub struct Browser {
    child: Child,
    ws: WebSocket<MaybeTlsStream<TcpStream>>,
    next_id: u64,
    _profile: tempfile::TempDir,
}

/// One tab, by its DevTools session.
pub struct Tab {
    session: String,
    target: String,
}

impl Browser {
    pub fn launch(binary: &std::path::Path) -> Browser {
        let profile = tempfile::tempdir().expect("profile folder");
        let mut child = Command::new(binary)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--disable-background-networking",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                "--window-size=1280,900",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start chromium");
        let stderr = child.stderr.take().expect("stderr");
        let mut lines = BufReader::new(stderr).lines();
        let ws_url = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(url) = line.split_whitespace().find(|w| w.starts_with("ws://")) {
                        break url.to_string();
                    }
                }
                _ => panic!("chromium exited before it listened for DevTools"),
            }
        };
        // Keep draining stderr so chromium never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        let (ws, _) = tungstenite::connect(ws_url.as_str()).expect("connect to DevTools");
        Browser {
            child,
            ws,
            next_id: 0,
            _profile: profile,
        }
    }

    /// Sends a command and waits for its answer, skipping events.
    pub fn call(&mut self, session: Option<&str>, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut msg = json!({ "id": id, "method": method, "params": params });
        if let Some(s) = session {
            msg["sessionId"] = json!(s);
        }
        self.ws.send(Message::text(msg.to_string())).expect("send to DevTools");
        loop {
            let reply = self.ws.read().expect("read from DevTools");
            let Message::Text(text) = reply else { continue };
            let v: Value = serde_json::from_str(text.as_str()).expect("DevTools JSON");
            if v["id"] == json!(id) {
                if let Some(err) = v.get("error") {
                    panic!("{method} failed: {err}");
                }
                return v["result"].clone();
            }
        }
    }

    /// Opens `url` in a new tab of `width`×900 CSS pixels.
    pub fn open(&mut self, url: &str, width: u32) -> Tab {
        let target = self.call(None, "Target.createTarget", json!({ "url": "about:blank" }));
        let attached = self.call(
            None,
            "Target.attachToTarget",
            json!({ "targetId": target["targetId"], "flatten": true }),
        );
        let tab = Tab {
            session: attached["sessionId"].as_str().expect("session id").to_string(),
            target: target["targetId"].as_str().expect("target id").to_string(),
        };
        let s = Some(tab.session.as_str());
        self.call(
            s,
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": 900, "deviceScaleFactor": 1, "mobile": false }),
        );
        self.call(s, "Page.navigate", json!({ "url": url }));
        self.wait_for(&tab, "document.readyState === 'complete'", Duration::from_secs(20));
        tab
    }

    /// Closes the tab.
    #[allow(dead_code)] // Not every test crate that includes this module uses it.
    pub fn close(&mut self, tab: Tab) {
        self.call(None, "Target.closeTarget", json!({ "targetId": tab.target }));
    }

    /// Evaluates `expr` in the tab (awaiting a promise) and returns its value.
    pub fn eval(&mut self, tab: &Tab, expr: &str) -> Value {
        let r = self.call(
            Some(&tab.session),
            "Runtime.evaluate",
            json!({ "expression": expr, "returnByValue": true, "awaitPromise": true }),
        );
        if let Some(e) = r.get("exceptionDetails") {
            panic!("script failed: {expr}: {e}");
        }
        r["result"]["value"].clone()
    }

    /// Makes the tab lay out for `media` (`"print"`, `"screen"`) with the media `features`
    /// given as (name, value), such as `("prefers-color-scheme", "dark")`.
    #[allow(dead_code)] // Not every test crate that includes this module uses it.
    pub fn emulate_media(&mut self, tab: &Tab, media: &str, features: &[(&str, &str)]) {
        let features: Vec<Value> = features
            .iter()
            .map(|(name, value)| json!({ "name": name, "value": value }))
            .collect();
        self.call(
            Some(&tab.session),
            "Emulation.setEmulatedMedia",
            json!({ "media": media, "features": features }),
        );
    }

    /// The types of the event listeners on the object `expr` evaluates to (`document`,
    /// `window`), sorted, as DevTools lists them.
    #[allow(dead_code)] // Not every test crate that includes this module uses it.
    pub fn listeners(&mut self, tab: &Tab, expr: &str) -> Vec<String> {
        let s = Some(tab.session.as_str());
        let object = self.call(s, "Runtime.evaluate", json!({ "expression": expr }));
        let id = object["result"]["objectId"].clone();
        let found = self.call(s, "DOMDebugger.getEventListeners", json!({ "objectId": id }));
        let mut types: Vec<String> = found["listeners"]
            .as_array()
            .map(|all| {
                all.iter()
                    .filter_map(|l| l["type"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        types.sort();
        types
    }

    /// Polls `expr` every 10 ms until it is truthy; returns its value. Panics after `limit`.
    pub fn wait_for(&mut self, tab: &Tab, expr: &str, limit: Duration) -> Value {
        let deadline = Instant::now() + limit;
        loop {
            let v = self.eval(
                tab,
                &format!("(() => {{ try {{ return {expr}; }} catch (e) {{ return null; }} }})()"),
            );
            let truthy = !matches!(&v, Value::Null | Value::Bool(false)) && v != json!(0) && v != json!("");
            if truthy {
                return v;
            }
            if Instant::now() > deadline {
                panic!("timed out after {limit:?} waiting for {expr}");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
