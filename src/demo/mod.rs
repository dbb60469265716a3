//! `aimscope demo`: a scan of a fictional multi-cloud estate with no account, credential or
//! network.
//!
//! The estate is data (`fixtures/demo/`, embedded in the binary) served on 127.0.0.1 by
//! [`server`] in each vendor's wire format. The scan itself is this binary's own `scan`, run
//! as a child process with a cleared environment that holds only the standard overrides a user
//! would set (`AWS_ENDPOINT_URL`, an Azure managed-identity endpoint, a Google ADC file): the
//! real providers and collectors do the work and none of them knows it is a demo. Clearing the
//! environment also means the demo can never read a real cloud, and a real scan never sees the
//! demo estate.

pub mod server;

use std::path::{Path, PathBuf};
use std::process::Stdio;

use crate::app::Exit;
use crate::cli::{DemoArgs, LogFormat};
use crate::config::Format;

const AWS: &str = include_str!("../../fixtures/demo/aws.json");
const AWS_DEFAULTS: &str = include_str!("../../fixtures/demo/aws_defaults.json");
const AZURE: &str = include_str!("../../fixtures/demo/azure.json");
const GCP: &str = include_str!("../../fixtures/demo/gcp.json");
const CONFIG: &str = include_str!("../../fixtures/demo/aimscope.toml");

/// The demo's outputs: the inventory first (the summary is read back from it).
const OUTPUTS: [Format; 5] = [Format::Json, Format::Cyclonedx, Format::Sarif, Format::Html, Format::Markdown];

pub async fn run(args: DemoArgs, log_format: LogFormat, verbose: u8, quiet: bool) -> Exit {
    match demo(&args.out, log_format, verbose, quiet).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: demo: {e:#}");
            Exit::Runtime
        }
    }
}

async fn demo(out: &Path, log_format: LogFormat, verbose: u8, quiet: bool) -> anyhow::Result<Exit> {
    use anyhow::Context as _;
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let server =
        server::Server::start(server::Sources { aws: AWS, aws_defaults: AWS_DEFAULTS, azure: AZURE, gcp: GCP }).await?;
    let home = tempfile::tempdir().context("cannot create a temporary directory")?;
    let config = home.path().join("aimscope.toml");
    let fill =
        |t: &str| t.replace("{aws}", &server.aws).replace("{azure}", &server.azure).replace("{gcp}", &server.gcp);
    std::fs::write(&config, fill(CONFIG)).context("cannot write the demo configuration")?;
    let adc = home.path().join("application_default_credentials.json");
    let adc_json = serde_json::json!({
        "type": "authorized_user",
        "client_id": "demo-client.apps.googleusercontent.com",
        "client_secret": "demo-client-secret",
        "refresh_token": "demo-refresh-token",
        "token_uri": format!("{}/token", server.gcp),
    });
    std::fs::write(&adc, adc_json.to_string()).context("cannot write the demo Google credentials")?;

    let exe = std::env::current_exe().context("cannot find this program's own path")?;
    let mut cmd = std::process::Command::new(exe);
    // The demo prints the summary itself, after the outputs are written.
    let formats: Vec<&str> = OUTPUTS.iter().map(|f| f.as_str()).collect();
    cmd.arg("scan").arg("--no-summary").arg("--config").arg(&config).arg("--out-dir").arg(out);
    cmd.arg("--format").arg(formats.join(","));
    if log_format == LogFormat::Json {
        cmd.args(["--log-format", "json"]);
    }
    if quiet {
        cmd.arg("--quiet");
    }
    for _ in 0..verbose {
        cmd.arg("-v");
    }
    cmd.env_clear()
        .env("HOME", home.path())
        .env("AWS_ACCESS_KEY_ID", "AKIADEMO111111111111")
        .env("AWS_SECRET_ACCESS_KEY", "demo/secret/for/111111111111")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL", &server.aws)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("IDENTITY_ENDPOINT", format!("{}/identity/token", server.azure))
        .env("IDENTITY_HEADER", "demo-identity-header")
        .env("GOOGLE_APPLICATION_CREDENTIALS", &adc)
        .stdin(Stdio::null())
        .stdout(Stdio::null());
    // How the terminal wants to be written to, and the log filter, carry over.
    for k in ["TERM", "NO_COLOR", "RUST_LOG"] {
        if let Some(v) = std::env::var_os(k) {
            cmd.env(k, v);
        }
    }
    let status = tokio::task::spawn_blocking(move || cmd.status())
        .await
        .context("the demo scan did not finish")?
        .context("cannot start the demo scan")?;
    // 4 is expected: the estate has a denied account, and a partial scan says so.
    match status.code() {
        Some(0 | 4 | 5) => {}
        Some(c) => anyhow::bail!("the demo scan failed (exit {c})"),
        None => anyhow::bail!("the demo scan was stopped by a signal"),
    }
    for r in server.unanswered() {
        tracing::warn!("demo estate has no answer for {r}");
    }

    let inventory = out.join(Format::Json.file_name());
    let bytes = std::fs::read(&inventory).with_context(|| format!("cannot read {}", inventory.display()))?;
    let inv: aimscope_core::Inventory = serde_json::from_slice(&bytes)
        .with_context(|| format!("{} is not an aimscope inventory", inventory.display()))?;
    let written: Vec<PathBuf> = OUTPUTS.iter().map(|f| out.join(f.file_name())).collect();

    println!("aimscope demo: a fictional estate (Northwind Mutual) on AWS, Azure and Google Cloud\n");
    print!("{}", crate::summary::table(&inv));
    println!();
    for p in &written {
        println!("  wrote {}", p.display());
    }
    let report = out.join(Format::Html.file_name());
    let shown = std::fs::canonicalize(&report).unwrap_or(report);
    println!("\nOpen the AIMS scope report: {}", shown.display());
    Ok(Exit::Ok)
}
