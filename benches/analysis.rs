//! Micro-benchmark of the analysis passes (tag annotation, classification inheritance, policy)
//! on synthetic inventories of 100k and 1M assets. Reports the median of several runs, the
//! 1M/100k time ratio (≈10 when the passes are linear) and the process's peak RSS.
//!
//! Run: `bash scripts/bench.sh` (release build without cloud SDKs).

use std::time::{Duration, Instant};

use aimscope::analysis::{self, ClassificationConfig, TagKeys};
use aimscope::policy::PolicyConfig;
use aimscope_core::{Asset, AssetKind, Cloud, Inventory, RelationKind, Service, ToolInfo};

/// Chains of bucket → training job → model → endpoint config → endpoint, plus cross links, so
/// every relation kind that propagates is exercised.
fn synthetic(n: usize) -> Inventory {
    let mut assets = Vec::with_capacity(n);
    let chains = n / 5;
    for c in 0..chains {
        let id = |k: &str| format!("arn:aws:sagemaker:us-east-1:111122223333:{k}/c{c}");
        let mut bucket = Asset::new(
            format!("arn:aws:s3:::bucket-{c}"),
            Cloud::Aws,
            "111122223333",
            None,
            AssetKind::Bucket,
            Service::S3,
            format!("bucket-{c}"),
        );
        if c % 3 == 0 {
            bucket
                .tags
                .insert("data-classification".into(), ["public", "internal", "pii", "confidential"][c % 4].into());
        }
        let mut job = Asset::new(
            id("training-job"),
            Cloud::Aws,
            "111122223333",
            Some("us-east-1".into()),
            AssetKind::TrainingJob,
            Service::Sagemaker,
            format!("job-{c}"),
        );
        job.relate(RelationKind::TrainedOn, bucket.id.clone());
        if c > 0 {
            // Shared data across chains: a second input from the previous chain's bucket.
            job.relate(RelationKind::TrainedOn, format!("arn:aws:s3:::bucket-{}", c - 1));
        }
        let mut model = Asset::new(
            id("model"),
            Cloud::Aws,
            "111122223333",
            Some("us-east-1".into()),
            AssetKind::Model,
            Service::Sagemaker,
            format!("model-{c}"),
        );
        model.relate(RelationKind::ProducedBy, job.id.clone());
        model.tags.insert("owner".into(), "ml".into());
        let mut cfg = Asset::new(
            id("endpoint-config"),
            Cloud::Aws,
            "111122223333",
            Some("us-east-1".into()),
            AssetKind::EndpointConfig,
            Service::Sagemaker,
            format!("cfg-{c}"),
        );
        cfg.relate(RelationKind::Serves, model.id.clone());
        let mut ep = Asset::new(
            id("endpoint"),
            Cloud::Aws,
            "111122223333",
            Some("us-east-1".into()),
            AssetKind::Endpoint,
            Service::Sagemaker,
            format!("ep-{c}"),
        );
        ep.relate(RelationKind::Deploys, cfg.id.clone());
        ep.tags.insert("data-classification".into(), "internal".into());
        assets.extend([bucket, job, model, cfg, ep]);
    }
    let tool = ToolInfo { name: "bench".into(), version: "0".into() };
    Inventory::new(tool, "bench", chrono::Utc::now(), vec![Cloud::Aws], assets, vec![])
}

fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn median_run(n: usize, runs: usize) -> (Duration, usize) {
    let (keys, scale, policy) = (TagKeys::default(), ClassificationConfig::default(), PolicyConfig::default());
    let mut times = Vec::new();
    let mut findings = 0;
    for _ in 0..runs {
        let mut inv = synthetic(n);
        let t = Instant::now();
        findings = analysis::analyze(&mut inv, &keys, &scale, &policy, None).len();
        times.push(t.elapsed());
        std::hint::black_box(&inv);
    }
    times.sort();
    (times[times.len() / 2], findings)
}

fn main() {
    let runs: usize = std::env::var("BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(3);
    let (small, _) = median_run(100_000, runs);
    println!("analysis 100k assets: median {:.3}s over {runs} runs", small.as_secs_f64());
    let (large, findings) = median_run(1_000_000, runs);
    println!("analysis 1M assets:   median {:.3}s over {runs} runs ({findings} findings)", large.as_secs_f64());
    println!("ratio 1M/100k: {:.1} (linear ≈ 10)", large.as_secs_f64() / small.as_secs_f64());
    println!("per asset: {:.2} µs", large.as_secs_f64() * 1e6 / 1e6);
    if let Some(rss) = peak_rss_mib() {
        println!("peak RSS (inventory + analysis): {rss:.0} MiB");
    }
}
