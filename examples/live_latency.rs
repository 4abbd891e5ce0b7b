//! Benchmark: how long from saving a page's markdown to the change being on screen in a
//! browser, with `docsite serve`. Starts the server (`DOCSITE_BIN`, default
//! `target/release/docsite`) on a docs folder, opens the page in headless Chromium, then
//! appends a paragraph to the markdown N times. The page stamps the moment the new text is
//! in the document and a frame has been painted (`performance.timeOrigin + now()`); the
//! latency is that stamp minus the wall-clock time just before the file was written. The
//! server's own `rebuilt … in N ms` lines give the incremental rebuild time.
//!
//! The docs folder is edited: run it on a scratch copy (`bench/serve.sh` does).
//!
//! Usage: cargo run --release --example live_latency -- DOCS_DIR PAGE [EDITS]
//!   PAGE is the page's docs-relative path without `.md` (`ai-coder/ai-gateway/monitoring`).

#[path = "../tests/common/cdp.rs"]
mod cdp;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc::channel;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(docs), Some(page)) = (args.first(), args.get(1)) else {
        eprintln!("usage: live_latency DOCS_DIR PAGE [EDITS]");
        std::process::exit(2);
    };
    let edits: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(20);
    let bin = std::env::var("DOCSITE_BIN").unwrap_or_else(|_| "target/release/docsite".into());
    let Some(chromium) = cdp::chromium() else {
        std::process::exit(2);
    };

    let mut server = Command::new(&bin)
        .args(["serve", "--port", "0", "--docs", docs])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {bin}: {e}"));
    let (tx, rebuilt) = channel();
    let stderr = server.stderr.take().expect("stderr");
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            // `rebuilt PATH in N ms, …`
            if let Some(ms) = line
                .strip_prefix("rebuilt ")
                .and_then(|rest| rest.split(" in ").nth(1))
                .and_then(|t| t.split(" ms").next())
                .and_then(|n| n.parse::<f64>().ok())
            {
                let _ = tx.send(ms);
            }
        }
    });
    let mut first = String::new();
    BufReader::new(server.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("serving line");
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .expect("URL")
        .to_string();

    let mut browser = cdp::Browser::launch(&chromium);
    let tab = browser.open(&format!("{url}{page}/"), 1280);
    browser.wait_for(
        &tab,
        "document.documentElement.dataset.live === 'connected'",
        Duration::from_secs(30),
    );
    // Stamp the first painted frame that shows the wanted text.
    browser.eval(
        &tab,
        r#"const now = () => performance.timeOrigin + performance.now();
           const fetch0 = window.fetch;
           window.fetch = function () {
             window.__fetchStart = now();
             return fetch0.apply(this, arguments).then((r) => { window.__fetchEnd = now(); return r; });
           };
           window.__watch = (want) => {
             window.__seen = null;
             const check = () => {
               const c = document.querySelector('.doc-content');
               if (window.__seen === null && c && c.textContent.includes(want)) {
                 window.__swapped = now();
                 requestAnimationFrame(() => setTimeout(() => { window.__seen = now(); }, 0));
                 obs.disconnect();
               }
             };
             const obs = new MutationObserver(check);
             obs.observe(document.documentElement, { childList: true, subtree: true });
           }; true"#,
    );

    let md = PathBuf::from(docs).join(format!("{page}.md"));
    let mut latencies = Vec::new();
    let mut rebuilds = Vec::new();
    // save → page asks for the new HTML → has it → has it in the document → painted.
    let mut phases: [Vec<f64>; 4] = Default::default();
    for i in 0..edits {
        let marker = format!("Latency probe {i} {}", std::process::id());
        browser.eval(&tab, &format!("window.__watch({marker:?})"));
        let mut text = std::fs::read_to_string(&md).expect("read page");
        text.push_str(&format!("\n{marker}\n"));
        let t0 = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock")
            .as_secs_f64()
            * 1000.0;
        std::fs::write(&md, text).expect("write page");
        let seen = browser.wait_for(&tab, "window.__seen", Duration::from_secs(30));
        latencies.push(seen.as_f64().unwrap_or(f64::NAN) - t0);
        let times = browser.eval(
            &tab,
            "[window.__fetchStart, window.__fetchEnd, window.__swapped, window.__seen]",
        );
        let t: Vec<f64> = (0..4).map(|k| times[k].as_f64().unwrap_or(f64::NAN)).collect();
        for (phase, ms) in phases
            .iter_mut()
            .zip([t[0] - t0, t[1] - t[0], t[2] - t[1], t[3] - t[2]])
        {
            phase.push(ms);
        }
        if let Ok(ms) = rebuilt.recv_timeout(Duration::from_secs(5)) {
            rebuilds.push(ms);
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    let _ = server.kill();
    let _ = server.wait();

    println!("page: {page}  edits: {edits}");
    report("save -> visible in browser (ms)", &mut latencies);
    report("incremental rebuild, server (ms)", &mut rebuilds);
    let names = [
        "  save -> page fetches (watch, debounce, rebuild, event)",
        "  page fetch",
        "  parse + swap",
        "  swap -> painted",
    ];
    for (name, v) in names.iter().zip(phases.iter_mut()) {
        report(name, v);
    }
}

fn report(what: &str, v: &mut [f64]) {
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        println!("{what}: no samples");
        return;
    }
    let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    println!(
        "{what}: median {:.1}  p90 {:.1}  min {:.1}  max {:.1}  (n={})",
        at(0.5),
        at(0.9),
        v[0],
        v[v.len() - 1],
        v.len()
    );
}
