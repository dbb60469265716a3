//! Test support: a real moto_server per test, the aimscope binary run as a user would run it,
//! and output checks shared by the integration tests. Nothing here is reachable from
//! production code.
#![allow(dead_code)]

pub mod azure;
pub mod fakes;
pub mod faults;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The Python with the pinned test tools. `scripts/test.sh` sets it; an unpinned `python3`
/// would test against whatever moto happens to be installed, so its absence is an error.
pub fn python() -> String {
    std::env::var("AIMSCOPE_TEST_PYTHON").unwrap_or_else(|_| {
        panic!(
            "AIMSCOPE_TEST_PYTHON is not set: run the tests with `bash scripts/test.sh` (it installs the pinned tools)"
        )
    })
}

/// Longest any single run of the binary may take in a test: a hang is a failure, not a wait.
pub const RUN_BOUND: Duration = Duration::from_secs(300);

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

/// A moto_server on a free 127.0.0.1 port, killed on drop.
pub struct Moto {
    child: Child,
    pub url: String,
    port: u16,
}

impl Moto {
    pub fn start() -> Moto {
        let port = free_port();
        let child = Command::new(python())
            .args(["-m", "moto.server", "-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start moto_server: run the tests through scripts/test.sh, which installs moto[server]");
        let moto = Moto { child, url: format!("http://127.0.0.1:{port}"), port };
        let deadline = Instant::now() + Duration::from_secs(30);
        while http(port, "GET", "/moto-api/").is_err() {
            assert!(Instant::now() < deadline, "moto_server did not start on port {port}");
            std::thread::sleep(Duration::from_millis(100));
        }
        moto.reset();
        moto
    }

    /// Clears all state (`POST /moto-api/reset`).
    pub fn reset(&self) {
        http(self.port, "POST", "/moto-api/reset").expect("reset moto");
    }

    /// Runs the seed script; returns its JSON report.
    pub fn seed(&self, script: &str) -> serde_json::Value {
        let out = Command::new(python())
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support").join(script))
            .arg(&self.url)
            .output()
            .expect("run seed script");
        assert!(out.status.success(), "seed failed: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).expect("seed output is JSON")
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A minimal HTTP/1.1 request to 127.0.0.1 (no client dependency needed for two admin calls).
fn http(port: u16, method: &str, path: &str) -> std::io::Result<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(s, "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")?;
    let mut buf = String::new();
    s.read_to_string(&mut buf)?;
    if buf.starts_with("HTTP/1.1 2") || buf.starts_with("HTTP/1.0 2") {
        Ok(buf)
    } else {
        Err(std::io::Error::other(buf.lines().next().unwrap_or("").to_owned()))
    }
}

/// A temp dir for one test's config and output.
pub fn workdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

/// Runs the aimscope binary with a clean environment (no credentials of the machine leak in)
/// plus `env`.
pub fn aimscope(args: &[&str], env: &[(&str, String)], home: &Path) -> Output {
    let mut child = command(args, env, home)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run aimscope");
    // Drain both pipes while waiting, so a chatty run cannot block on a full pipe.
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let out_reader = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = out.read_to_end(&mut b);
        b
    });
    let err_reader = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = err.read_to_end(&mut b);
        b
    });
    let deadline = Instant::now() + RUN_BOUND;
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait for aimscope") {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("aimscope {args:?} did not finish within {}s", RUN_BOUND.as_secs());
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output { status, stdout: out_reader.join().unwrap_or_default(), stderr: err_reader.join().unwrap_or_default() }
}

/// The command [`aimscope`] runs, for tests that start it in the background.
pub fn command(args: &[&str], env: &[(&str, String)], home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_aimscope"));
    cmd.args(args)
        .env_clear()
        // Only the test's own bin dir (e.g. a stub `az`): no real cloud CLI is ever reached.
        .env("PATH", home.join("bin"))
        .env("HOME", home)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", home.join("no-aws-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("no-aws-credentials"))
        .env("NO_COLOR", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// Runs the binary off the async runtime (tests hold local servers on it).
pub async fn aimscope_async(args: Vec<String>, env: Vec<(&'static str, String)>, home: PathBuf) -> Output {
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        aimscope(&args, &env, &home)
    })
    .await
    .expect("join the aimscope run")
}

/// Owned argument list.
pub fn args(a: &[&str]) -> Vec<String> {
    a.iter().map(|s| s.to_string()).collect()
}

/// The environment that points the AWS SDK at moto with moto's default account.
pub fn moto_env(moto: &Moto) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ACCESS_KEY_ID", "testing".into()),
        ("AWS_SECRET_ACCESS_KEY", "testing".into()),
        ("AWS_REGION", "us-east-1".into()),
        ("AWS_ENDPOINT_URL", moto.url.clone()),
    ]
}

pub fn read_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// Validates an inventory document against `aimscope schema` (the binary's own output).
/// Where the published schema of an inventory version is committed.
pub fn published_schema_path(version: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("providers/core/schema/inventory-{version}.json"))
}

/// The published schema of an inventory version, as committed (never the one the binary under
/// test generates: validating output against its own types would prove nothing).
pub fn published_schema(version: &str) -> serde_json::Value {
    let path = published_schema_path(version);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("no published schema for {version} ({}): {e}", path.display()));
    serde_json::from_str(&text).expect("published schema is JSON")
}

