//! The webhook sink against local receivers: one that fails the first deliveries, one that
//! answers 410, one that is not there, and a process killed mid-delivery and restarted. The
//! inventory comes from a real scan of the Azure stand-in estate.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use support::*;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// Recomputes a Standard Webhooks signature independently of the sink's signer.
fn verify(req: &Request) -> bool {
    let h = |n: &str| req.headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let key = base64::engine::general_purpose::STANDARD.decode(&SECRET[6..]).expect("key");
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("hmac");
    mac.update(format!("{}.{}.", h("webhook-id"), h("webhook-timestamp")).as_bytes());
    mac.update(&req.body);
    let want = format!("v1,{}", base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()));
    h("webhook-signature").split(' ').any(|s| s == want)
}

struct Setup {
    dir: tempfile::TempDir,
    cfg: String,
    _azure: MockServer,
}

async fn setup(webhook_extra: &str) -> Setup {
    let azure = azure::estate().await;
    let dir = workdir();
    stub_az(dir.path());
    let spool = dir.path().join("spool");
    let cfg = write(
        dir.path(),
        "aimscope.toml",
        &format!(
            "{}[webhook]\nbatch_bytes = 8000\nmax_attempts = 4\ntimeout_secs = 5\nspool_dir = \"{}\"\n\
             headers_from_env = {{ \"Authorization\" = \"HOOK_AUTH\" }}\n{webhook_extra}",
            azure::config(&azure),
            spool.display()
        ),
    )
    .display()
    .to_string();
    Setup { dir, cfg, _azure: azure }
}

fn scan_env() -> Vec<(&'static str, String)> {
    vec![("AIMSCOPE_WEBHOOK_SECRET", SECRET.to_owned()), ("HOOK_AUTH", "Bearer hook-token".to_owned())]
}

async fn scan(s: &Setup, url: &str) -> (Option<i32>, String) {
    let res = aimscope_async(
        args(&["scan", "--provider", "azure", "--config", &s.cfg, "--webhook", url]),
        scan_env(),
        s.dir.path().to_owned(),
    )
    .await;
    (res.status.code(), String::from_utf8_lossy(&res.stderr).into_owned())
}

fn spooled(s: &Setup) -> usize {
    std::fs::read_dir(s.dir.path().join("spool"))
        .map(|d| d.filter_map(|e| e.ok()).filter(|e| e.path().extension().is_some_and(|x| x == "batch")).count())
        .unwrap_or(0)
}

