//! The shipped deployment files: every Kubernetes manifest parses, runs aimscope with arguments
//! the binary accepts, as non-root on a read-only root filesystem; the ConfigMap's aimscope.toml
//! passes `config check`; the Dockerfile runs the agent as non-root with the config mounted.

mod support;

use std::path::Path;

use support::*;

/// Every YAML document of deploy/kubernetes, as JSON (PyYAML, installed by scripts/test.sh).
fn manifests() -> Vec<(String, serde_json::Value)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/kubernetes");
    let mut out = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(&dir).expect("deploy/kubernetes").flatten().map(|e| e.path()).collect();
    files.sort();
    for f in files.into_iter().filter(|f| f.extension().is_some_and(|e| e == "yaml")) {
        let res = std::process::Command::new(python())
            .args([
                "-c",
                "import sys, json, yaml\nprint(json.dumps([d for d in yaml.safe_load_all(open(sys.argv[1])) if d]))",
            ])
            .arg(&f)
            .output()
            .expect("run PyYAML");
        assert!(res.status.success(), "{}: {}", f.display(), String::from_utf8_lossy(&res.stderr));
        let docs: Vec<serde_json::Value> = serde_json::from_slice(&res.stdout).expect("json");
        let name = f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        out.extend(docs.into_iter().map(|d| (name.clone(), d)));
    }
    out
}

fn pod_spec(doc: &serde_json::Value) -> Option<&serde_json::Value> {
    match doc["kind"].as_str()? {
        "Deployment" | "Job" => Some(&doc["spec"]["template"]["spec"]),
        "CronJob" => Some(&doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]),
        _ => None,
    }
}

#[test]
fn kubernetes_manifests_run_real_commands_locked_down() {
    let dir = workdir();
    let docs = manifests();
    let kinds: Vec<&str> = docs.iter().filter_map(|(_, d)| d["kind"].as_str()).collect();
    for k in ["ServiceAccount", "ConfigMap", "Deployment", "CronJob", "Job"] {
        assert!(kinds.contains(&k), "no {k} in deploy/kubernetes");
    }
    let indexed = docs.iter().find(|(_, d)| d["spec"]["completionMode"] == "Indexed").expect("an Indexed Job");
    let n = indexed.1["spec"]["completions"].as_u64().expect("completions");
    assert_eq!(indexed.1["spec"]["parallelism"].as_u64(), Some(n));
    let mut pods = 0;
    for (file, doc) in &docs {
        let Some(spec) = pod_spec(doc) else { continue };
        pods += 1;
        assert_eq!(spec["securityContext"]["runAsNonRoot"], true, "{file}");
        for c in spec["containers"].as_array().expect("containers") {
            let sc = &c["securityContext"];
            assert_eq!(sc["readOnlyRootFilesystem"], true, "{file}");
            assert_eq!(sc["allowPrivilegeEscalation"], false, "{file}");
            assert_eq!(sc["capabilities"]["drop"], serde_json::json!(["ALL"]), "{file}");
            // The arguments as the pod would run them (the Job controller's index for $(...)),
            // then --help: clap rejects an unknown flag or a bad value before it prints help.
            let mut args: Vec<String> = c["args"]
                .as_array()
                .expect("args")
                .iter()
                .filter_map(|a| a.as_str().map(|s| s.replace("$(JOB_COMPLETION_INDEX)", "0")))
                .collect();
            if file == "indexed-job.yaml" {
                assert!(args.iter().any(|a| a == &format!("0/{n}")), "--shard N must equal completions: {args:?}");
            }
            args.push("--help".into());
            let a: Vec<&str> = args.iter().map(String::as_str).collect();
            let res = aimscope(&a, &[], dir.path());
            assert!(res.status.success(), "{file}: {args:?}: {}", String::from_utf8_lossy(&res.stderr));
        }
    }
    assert!(pods >= 4, "{pods} pod templates");

    // The ConfigMap's configuration is valid.
    let cm = docs.iter().find(|(_, d)| d["kind"] == "ConfigMap").expect("ConfigMap");
    let cfg = write(dir.path(), "aimscope.toml", cm.1["data"]["aimscope.toml"].as_str().expect("aimscope.toml"));
    let res = aimscope(&["config", "check", "--config", cfg.to_str().unwrap_or_default()], &[], dir.path());
    assert!(res.status.success(), "{}", String::from_utf8_lossy(&res.stderr));
}

#[test]
fn the_image_runs_the_agent_as_non_root_with_mounted_config() {
    let docker = include_str!("../Dockerfile");
    let last_stage = docker.rsplit("\nFROM ").next().unwrap_or_default();
    assert!(last_stage.lines().any(|l| l.trim() == "USER 10001:10001"), "{last_stage}");
    assert!(last_stage.contains("ENV AIMSCOPE_CONFIG=/etc/aimscope/aimscope.toml"));
    let cmd = last_stage.lines().find(|l| l.starts_with("CMD ")).expect("CMD");
    assert!(cmd.contains("\"agent\""), "{cmd}");
}