/// Validates a document against the published schema of the version it declares, and checks
/// the binary still prints that schema.
pub fn assert_valid_inventory(doc: &serde_json::Value, home: &Path) {
    let version = doc["schema_version"].as_str().expect("schema_version");
    let schema = published_schema(version);
    let out = aimscope(&["schema"], &[], home);
    assert!(out.status.success());
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).expect("schema is JSON");
    assert!(printed == schema, "`aimscope schema` differs from the published schema {version}");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator.iter_errors(doc).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "inventory does not match its schema: {errors:#?}");
}

pub fn assets(doc: &serde_json::Value) -> &Vec<serde_json::Value> {
    doc["assets"].as_array().expect("assets array")
}

/// The asset with this id; panics with the known ids when absent.
pub fn asset<'a>(doc: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    assets(doc).iter().find(|a| a["id"] == id).unwrap_or_else(|| {
        let ids: Vec<&str> = assets(doc).iter().filter_map(|a| a["id"].as_str()).collect();
        panic!("no asset {id}; have {ids:#?}")
    })
}

pub fn has_relation(a: &serde_json::Value, kind: &str, target: &str) -> bool {
    a["relations"].as_array().is_some_and(|rs| rs.iter().any(|r| r["kind"] == kind && r["target"] == target))
}

/// Puts an executable stub `az` in `home/bin` that prints an Azure CLI access-token document.
pub fn stub_az(home: &Path) {
    let bin = home.join("bin");
    std::fs::create_dir_all(&bin).expect("bin dir");
    let az = bin.join("az");
    std::fs::write(
        &az,
        "#!/bin/sh\necho '{\"accessToken\":\"test-token\",\"expiresOn\":\"2099-01-01 00:00:00.000000\",\"expires_on\":4070908800,\"tenant\":\"00000000-0000-0000-0000-000000000000\",\"tokenType\":\"Bearer\"}'\n",
    )
    .expect("write az");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).expect("chmod az");
}

pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write file");
    p
}

/// The config of a multi-cloud test scan: AWS through moto (the `prod` member account, two
/// regions, the collectors moto does not serve switched off) and Azure through the stand-in
/// (`azure_config`), with `extra` tables in between.
pub fn moto_azure_config(prod: &str, azure_config: &str, extra: &str) -> String {
    format!(
        "[scan]\ndisabled_collectors = [\"sagemaker.feature_groups\", \"sagemaker.inference_components\", \
         \"bedrock.custom_models\", \"bedrock.customization_jobs\", \"bedrock.imported_models\", \
         \"bedrock.provisioned_throughput\", \"bedrock.guardrails\", \"bedrock.inference_profiles\", \
         \"bedrock.agents\", \"bedrock.knowledge_bases\"]\n{extra}\
         [aws]\naccounts = [\"{prod}\"]\nregions = [\"us-east-1\", \"eu-west-1\"]\n{azure_config}"
    )
}

/// Every secret value planted in the moto seed (`estate`) and the Azure stand-in.
pub fn planted_values(estate: &serde_json::Value) -> Vec<String> {
    let mut planted: Vec<String> = estate["planted"]
        .as_object()
        .expect("planted")
        .values()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    planted.extend([azure::PLANTED.to_owned(), azure::PLANTED_HF.to_owned(), azure::PLANTED_ANT.to_owned()]);
    planted
}

/// The Chromium that renders reports. `scripts/test.sh` installs Debian's and sets it.
pub fn chromium() -> String {
    std::env::var("AIMSCOPE_TEST_CHROMIUM").unwrap_or_else(|_| {
        panic!("AIMSCOPE_TEST_CHROMIUM is not set: run the tests with `bash scripts/test.sh` (it installs chromium)")
    })
}

/// Renders an HTML page in headless Chromium to `scope.png` (a 1440-pixel-wide screenshot) and
/// `scope.pdf` (what "print to PDF" gives) in `dir`, and checks both are real.
pub fn render_in_chromium(html: &Path, dir: &Path) -> (PathBuf, PathBuf) {
    let png = dir.join("scope.png");
    let pdf = dir.join("scope.pdf");
    let url = format!("file://{}", html.display());
    for (flag, file) in
        [(format!("--screenshot={}", png.display()), &png), (format!("--print-to-pdf={}", pdf.display()), &pdf)]
    {
        let out = Command::new(chromium())
            .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars"])
            .args(["--window-size=1440,2400", "--no-pdf-header-footer", &flag, &url])
            .env("HOME", dir)
            .output()
            .expect("run chromium (scripts/test.sh installs Debian's chromium)");
        let bytes = std::fs::read(file).unwrap_or_else(|e| {
            panic!("chromium wrote no {} ({e}): {}", file.display(), String::from_utf8_lossy(&out.stderr))
        });
        assert!(bytes.len() > 10_000, "{} is too small to be the report", file.display());
    }
    assert!(std::fs::read(&png).expect("png").starts_with(b"\x89PNG"));
    assert!(std::fs::read(&pdf).expect("pdf").starts_with(b"%PDF"));
    (png, pdf)
}
