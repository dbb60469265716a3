//! ServiceNow CMDB feed through the Identification and Reconciliation API
//! (`POST /api/now/identifyreconcile?sysparm_data_source=…`), so records reconcile with
//! ServiceNow's own discovery instead of duplicating it.
//!
//! Assets map onto ServiceNow's AI CI classes where they fit (configurable by kind), with the
//! cloud resource id as `object_id`; lineage becomes `Depends on::Used by` relations. With a
//! baseline inventory only new, changed and removed assets are sent (removed ones as retired).
//! The same payload can be written to a file (`--format servicenow`) for offline import.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::time::Duration;

use aimscope_core::{Asset, AssetKind, Inventory, Propagation};
use anyhow::{Context, bail};
use async_trait::async_trait;
use serde::Deserialize;
use serde_json::{Value, json};

use super::Sink;

/// The `[servicenow]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServiceNowConfig {
    /// Instance URL, e.g. https://acme.service-now.com. Unset: no CMDB feed.
    pub instance_url: Option<String>,
    /// `sysparm_data_source`: the discovery source the CIs are attributed to.
    pub data_source: String,
    /// Items per request.
    pub batch_items: usize,
    pub max_attempts: u32,
    pub timeout_secs: u64,
    /// Environment variables with credentials: a bearer token, or user and password.
    pub token_env: String,
    pub user_env: String,
    pub password_env: String,
    /// Asset kind → CI class overrides, e.g. `{ bucket = "cmdb_ci_cloud_object_storage" }`; a
    /// key that is no asset kind is a config error naming it.
    pub class_map: BTreeMap<AssetKind, String>,
    /// A previous inventory (JSON): send only what changed since.
    pub baseline: Option<PathBuf>,
}

impl Default for ServiceNowConfig {
    fn default() -> Self {
        ServiceNowConfig {
            instance_url: None,
            data_source: "aimscope".into(),
            batch_items: 100,
            max_attempts: 5,
            timeout_secs: 60,
            token_env: "SERVICENOW_TOKEN".into(),
            user_env: "SERVICENOW_USER".into(),
            password_env: "SERVICENOW_PASSWORD".into(),
            class_map: BTreeMap::new(),
            baseline: None,
        }
    }
}

/// The default CI class of a kind: ServiceNow's AI classes where an asset fits one.
fn default_class(kind: AssetKind) -> Option<&'static str> {
    use AssetKind as K;
    Some(match kind {
        K::Model | K::CustomModel | K::ModelPackage | K::FoundationModel | K::ModelRegistry => "cmdb_ci_function_ai",
        K::Endpoint | K::Deployment | K::EndpointConfig | K::ProvisionedThroughput | K::InferenceProfile => {
            "cmdb_ci_ai_model_deployment"
        }
        K::Agent | K::KnowledgeBase | K::Application | K::AiServiceAccount | K::Workspace | K::ThirdPartyApiUsage => {
            "cmdb_ci_appl_ai_application"
        }
        _ => return None,
    })
}

fn class_of(cfg: &ServiceNowConfig, kind: AssetKind) -> Option<String> {
    cfg.class_map.get(&kind).cloned().or_else(|| default_class(kind).map(str::to_owned))
}

fn item(cfg: &ServiceNowConfig, a: &Asset, retired: bool) -> Option<Value> {
    let class = class_of(cfg, a.kind)?;
    let mut values = json!({
        "name": a.name,
        "object_id": a.id,
        "short_description": format!("{} {} in {} {}{}", a.cloud, a.kind.as_str().replace('_', " "), a.account,
            a.region.as_deref().unwrap_or("(global)"),
            a.effective_classification.as_ref().map(|c| format!("; classification {}", c.level)).unwrap_or_default()),
    });
    if retired {
        // 7 = Retired in the CMDB's install_status choice list.
        values["install_status"] = json!("7");
    }
    Some(json!({
        "className": class,
        "values": values,
        "sys_object_source_info": {"source_name": cfg.data_source, "source_native_key": a.id},
    }))
}