/// (run id, sequence) → batch count, from accepted deliveries.
fn snapshots(reqs: &[Request]) -> BTreeMap<(String, u64), u64> {
    reqs.iter()
        .map(|r| {
            let v: serde_json::Value = serde_json::from_slice(&r.body).expect("batch is JSON");
            (
                (v["run"]["id"].as_str().unwrap_or("").to_owned(), v["sequence"].as_u64().unwrap_or(0)),
                v["batch_count"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_receiver_down_for_the_first_deliveries_gets_every_batch_signed() {
    let s = setup("").await;
    let hook = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&hook)
        .await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(204)).mount(&hook).await;
    let (code, stderr) = scan(&s, &format!("{}/hooks/aimscope", hook.uri())).await;
    // The scan itself is partial (a denied subscription in the estate); delivery succeeded.
    assert_eq!(code, Some(4), "{stderr}");
    let reqs = hook.received_requests().await.unwrap_or_default();
    assert!(reqs.iter().all(verify), "every attempt carries a valid signature");
    assert!(
        reqs.iter().all(|r| r.headers.get("authorization").and_then(|v| v.to_str().ok()) == Some("Bearer hook-token"))
    );
    // The first two attempts failed and were retried with the same webhook-id.
    let ids: Vec<String> = reqs
        .iter()
        .map(|r| r.headers.get("webhook-id").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned())
        .collect();
    assert_eq!(ids[0], ids[1]);
    assert_eq!(ids[1], ids[2]);
    let snaps = snapshots(&reqs);
    let count = *snaps.values().next().expect("a batch");
    assert!(count > 1, "8 kB batches split the inventory");
    let run = snaps.keys().next().map(|k| k.0.clone()).unwrap_or_default();
    let seqs: BTreeSet<u64> = snaps.keys().filter(|k| k.0 == run).map(|k| k.1).collect();
    assert_eq!(seqs, (1..=count).collect(), "a receiver can tell it holds the whole snapshot");
    assert!(reqs.iter().all(|r| r.body.len() <= 8000));
    assert_eq!(spooled(&s), 0, "delivered batches leave the spool");
}

#[tokio::test(flavor = "multi_thread")]
async fn gone_disables_the_endpoint_and_an_unreachable_one_loses_nothing() {
    let s = setup("").await;
    let hook = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(410)).mount(&hook).await;
    let (code, stderr) = scan(&s, &hook.uri()).await;
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("410 Gone: endpoint disabled"), "{stderr}");
    assert_eq!(hook.received_requests().await.map(|r| r.len()), Some(1), "no further deliveries after 410");
    let after_gone = spooled(&s);
    assert!(after_gone > 1, "batches stay spooled");

    // Nothing listens on this port: attempts fail, every batch stays for the next run.
    let dead = format!("http://127.0.0.1:{}/hook", free_port());
    let (code, stderr) = scan(&s, &dead).await;
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("not delivered; kept in"), "{stderr}");
    assert_eq!(spooled(&s), after_gone * 2, "both runs' batches are kept");

    // A healthy receiver later gets all of them.
    let ok = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200)).mount(&ok).await;
    let (code, stderr) = scan(&s, &ok.uri()).await;
    assert_eq!(code, Some(4), "{stderr}");
    let runs: BTreeSet<String> =
        snapshots(&ok.received_requests().await.unwrap_or_default()).keys().map(|k| k.0.clone()).collect();
    assert_eq!(runs.len(), 3, "the two earlier runs' batches are delivered with this run's");
    assert_eq!(spooled(&s), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_process_killed_mid_delivery_resends_on_restart() {
    let s = setup("").await;
    let slow = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(8)))
        .mount(&slow)
        .await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_aimscope"))
        .args(["scan", "--provider", "azure", "--config", &s.cfg, "--webhook", &slow.uri()])
        .env_clear()
        .env("PATH", s.dir.path().join("bin"))
        .env("HOME", s.dir.path())
        .envs(scan_env())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start aimscope");
    let deadline = Instant::now() + Duration::from_secs(30);
    while slow.received_requests().await.map(|r| r.len()).unwrap_or(0) == 0 {
        assert!(Instant::now() < deadline, "no delivery started");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    child.kill().expect("kill");
    let _ = child.wait();
    let left = spooled(&s);
    assert!(left > 1, "the killed run's batches are on disk");
    let first_run = snapshots(&slow.received_requests().await.unwrap_or_default())
        .keys()
        .next()
        .map(|k| k.0.clone())
        .unwrap_or_default();

    let ok = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200)).mount(&ok).await;
    let (code, stderr) = scan(&s, &ok.uri()).await;
    assert_eq!(code, Some(4), "{stderr}");
    let got = snapshots(&ok.received_requests().await.unwrap_or_default());
    let first: BTreeSet<u64> = got.keys().filter(|k| k.0 == first_run).map(|k| k.1).collect();
    let count = got.iter().find(|(k, _)| k.0 == first_run).map(|(_, c)| *c).unwrap_or(0);
    assert_eq!(first, (1..=count).collect(), "every batch of the killed run arrives after the restart");
    assert_eq!(spooled(&s), 0);
}

/// A raw HTTP receiver on 127.0.0.1: the first `drops` connections are closed after part of
/// the body has arrived (no response); later requests are read whole and answered 200.
/// Returns the address and the bodies it accepted.
fn dropping_receiver(drops: usize) -> (String, std::sync::Arc<std::sync::Mutex<Vec<Vec<u8>>>>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = format!("http://{}/hook", listener.local_addr().expect("addr"));
    let accepted = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = accepted.clone();
    std::thread::spawn(move || {
        let mut seen = 0;
        for stream in listener.incoming().take(200) {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            let mut need: Option<usize> = None;
            while let Ok(n) = stream.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                buf.extend_from_slice(&chunk[..n]);
                if need.is_none()
                    && let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n")
                {
                    let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                    let len = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:").map(|v| v.trim().parse::<usize>().unwrap_or(0)))
                        .unwrap_or(0);
                    need = Some(end + 4 + len);
                }
                if seen < drops && need.is_some() {
                    // Mid-body: the headers are in, the body is not finished.
                    break;
                }
                if need.is_some_and(|n| buf.len() >= n) {
                    break;
                }
            }
            seen += 1;
            if seen <= drops {
                drop(stream);
                continue;
            }
            let start = buf.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 4).unwrap_or(buf.len());
            if let Ok(mut a) = sink.lock() {
                a.push(buf[start..].to_vec());
            }
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
        }
    });
    (addr, accepted)
}

#[tokio::test(flavor = "multi_thread")]
async fn connections_dropped_mid_body_are_retried_until_every_batch_lands() {
    let s = setup("").await;
    let (url, accepted) = dropping_receiver(2);
    let (code, stderr) = scan(&s, &url).await;
    assert_eq!(code, Some(4), "{stderr}");
    let bodies = accepted.lock().map(|b| b.clone()).unwrap_or_default();
    let batches: Vec<serde_json::Value> =
        bodies.iter().map(|b| serde_json::from_slice(b).expect("whole JSON body")).collect();
    let count = batches[0]["batch_count"].as_u64().unwrap_or(0);
    let seqs: BTreeSet<u64> = batches.iter().filter_map(|b| b["sequence"].as_u64()).collect();
    assert_eq!(seqs, (1..=count).collect());
    assert_eq!(spooled(&s), 0);
}

