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
#[path = "../tests/common/serve.rs"]
#[allow(dead_code)]
mod serve;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

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

    let server = serve::Server::start_binary(Path::new(&bin), Path::new(docs), 0, &[]);
    let url = server.url.clone();

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
        if let Some(ms) = rebuild_ms(&server, Duration::from_secs(5)) {
            rebuilds.push(ms);
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    drop(server);

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

/// The time of the server's next `rebuilt PATH in N ms, …` line.
fn rebuild_ms(server: &serve::Server, wait: Duration) -> Option<f64> {
    let deadline = Instant::now() + wait;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        let line = server.log.recv_timeout(left).ok()?;
        let ms = line
            .strip_prefix("rebuilt ")
            .and_then(|rest| rest.split(" in ").nth(1))
            .and_then(|t| t.split(" ms").next())
            .and_then(|n| n.parse::<f64>().ok());
        if ms.is_some() {
            return ms;
        }
    }
    None
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