/// IRE payloads: items (at most `batch_items` each) with the relations among them. A relation
/// whose ends fall in different payloads is sent again in a small payload holding both ends
/// (reconciliation makes the repeated items no-ops).
pub fn payloads(cfg: &ServiceNowConfig, inv: &Inventory, baseline: Option<&Inventory>) -> Vec<Value> {
    // One delta computation for every consumer: only an asset whose scope was fully seen this
    // run can be retired; one that merely was not seen (denied, throttled, failed, not
    // scanned) is left alone in the CMDB.
    let (changed, removed): (BTreeSet<&str>, Vec<&Asset>) = match baseline {
        None => (inv.assets.iter().map(|a| a.id.as_str()).collect(), Vec::new()),
        Some(base) => {
            let d = crate::analysis::delta::compute(&crate::analysis::delta::Baseline::of(base), inv);
            let touched: BTreeSet<&str> =
                d.added.iter().map(|a| a.id.as_str()).chain(d.changed.iter().map(|c| c.id.as_str())).collect();
            let gone: BTreeSet<&str> = d.removed.iter().map(|r| r.id.as_str()).collect();
            if !d.unseen.is_empty() {
                tracing::info!(
                    unseen = d.unseen.len(),
                    "ServiceNow: {} CI(s) not seen this run (scope not fully scanned) are left as they are, not retired",
                    d.unseen.len()
                );
            }
            let changed = inv.assets.iter().map(|a| a.id.as_str()).filter(|id| touched.contains(id)).collect();
            (changed, base.assets.iter().filter(|a| gone.contains(a.id.as_str())).collect())
        }
    };
    let mut entries: Vec<(&Asset, Value)> = Vec::new();
    for a in inv.assets.iter().filter(|a| changed.contains(a.id.as_str())) {
        if let Some(i) = item(cfg, a, false) {
            entries.push((a, i));
        }
    }
    for a in removed {
        if let Some(i) = item(cfg, a, true) {
            entries.push((a, i));
        }
    }
    let sendable: HashMap<&str, &Value> = entries.iter().map(|(a, i)| (a.id.as_str(), i)).collect();
    let mut out = Vec::new();
    let mut cross: Vec<(&str, &str)> = Vec::new();
    for chunk in entries.chunks(cfg.batch_items.max(1)) {
        let index: HashMap<&str, usize> = chunk.iter().enumerate().map(|(i, (a, _))| (a.id.as_str(), i)).collect();
        let mut relations = Vec::new();
        for (a, _) in chunk {
            for r in &a.relations {
                let (parent, child) = match r.kind.propagation() {
                    Propagation::TargetToSource => (a.id.as_str(), r.target.as_str()),
                    Propagation::SourceToTarget => (r.target.as_str(), a.id.as_str()),
                    Propagation::None => continue,
                };
                match (index.get(parent), index.get(child)) {
                    (Some(p), Some(c)) => {
                        relations.push(json!({"parent": p, "child": c, "type": "Depends on::Used by"}))
                    }
                    _ if sendable.contains_key(parent) && sendable.contains_key(child) => cross.push((parent, child)),
                    _ => {}
                }
            }
        }
        out.push(json!({"items": chunk.iter().map(|(_, i)| i.clone()).collect::<Vec<_>>(), "relations": relations}));
    }
    for (p, c) in cross {
        out.push(json!({"items": [sendable[p], sendable[c]], "relations": [{"parent": 0, "child": 1, "type": "Depends on::Used by"}]}));
    }
    out
}

/// The whole feed as one import payload, for `--format servicenow`.
pub fn render(inv: &Inventory) -> serde_json::Result<Vec<u8>> {
    let cfg = ServiceNowConfig { batch_items: usize::MAX, ..Default::default() };
    let mut all = payloads(&cfg, inv, None);
    let first = if all.is_empty() { json!({"items": [], "relations": []}) } else { all.remove(0) };
    let mut out = serde_json::to_vec_pretty(&first)?;
    out.push(b'\n');
    Ok(out)
}

#[derive(Debug)]
pub struct ServiceNowSink {
    cfg: ServiceNowConfig,
    url: String,
    auth: Auth,
    http: reqwest::Client,
    baseline: Option<Inventory>,
}

enum Auth {
    Bearer(String),
    Basic(String, String),
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Auth::Bearer(_) => "Bearer(..)",
            Auth::Basic(..) => "Basic(..)",
        })
    }
}