/// Every path that shows a receiver or its credentials (delivery failures, `-vv` traces, both
/// log formats, a bad environment override) names them without the secret parts: URL
/// userinfo and query values, static and environment-sourced header values, the signing
/// secret. Nothing planted reaches stderr, stdout, the output file or the spool.
#[tokio::test(flavor = "multi_thread")]
async fn credentials_of_a_failing_receiver_never_reach_logs_or_files() {
    const PLANTED: [&str; 5] = [
        "PLANTEDuserinfo",
        "PLANTEDquerytoken",
        "PLANTEDstaticheader",
        "PLANTEDenvheader",
        "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    ];
    let s = setup("headers = { \"X-Api-Key\" = \"PLANTEDstaticheader\" }\n").await;
    let hook = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(500)).mount(&hook).await;
    let port = hook.address().port();
    let url = format!("http://hook-user:PLANTEDuserinfo@127.0.0.1:{port}/in?token=PLANTEDquerytoken&team=grc");
    let dead = format!("http://hook-user:PLANTEDuserinfo@127.0.0.1:{}/in?token=PLANTEDquerytoken", free_port());
    let env =
        || vec![("AIMSCOPE_WEBHOOK_SECRET", SECRET.to_owned()), ("HOOK_AUTH", "Bearer PLANTEDenvheader".to_owned())];
    let out = s.dir.path().join("inv.json");
    let mut seen = Vec::new();
    for (receiver, log) in [(&url, "human"), (&dead, "json")] {
        let res = aimscope_async(
            args(&[
                "-vv",
                "--log-format",
                log,
                "scan",
                "--provider",
                "azure",
                "--no-progress",
                "--config",
                &s.cfg,
                "--webhook",
                receiver,
                "--out",
                &out.display().to_string(),
            ]),
            env(),
            s.dir.path().to_owned(),
        )
        .await;
        let stderr = String::from_utf8_lossy(&res.stderr).into_owned();
        assert_eq!(res.status.code(), Some(1), "an undelivered webhook fails the run: {stderr}");
        // The failure names the receiver, with its secrets masked.
        assert!(stderr.contains("127.0.0.1:") && stderr.contains("***"), "{stderr}");
        seen.push((format!("scan -vv --log-format {log} → {receiver}: stderr"), stderr));
        seen.push(("stdout".into(), String::from_utf8_lossy(&res.stdout).into_owned()));
    }
    let reqs = hook.received_requests().await.unwrap_or_default();
    assert!(!reqs.is_empty(), "the receiver was tried");
    // The receiver itself gets the credentials it is owed.
    assert!(reqs.iter().all(|r| r.headers.get("x-api-key").is_some_and(|v| v == "PLANTEDstaticheader")));
    assert!(reqs.iter().all(|r| r.headers.contains_key("authorization")));

    // A bad override of a webhook key is named, its value not echoed.
    let mut bad = env();
    bad.push(("AIMSCOPE__WEBHOOK__TIMEOUT_SECS", "PLANTEDquerytoken".into()));
    let res = aimscope_async(args(&["-vv", "config", "check", "--config", &s.cfg]), bad, s.dir.path().to_owned()).await;
    let stderr = String::from_utf8_lossy(&res.stderr).into_owned();
    assert_eq!(res.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("AIMSCOPE__WEBHOOK__TIMEOUT_SECS"), "{stderr}");
    seen.push(("config check with a bad override".into(), stderr));

    for f in walk(s.dir.path()) {
        if f.extension().is_some_and(|e| e == "toml") {
            continue; // the config the user wrote holds the static header, as given
        }
        seen.push((f.display().to_string(), String::from_utf8_lossy(&std::fs::read(&f).unwrap_or_default()).into()));
    }
    assert!(spooled(&s) > 0, "the undelivered batches are spooled (and checked)");
    for (what, text) in &seen {
        if let Some(p) = PLANTED.iter().find(|p| text.contains(*p)) {
            panic!("{p} leaked into {what}:\n{text}");
        }
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            files.extend(walk(&p));
        } else {
            files.push(p);
        }
    }
    files
}

