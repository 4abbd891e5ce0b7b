//! A real `docsite serve` process on 127.0.0.1 port 0, and just enough HTTP to talk to it:
//! raw requests (so paths reach the server exactly as written) and an event-stream reader.
//! Also used by the live-reload benchmark (`examples/live_latency.rs`).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

/// A running server, killed when dropped.
pub struct Server {
    pub child: Child,
    /// `127.0.0.1:PORT`
    pub addr: String,
    pub url: String,
    /// The server's stderr, line by line.
    pub log: Receiver<String>,
}

impl Server {
    pub fn start(docs: &Path, extra: &[&str]) -> Server {
        Server::start_on(docs, 0, extra)
    }

    /// Starts a server on `port` (0: any free port).
    pub fn start_on(docs: &Path, port: u16, extra: &[&str]) -> Server {
        // Set by cargo for integration tests only; an example passes its binary instead.
        let Some(bin) = option_env!("CARGO_BIN_EXE_docsite") else {
            panic!("start_on is for integration tests; use start_binary")
        };
        Server::start_binary(Path::new(bin), docs, port, extra)
    }

    /// Starts `binary serve` on `port` (0: any free port).
    pub fn start_binary(binary: &Path, docs: &Path, port: u16, extra: &[&str]) -> Server {
        let mut child = Command::new(binary)
            .args(["serve", "--port", &port.to_string(), "--docs"])
            .arg(docs)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start docsite serve");
        let (tx, log) = channel();
        let stderr = child.stderr.take().expect("stderr");
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut first = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut first)
            .expect("read the serving line");
        let url = first
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no URL in {first:?}"))
            .to_string();
        let addr = url.trim_start_matches("http://").trim_end_matches('/').to_string();
        Server { child, addr, url, log }
    }

    pub fn port(&self) -> u16 {
        self.addr.rsplit(':').next().and_then(|p| p.parse().ok()).unwrap_or(0)
    }

    pub fn get(&self, path: &str) -> Reply {
        self.request("GET", path, &[])
    }

    /// Asks for each hostile path and expects a 400 or a 404 that shows neither `secret`
    /// nor `/etc/passwd`.
    pub fn assert_refuses(&self, probes: &[&str], secret: &str) {
        for probe in probes {
            let r = self.get(probe);
            assert!(
                r.status == 400 || r.status == 404,
                "{probe}: status {} (expected 400 or 404)",
                r.status
            );
            assert!(!r.text().contains(secret), "{probe} leaked the file");
            assert!(!r.text().contains("root:x:0"), "{probe} leaked /etc/passwd");
        }
    }

    /// Sends one request, exactly as given, and reads the whole reply.
    pub fn request(&self, method: &str, path: &str, headers: &[(&str, &str)]) -> Reply {
        Client::new(&self.addr).request(method, path, headers)
    }

    /// Opens the live-reload event stream.
    pub fn events(&self) -> Events {
        self.events_at("/")
    }

    /// Opens the live-reload event stream of the site mounted at `mount` (`/@main/`).
    pub fn events_at(&self, mount: &str) -> Events {
        let mut s = TcpStream::connect(&self.addr).expect("connect");
        let req = format!(
            "GET {mount}_docsite/__live HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\n\r\n",
            self.addr
        );
        s.write_all(req.as_bytes()).unwrap();
        let (tx, rx) = channel();
        let mut reader = BufReader::new(s);
        std::thread::spawn(move || {
            let (mut name, mut data) = (String::new(), String::new());
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
                let l = line.trim_end_matches(['\r', '\n']);
                if let Some(v) = l.strip_prefix("event: ") {
                    name = v.to_string();
                } else if let Some(v) = l.strip_prefix("data: ") {
                    data = v.to_string();
                } else if l.is_empty() && !name.is_empty() {
                    let value = serde_json::from_str(&data).unwrap_or(serde_json::Value::Null);
                    if tx.send((std::mem::take(&mut name), value)).is_err() {
                        break;
                    }
                }
                line.clear();
            }
        });
        Events { rx }
    }

    /// Waits for a line on stderr that contains `needle`; returns it.
    pub fn wait_log(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.log.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return line,
                Ok(_) => {}
                Err(_) => break,
            }
        }
        panic!("no log line with {needle:?}")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Plain HTTP requests to a server address, from any thread.
#[derive(Clone)]
pub struct Client {
    addr: String,
}

impl Client {
    pub fn new(addr: &str) -> Client {
        Client { addr: addr.to_string() }
    }

    pub fn get(&self, path: &str) -> Reply {
        self.request("GET", path, &[])
    }

    /// Sends one request, exactly as given, and reads the whole reply.
    pub fn request(&self, method: &str, path: &str, headers: &[(&str, &str)]) -> Reply {
        let mut s = TcpStream::connect(&self.addr).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let mut req = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
            self.addr
        );
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        req.push_str("\r\n");
        s.write_all(req.as_bytes()).unwrap();
        let mut raw = Vec::new();
        let _ = s.read_to_end(&mut raw);
        Reply::parse(&raw)
    }
}

/// An event stream: `(event name, JSON data)` as they arrive.
pub struct Events {
    rx: Receiver<(String, serde_json::Value)>,
}

impl Events {
    /// The next event named `name`, skipping others; panics after 10 s.
    pub fn next(&self, name: &str) -> serde_json::Value {
        self.next_within(name, Duration::from_secs(10))
            .unwrap_or_else(|| panic!("no `{name}` event within 10 s"))
    }

    pub fn next_within(&self, name: &str, wait: Duration) -> Option<serde_json::Value> {
        let deadline = Instant::now() + wait;
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            match self.rx.recv_timeout(left) {
                Ok((n, v)) if n == name => return Some(v),
                Ok(_) => {}
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return None,
            }
        }
    }

    /// Any event within `wait`.
    pub fn any_within(&self, wait: Duration) -> Option<(String, serde_json::Value)> {
        self.rx.recv_timeout(wait).ok()
    }
}

/// A parsed HTTP reply.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    fn parse(raw: &[u8]) -> Reply {
        let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap_or(raw.len());
        let head = String::from_utf8_lossy(&raw[..split]);
        let mut lines = head.lines();
        let status = lines
            .next()
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let body = raw.get(split + 4..).unwrap_or_default().to_vec();
        Reply { status, headers, body }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}