impl ServiceNowSink {
    pub fn new(cfg: &ServiceNowConfig, instance: &str) -> anyhow::Result<ServiceNowSink> {
        let base = reqwest::Url::parse(instance)
            .with_context(|| format!("servicenow instance_url `{}` is not a URL", crate::redact::url(instance)))?;
        let loopback = matches!(base.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
        if base.scheme() != "https" && !(base.scheme() == "http" && loopback) {
            bail!("servicenow instance_url must be https (plain http only to a loopback address)");
        }
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let auth = match (env(&cfg.token_env), env(&cfg.user_env), env(&cfg.password_env)) {
            (Some(t), _, _) => Auth::Bearer(t),
            (None, Some(u), Some(p)) => Auth::Basic(u, p),
            _ => bail!(
                "no ServiceNow credentials: set ${} (OAuth bearer) or ${} and ${}",
                cfg.token_env,
                cfg.user_env,
                cfg.password_env
            ),
        };
        let baseline = match &cfg.baseline {
            Some(p) => {
                let mut inv: Inventory = serde_json::from_str(
                    &std::fs::read_to_string(p).with_context(|| format!("cannot read baseline {}", p.display()))?,
                )
                .with_context(|| format!("baseline {} is not an aimscope JSON inventory", p.display()))?;
                inv.upgrade();
                Some(inv)
            }
            None => None,
        };
        let url = format!(
            "{}/api/now/identifyreconcile?sysparm_data_source={}",
            instance.trim_end_matches('/'),
            url_escape(&cfg.data_source)
        );
        let http = reqwest::Client::builder().timeout(Duration::from_secs(cfg.timeout_secs.max(1))).build()?;
        Ok(ServiceNowSink { cfg: cfg.clone(), url, auth, http, baseline })
    }

    async fn post(&self, payload: &Value) -> anyhow::Result<Value> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let req = self.http.post(&self.url).json(payload).header("accept", "application/json");
            let req = match &self.auth {
                Auth::Bearer(t) => req.bearer_auth(t),
                Auth::Basic(u, p) => req.basic_auth(u, Some(p)),
            };
            let (retry, why) = match req.send().await {
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    if (200..300).contains(&status) {
                        return resp.json().await.context("ServiceNow answered with a body that is not JSON");
                    }
                    (status == 429 || status >= 500, format!("HTTP {status}"))
                }
                Err(e) => (true, format!("network error: {}", e.without_url())),
            };
            if !retry || attempt >= self.cfg.max_attempts {
                bail!("ServiceNow identifyreconcile failed: {why}");
            }
            tokio::time::sleep(Duration::from_millis(500u64 << (attempt - 1).min(6))).await;
        }
    }
}

fn url_escape(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[async_trait]
impl Sink for ServiceNowSink {
    fn full_every_cycle(&self) -> bool {
        // The feed reconciles (and, in delta mode, retires) on its own.
        true
    }

    fn describe(&self) -> String {
        "servicenow".into()
    }

    async fn healthcheck(&self) -> anyhow::Result<()> {
        Ok(())
    }

    async fn write(&self, inv: &Inventory) -> anyhow::Result<()> {
        let mut errors = Vec::new();
        let mut failed_payloads = Vec::new();
        let mut counts: BTreeMap<String, u64> = BTreeMap::new();
        // Items re-sent in a later payload for a cross-payload relation come back again with
        // the same sys_id: each CI is counted once.
        let mut counted: BTreeSet<String> = BTreeSet::new();
        let all = payloads(&self.cfg, inv, self.baseline.as_ref());
        let total = all.len();
        // Every payload is sent even when one fails, so one bad batch loses nothing else.
        for (n, p) in all.iter().enumerate() {
            let resp = match self.post(p).await {
                Ok(r) => r,
                Err(e) => {
                    tracing::warn!(payload = n + 1, of = total, "ServiceNow payload not accepted: {e:#}");
                    failed_payloads.push(format!("payload {}/{total}: {e:#}", n + 1));
                    continue;
                }
            };
            for it in resp.pointer("/result/items").and_then(Value::as_array).into_iter().flatten() {
                let first = match it.get("sysId").and_then(Value::as_str) {
                    Some(id) if !id.is_empty() => counted.insert(id.to_owned()),
                    _ => true,
                };
                if first && let Some(op) = it.get("operation").and_then(Value::as_str) {
                    *counts.entry(op.to_owned()).or_default() += 1;
                }
                for e in it.get("errors").and_then(Value::as_array).into_iter().flatten() {
                    errors.push(e.get("message").and_then(Value::as_str).unwrap_or("unknown error").to_owned());
                }
            }
        }
        tracing::info!(?counts, payloads = total, failed = failed_payloads.len(), "ServiceNow CMDB reconciled");
        if !failed_payloads.is_empty() {
            bail!("{} of {total} ServiceNow payload(s) failed: {}", failed_payloads.len(), failed_payloads.join("; "));
        }
        if !errors.is_empty() {
            bail!("ServiceNow rejected {} item(s): {}", errors.len(), errors.join("; "));
        }
        Ok(())
    }
}