/// `Retry-After` is waited out (measured between the attempts); a 4xx other than 408 / 429 /
/// 410 is final for each batch, which moves to `rejected/` and is never resent; a plain-http
/// receiver that is not loopback is refused before anything is sent.
#[tokio::test(flavor = "multi_thread")]
async fn retry_after_is_honoured_rejected_batches_are_set_aside_and_http_is_refused() {
    let s = setup("").await;
    let hook = MockServer::start().await;
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::<std::time::Instant>::new()));
    let first = seen.clone();
    Mock::given(method("POST"))
        .respond_with(move |_: &Request| {
            first.lock().expect("times").push(std::time::Instant::now());
            ResponseTemplate::new(429).insert_header("retry-after", "2")
        })
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&hook)
        .await;
    let later = seen.clone();
    Mock::given(method("POST"))
        .respond_with(move |_: &Request| {
            later.lock().expect("times").push(std::time::Instant::now());
            ResponseTemplate::new(204)
        })
        .mount(&hook)
        .await;
    let (code, stderr) = scan(&s, &hook.uri()).await;
    assert_eq!(code, Some(4), "{stderr}");
    let times = seen.lock().expect("times").clone();
    assert!(times.len() >= 2, "{} requests", times.len());
    let waited = times[1] - times[0];
    assert!(waited >= std::time::Duration::from_millis(1900), "Retry-After: 2 was waited out, not {waited:?}");
    assert_eq!(spooled(&s), 0);

    // 400 to everything: every batch of the run is set aside, none resent on the next run.
    let refusing = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400).set_body_string("{\"error\":\"schema\"}"))
        .mount(&refusing)
        .await;
    let (code, stderr) = scan(&s, &refusing.uri()).await;
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("webhook refused batch (HTTP 400)"), "{stderr}");
    let sent = refusing.received_requests().await.unwrap_or_default().len();
    let rejected = std::fs::read_dir(s.dir.path().join("spool/rejected")).map(|d| d.count()).unwrap_or(0);
    assert!(sent > 1 && rejected == sent, "each batch tried once and set aside: {sent} sent, {rejected} rejected");
    assert_eq!(spooled(&s), 0, "nothing rejected waits to be resent");
    let ok = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(204)).mount(&ok).await;
    let (code, stderr) = scan(&s, &ok.uri()).await;
    assert_eq!(code, Some(4), "{stderr}");
    let runs: BTreeSet<String> =
        snapshots(&ok.received_requests().await.unwrap_or_default()).keys().map(|k| k.0.clone()).collect();
    assert_eq!(runs.len(), 1, "the rejected run's batches are not resent");

    // https only (plain http to loopback is the one exception): a config error, nothing sent.
    let (code, stderr) = scan(&s, "http://hooks.example.com/aimscope").await;
    assert_eq!(code, Some(3), "{stderr}");
    assert!(stderr.contains("must be https"), "{stderr}");
    assert_eq!(stderr.trim().lines().filter(|l| l.contains("error")).count(), 1, "{stderr}");
}

/// The spool is capped: with the receiver down, a second run's batches push the oldest out
/// (each drop logged), the spool stays under `spool_max_bytes`, and the newest batch stays.
#[tokio::test(flavor = "multi_thread")]
async fn the_spool_cap_drops_the_oldest_batches_with_a_warning() {
    let cap = 20_000u64;
    let s = setup(&format!("spool_max_bytes = {cap}\n")).await;
    // Spool files are `{ms}-{webhook id}.batch`: names sort in creation order.
    let files = || -> BTreeSet<String> {
        std::fs::read_dir(s.dir.path().join("spool"))
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n.ends_with(".batch"))
                    .collect()
            })
            .unwrap_or_default()
    };
    let dead = format!("http://127.0.0.1:{}/hook", free_port());
    let (code, _) = scan(&s, &dead).await;
    assert_eq!(code, Some(1));
    let first = files();
    let (code, stderr) = scan(&s, &dead).await;
    assert_eq!(code, Some(1), "{stderr}");
    let warnings = stderr.lines().filter(|l| l.contains("webhook spool cap reached: dropped batch")).count();
    let kept = files();
    let bytes: u64 =
        kept.iter().map(|n| std::fs::metadata(s.dir.path().join("spool").join(n)).map(|m| m.len()).unwrap_or(0)).sum();
    assert!(!kept.is_empty() && bytes <= cap, "{} batches, {bytes} bytes over a cap of {cap}", kept.len());
    let dropped_first: BTreeSet<&String> = first.iter().filter(|n| !kept.contains(*n)).collect();
    assert!(!dropped_first.is_empty(), "the first run's batches went first: {first:?} → {kept:?}");
    assert!(warnings >= dropped_first.len(), "each drop is logged: {stderr}");
    let newest_dropped = dropped_first.iter().max().map(|n| n.as_str()).unwrap_or_default();
    assert!(kept.iter().all(|k| k.as_str() > newest_dropped), "only the oldest are dropped: {first:?} → {kept:?}");
    assert!(kept.iter().max().is_some_and(|n| !first.contains(n)), "the newest batch is the second run's");
}
