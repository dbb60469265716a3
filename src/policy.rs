//! Shadow-AI and governance policy: a static rule registry evaluated over the analysed
//! inventory. A rule is one entry in [`RULES`] plus one check function; config can disable it
//! or change its severity by id.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use aimscope_core::{Asset, AssetKind, Finding, RelationKind, Service, Severity};
use serde::Deserialize;

use crate::analysis::{ClassificationConfig, Inheritance, TagKeys};

/// The `[policy]` table (or the file `policy_file` names).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PolicyConfig {
    /// Sanctioned AI register exported from a CMDB / AI register: CSV or JSON.
    pub register: Option<PathBuf>,
    /// Tags every AI asset must carry: `owner`, `ai_system_id` and `classification` mean the
    /// configured key lists in `[tags]`; anything else is a literal tag key.
    pub required_tags: Vec<String>,
    /// Outside AI providers that are approved (catalogue ids such as `openai`). Absent: the
    /// rule is off; empty: every outside provider is unapproved.
    pub approved_providers: Option<Vec<String>>,
    /// Accounts / subscriptions / projects inside the declared AIMS scope (empty: all).
    pub scope_accounts: Vec<String>,
    /// Regions / locations inside the declared AIMS scope (empty: all).
    pub scope_regions: Vec<String>,
    /// Regions where data at `residency_level` or above may be used (empty: rule off).
    pub data_residency_regions: Vec<String>,
    /// Lowest classification level the residency rule applies to.
    pub residency_level: String,
    /// Whether key-based (local) authentication on AI services is a finding.
    pub require_identity_auth: bool,
    /// Per-rule overrides: `[policy.rules."tags.missing_required"] severity = "high"`.
    pub rules: BTreeMap<String, RuleOverride>,
}

impl Default for PolicyConfig {
    fn default() -> Self {
        PolicyConfig {
            register: None,
            required_tags: ["owner", "ai_system_id", "classification"].map(String::from).to_vec(),
            approved_providers: None,
            scope_accounts: vec![],
            scope_regions: vec![],
            data_residency_regions: vec![],
            residency_level: "restricted".into(),
            require_identity_auth: true,
            rules: BTreeMap::new(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RuleOverride {
    pub enabled: Option<bool>,
    pub severity: Option<Severity>,
}

impl PolicyConfig {
    pub fn validate(&self) -> Result<(), String> {
        for id in self.rules.keys() {
            if !RULES.iter().any(|r| r.id == id) {
                let known: Vec<&str> = RULES.iter().map(|r| r.id).collect();
                return Err(format!("policy.rules: unknown rule `{id}` (known: {})", known.join(", ")));
            }
        }
        Ok(())
    }
}

/// A rule's fixed description.
#[derive(Debug)]
pub struct Rule {
    pub id: &'static str,
    pub severity: Severity,
    pub title: &'static str,
    /// ISO/IEC 42001:2023 Annex A controls.
    pub controls: &'static [&'static str],
    check: fn(&PolicyContext, &PolicyConfig, &mut Vec<Hit>),
}

/// What a rule check reports: the asset, a message, evidence.
struct Hit {
    asset: usize,
    message: String,
    evidence: BTreeMap<String, String>,
}

fn hit(asset: usize, message: String, evidence: &[(&str, String)]) -> Hit {
    Hit { asset, message, evidence: evidence.iter().map(|(k, v)| (k.to_string(), v.clone())).collect() }
}

/// Everything a rule may read.
#[derive(Debug)]
pub struct PolicyContext<'a> {
    pub assets: &'a [Asset],
    pub inheritance: &'a Inheritance,
    pub scale: &'a ClassificationConfig,
    pub keys: &'a TagKeys,
    pub register: Option<&'a Register>,
}

pub const RULES: &[Rule] = &[
    Rule {
        id: "register.unregistered",
        severity: Severity::Medium,
        title: "AI asset not in the sanctioned AI register",
        controls: &["A.4.2", "A.6.2.3"],
        check: check_register,
    },
    Rule {
        id: "register.model_not_in_model_registry",
        severity: Severity::Low,
        title: "Model not registered in the cloud's model registry",
        controls: &["A.6.2.3", "A.6.2.7"],
        check: check_model_registry,
    },
    Rule {
        id: "tags.missing_required",
        severity: Severity::Low,
        title: "AI asset lacks required governance tags",
        controls: &["A.3.2", "A.4.2"],
        check: check_required_tags,
    },
    Rule {
        id: "scope.outside_aims",
        severity: Severity::Medium,
        title: "AI asset outside the declared AIMS scope",
        controls: &["A.4.2", "A.6.1.3"],
        check: check_scope,
    },
    Rule {
        id: "third_party.unapproved_provider",
        severity: Severity::High,
        title: "Outside AI provider not on the approved list",
        controls: &["A.10.3", "A.10.2"],
        check: check_approved_providers,
    },
    Rule {
        id: "logging.invocation_logging_disabled",
        severity: Severity::Medium,
        title: "Foundation-model invocation logging disabled where Bedrock is used",
        controls: &["A.6.2.8"],
        check: check_invocation_logging,
    },
    Rule {
        id: "network.public_access",
        severity: Severity::Medium,
        title: "AI service reachable from public networks",
        controls: &["A.4.5", "A.6.2.6"],
        check: check_public_access,
    },
    Rule {
        id: "auth.key_based",
        severity: Severity::Low,
        title: "Key-based authentication enabled on an AI service",
        controls: &["A.4.5"],
        check: check_key_auth,
    },
    Rule {
        id: "classification.declared_below_inherited",
        severity: Severity::High,
        title: "Declared classification lower than inherited from upstream data",
        controls: &["A.7.2", "A.7.5"],
        check: check_declared_below,
    },
    Rule {
        id: "classification.unclassified_training_data",
        severity: Severity::Medium,
        title: "AI trained on unclassified data",
        controls: &["A.7.2", "A.7.5"],
        check: check_unclassified_training,
    },
    Rule {
        id: "classification.unknown_label",
        severity: Severity::Low,
        title: "Classification tag value not on the configured scale",
        controls: &["A.7.2"],
        check: check_unknown_label,
    },
    Rule {
        id: "residency.outside_allowed_regions",
        severity: Severity::High,
        title: "Sensitive data used by AI outside the allowed data-residency regions",
        controls: &["A.7.2", "A.7.5"],
        check: check_residency,
    },
];

/// Runs every enabled rule; findings sorted by rule and asset for stable output.
pub fn evaluate(cx: &PolicyContext, cfg: &PolicyConfig) -> Vec<Finding> {
    let mut out = Vec::new();
    for rule in RULES {
        let ov = cfg.rules.get(rule.id);
        if ov.and_then(|o| o.enabled) == Some(false) {
            continue;
        }
        let severity = ov.and_then(|o| o.severity).unwrap_or(rule.severity);
        let mut hits = Vec::new();
        (rule.check)(cx, cfg, &mut hits);
        out.extend(hits.into_iter().map(|h| Finding {
            rule_id: rule.id.to_owned(),
            severity,
            asset_id: cx.assets[h.asset].id.clone(),
            message: h.message,
            evidence: h.evidence,
            controls: rule.controls.iter().map(|c| c.to_string()).collect(),
        }));
    }
    out.sort_by(|a, b| (&a.rule_id, &a.asset_id).cmp(&(&b.rule_id, &b.asset_id)));
    out.dedup();
    out
}

fn ai_assets<'a>(cx: &'a PolicyContext) -> impl Iterator<Item = (usize, &'a Asset)> {
    cx.assets.iter().enumerate().filter(|(_, a)| a.kind.is_ai() && a.kind != AssetKind::FoundationModel)
}

fn check_register(cx: &PolicyContext, _: &PolicyConfig, hits: &mut Vec<Hit>) {
    let Some(reg) = cx.register else { return };
    for (i, a) in ai_assets(cx) {
        let sys = TagKeys::lookup(&cx.keys.ai_system_id, &a.tags);
        if !reg.contains(&a.id, sys) {
            hits.push(hit(
                i,
                format!("{} `{}` is not in the sanctioned AI register", kind_name(a.kind), a.name),
                &[("ai_system_id", sys.unwrap_or("(none)").to_owned())],
            ));
        }
    }
}

fn check_model_registry(cx: &PolicyContext, _: &PolicyConfig, hits: &mut Vec<Hit>) {
    for (i, a) in cx.assets.iter().enumerate() {
        if a.facts.in_model_registry == Some(false) {
            hits.push(hit(i, format!("model `{}` is not registered in the model registry", a.name), &[]));
        }
    }
}

fn check_required_tags(cx: &PolicyContext, cfg: &PolicyConfig, hits: &mut Vec<Hit>) {
    for (i, a) in ai_assets(cx) {
        if matches!(a.kind, AssetKind::ThirdPartyApiUsage | AssetKind::ApiEnablement) {
            continue; // evidence records carry no tags of their own
        }
        let missing: Vec<&str> = cfg
            .required_tags
            .iter()
            .filter(|req| {
                let keys: &[String] = match req.as_str() {
                    "owner" => &cx.keys.owner,
                    "ai_system_id" => &cx.keys.ai_system_id,
                    "classification" => &cx.keys.classification,
                    _ => std::slice::from_ref(*req),
                };
                TagKeys::lookup(keys, &a.tags).is_none()
            })
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            hits.push(hit(
                i,
                format!("{} `{}` lacks required tags: {}", kind_name(a.kind), a.name, missing.join(", ")),
                &[("missing", missing.join(","))],
            ));
        }
    }
}

fn check_scope(cx: &PolicyContext, cfg: &PolicyConfig, hits: &mut Vec<Hit>) {
    for (i, a) in ai_assets(cx) {
        let acct_ok = cfg.scope_accounts.is_empty() || cfg.scope_accounts.contains(&a.account);
        let region_ok = cfg.scope_regions.is_empty()
            || a.region.as_ref().is_none_or(|r| cfg.scope_regions.iter().any(|s| s.eq_ignore_ascii_case(r)));
        if !(acct_ok && region_ok) {
            hits.push(hit(
                i,
                format!(
                    "{} `{}` is in {} / {}, outside the declared AIMS scope",
                    kind_name(a.kind),
                    a.name,
                    a.account,
                    a.region.as_deref().unwrap_or("global")
                ),
                &[("account", a.account.clone()), ("region", a.region.clone().unwrap_or_default())],
            ));
        }
    }
}

fn check_approved_providers(cx: &PolicyContext, cfg: &PolicyConfig, hits: &mut Vec<Hit>) {
    let Some(approved) = &cfg.approved_providers else {
        return;
    };
    for (i, a) in cx.assets.iter().enumerate().filter(|(_, a)| a.kind == AssetKind::ThirdPartyApiUsage) {
        let provider = a.facts.outside_ai.as_ref().map_or("unknown", |ai| ai.provider.as_str());
        if !approved.iter().any(|p| p.eq_ignore_ascii_case(provider)) {
            hits.push(hit(
                i,
                format!("outside AI provider `{provider}` is not approved"),
                &[("provider", provider.to_owned())],
            ));
        }
    }
}

fn check_invocation_logging(cx: &PolicyContext, _: &PolicyConfig, hits: &mut Vec<Hit>) {
    let used: HashSet<(&str, Option<&str>)> = cx
        .assets
        .iter()
        .filter(|a| {
            matches!(a.service, Service::Bedrock | Service::BedrockAgent) && a.kind != AssetKind::ServiceConfiguration
        })
        .map(|a| (a.account.as_str(), a.region.as_deref()))
        .collect();
    for (i, a) in cx.assets.iter().enumerate() {
        if a.service == Service::Bedrock
            && a.kind == AssetKind::ServiceConfiguration
            && a.facts.invocation_logging == Some(false)
            && used.contains(&(a.account.as_str(), a.region.as_deref()))
        {
            hits.push(hit(
                i,
                format!(
                    "Bedrock is used in {} / {} but model-invocation logging is off",
                    a.account,
                    a.region.as_deref().unwrap_or("")
                ),
                &[],
            ));
        }
    }
}

fn check_public_access(cx: &PolicyContext, _: &PolicyConfig, hits: &mut Vec<Hit>) {
    for (i, a) in ai_assets(cx) {
        if a.facts.public_network_access == Some(true) {
            hits.push(hit(
                i,
                format!("{} `{}` allows public network access", kind_name(a.kind), a.name),
                &[("public_network_access", "enabled".to_owned())],
            ));
        }
    }
}

fn check_key_auth(cx: &PolicyContext, cfg: &PolicyConfig, hits: &mut Vec<Hit>) {
    if !cfg.require_identity_auth {
        return;
    }
    for (i, a) in ai_assets(cx) {
        if a.facts.key_auth == Some(true) {
            hits.push(hit(
                i,
                format!(
                    "{} `{}` accepts API keys (local auth); policy requires identity-based auth",
                    kind_name(a.kind),
                    a.name
                ),
                &[],
            ));
        }
    }
}

fn check_declared_below(cx: &PolicyContext, _: &PolicyConfig, hits: &mut Vec<Hit>) {
    for (i, a) in ai_assets(cx) {
        if let (Some(d), Some(e)) = (cx.inheritance.declared[i], cx.inheritance.rank[i])
            && d < e
        {
            let why = a.effective_classification.as_ref().map(|c| c.explanation.clone()).unwrap_or_default();
            hits.push(hit(
                i,
                format!(
                    "{} `{}` is declared {} but inherits {}",
                    kind_name(a.kind),
                    a.name,
                    cx.scale.name(d),
                    cx.scale.name(e)
                ),
                &[("declared", cx.scale.name(d).to_owned()), ("inherited", cx.scale.name(e).to_owned()), ("path", why)],
            ));
        }
    }
}

fn check_unclassified_training(cx: &PolicyContext, _: &PolicyConfig, hits: &mut Vec<Hit>) {
    let index: BTreeMap<&str, usize> = cx.assets.iter().enumerate().map(|(i, a)| (a.id.as_str(), i)).collect();
    for (i, a) in ai_assets(cx) {
        let unclassified: Vec<&str> = a
            .relations
            .iter()
            .filter(|r| r.kind == RelationKind::TrainedOn)
            .filter(|r| index.get(r.target.as_str()).is_none_or(|&j| cx.inheritance.rank[j].is_none()))
            .map(|r| r.target.as_str())
            .collect();
        if !unclassified.is_empty() {
            hits.push(hit(
                i,
                format!("{} `{}` was trained on data with no classification", kind_name(a.kind), a.name),
                &[("data", unclassified.join(","))],
            ));
        }
    }
}

fn check_unknown_label(cx: &PolicyContext, _: &PolicyConfig, hits: &mut Vec<Hit>) {
    for (i, a) in cx.assets.iter().enumerate() {
        if let Some(raw) = &a.declared_classification
            && cx.scale.level_of(raw).is_none()
        {
            hits.push(hit(
                i,
                format!("classification `{raw}` on `{}` is not on the scale ({})", a.name, cx.scale.levels.join(" < ")),
                &[("value", raw.clone())],
            ));
        }
    }
}

fn check_residency(cx: &PolicyContext, cfg: &PolicyConfig, hits: &mut Vec<Hit>) {
    if cfg.data_residency_regions.is_empty() {
        return;
    }
    let Some(min) = cx.scale.level_of(&cfg.residency_level) else {
        return;
    };
    for (i, a) in ai_assets(cx) {
        if let (Some(rank), Some(region)) = (cx.inheritance.rank[i], &a.region)
            && rank >= min
            && !cfg.data_residency_regions.iter().any(|r| r.eq_ignore_ascii_case(region))
        {
            hits.push(hit(
                i,
                format!(
                    "{} `{}` uses {} data in {region}, outside the allowed regions",
                    kind_name(a.kind),
                    a.name,
                    cx.scale.name(rank)
                ),
                &[("region", region.clone()), ("level", cx.scale.name(rank).to_owned())],
            ));
        }
    }
}

fn kind_name(k: AssetKind) -> String {
    k.as_str().replace('_', " ")
}

/// The sanctioned AI register: resource ids and AI-system ids the organisation knows about.
#[derive(Debug, Default, Clone)]
pub struct Register {
    ids: BTreeSet<String>,
    systems: BTreeSet<String>,
    /// Intended purpose by lower-cased resource id or AI-system id, where the export has one.
    purposes: BTreeMap<String, String>,
}

/// Column / field names read from a register export.
const ID_FIELDS: &[&str] = &["id", "resource_id", "arn", "object_id", "asset_id"];
const SYSTEM_FIELDS: &[&str] = &["ai_system_id", "ai-system-id", "system_id", "name"];
const PURPOSE_FIELDS: &[&str] = &["intended_purpose", "intended-purpose", "purpose"];

impl Register {
    pub fn contains(&self, id: &str, system: Option<&str>) -> bool {
        self.ids.contains(&id.to_ascii_lowercase())
            || system.is_some_and(|s| self.systems.contains(&s.to_ascii_lowercase()))
    }

    /// The intended purpose the register records for this resource or AI system.
    pub fn purpose(&self, id: &str, system: Option<&str>) -> Option<&str> {
        self.purposes
            .get(&id.to_ascii_lowercase())
            .or_else(|| system.and_then(|s| self.purposes.get(&s.to_ascii_lowercase())))
            .map(String::as_str)
    }

    /// Reads a CSV (header row; columns such as `id`, `arn`, `ai_system_id`) or JSON (an array of
    /// objects with those keys, or `{"items": [...]}`) export.
    pub fn load(path: &Path) -> Result<Register, String> {
        let text =
            std::fs::read_to_string(path).map_err(|e| format!("cannot read register {}: {e}", path.display()))?;
        let is_json = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"))
            || text.trim_start().starts_with(['[', '{']);
        let rows: Vec<BTreeMap<String, String>> = if is_json {
            let v: serde_json::Value =
                serde_json::from_str(&text).map_err(|e| format!("register {}: invalid JSON: {e}", path.display()))?;
            let items = match &v {
                serde_json::Value::Array(a) => a.clone(),
                serde_json::Value::Object(o) => o
                    .values()
                    .find_map(|x| x.as_array().cloned())
                    .ok_or_else(|| format!("register {}: expected an array of objects", path.display()))?,
                _ => {
                    return Err(format!("register {}: expected an array of objects", path.display()));
                }
            };
            items
                .iter()
                .filter_map(|i| i.as_object())
                .map(|o| {
                    o.iter().filter_map(|(k, v)| v.as_str().map(|s| (k.to_ascii_lowercase(), s.to_owned()))).collect()
                })
                .collect()
        } else {
            let mut rdr = csv::Reader::from_reader(text.as_bytes());
            let headers: Vec<String> = rdr
                .headers()
                .map_err(|e| format!("register {}: {e}", path.display()))?
                .iter()
                .map(|h| h.trim().to_ascii_lowercase())
                .collect();
            let mut rows = Vec::new();
            for rec in rdr.records() {
                let rec = rec.map_err(|e| format!("register {}: {e}", path.display()))?;
                rows.push(headers.iter().cloned().zip(rec.iter().map(|s| s.trim().to_owned())).collect());
            }
            rows
        };
        let mut reg = Register::default();
        for row in rows {
            let purpose = PURPOSE_FIELDS.iter().find_map(|f| row.get(*f).filter(|v| !v.is_empty()));
            let keys = ID_FIELDS.iter().chain(SYSTEM_FIELDS).filter_map(|f| row.get(*f).filter(|v| !v.is_empty()));
            if let Some(p) = purpose {
                for k in keys {
                    reg.purposes.entry(k.to_ascii_lowercase()).or_insert_with(|| p.clone());
                }
            }
            for f in ID_FIELDS {
                if let Some(v) = row.get(*f).filter(|v| !v.is_empty()) {
                    reg.ids.insert(v.to_ascii_lowercase());
                }
            }
            for f in SYSTEM_FIELDS {
                if let Some(v) = row.get(*f).filter(|v| !v.is_empty()) {
                    reg.systems.insert(v.to_ascii_lowercase());
                }
            }
        }
        if reg.ids.is_empty() && reg.systems.is_empty() {
            return Err(format!(
                "register {}: no entries with any of the columns {} / {}",
                path.display(),
                ID_FIELDS.join(","),
                SYSTEM_FIELDS.join(",")
            ));
        }
        Ok(reg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{self, ClassificationConfig, TagKeys};
    use aimscope_core::{Cloud, Inventory, ToolInfo};

    fn asset(id: &str, kind: AssetKind, service: Service, tags: &[(&str, &str)]) -> Asset {
        let mut a = Asset::new(id, Cloud::Aws, "111", Some("us-east-1".into()), kind, service, id);
        a.tags = tags.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        a
    }

    const GOOD_TAGS: &[(&str, &str)] =
        &[("owner", "ml"), ("ai-system-id", "AIS-1"), ("data-classification", "internal")];

    fn run(assets: Vec<Asset>, cfg: &PolicyConfig, register: Option<&Register>) -> Vec<Finding> {
        let tool = ToolInfo { name: "t".into(), version: "t".into() };
        let mut inv = Inventory::new(tool, "r", chrono::Utc::now(), vec![], assets, vec![]);
        analysis::analyze(&mut inv, &TagKeys::default(), &ClassificationConfig::default(), cfg, register)
    }

    fn fired(findings: &[Finding], rule: &str, asset: &str) -> bool {
        findings.iter().any(|f| f.rule_id == rule && f.asset_id == asset)
    }

    #[test]
    fn shipped_policy_file_is_the_defaults() {
        let cfg: PolicyConfig = toml::from_str(include_str!("../config/policy.toml")).expect("parses");
        cfg.validate().expect("valid");
        assert_eq!(cfg.rules.len(), RULES.len());
        for r in RULES {
            assert_eq!(cfg.rules[r.id].severity, Some(r.severity), "{}", r.id);
        }
        let bad =
            PolicyConfig { rules: BTreeMap::from([("no.such".into(), RuleOverride::default())]), ..Default::default() };
        assert!(bad.validate().is_err());
    }

    #[test]
    fn required_tags_fire_only_when_missing() {
        let f = run(
            vec![
                asset("tagged", AssetKind::Model, Service::Sagemaker, GOOD_TAGS),
                asset("bare", AssetKind::Endpoint, Service::Sagemaker, &[("Owner", "x")]),
                asset("data", AssetKind::Bucket, Service::S3, &[]),
            ],
            &PolicyConfig::default(),
            None,
        );
        assert!(!fired(&f, "tags.missing_required", "tagged"));
        let bare = f.iter().find(|x| x.asset_id == "bare" && x.rule_id == "tags.missing_required").expect("fires");
        assert_eq!(bare.evidence["missing"], "ai_system_id,classification", "tag keys match case-insensitively");
        assert_eq!(bare.controls, ["A.3.2", "A.4.2"]);
        assert!(!fired(&f, "tags.missing_required", "data"), "data is not an AI asset");
    }

    #[test]
    fn register_matches_by_id_or_system_tag() {
        let dir = tempfile::tempdir().expect("tmp");
        let csv = dir.path().join("reg.csv");
        std::fs::write(&csv, "ARN,ai_system_id,notes\nknown-by-id,,x\n,AIS-7,y\n").expect("write");
        let reg = Register::load(&csv).expect("loads");
        let f = run(
            vec![
                asset("known-by-id", AssetKind::Model, Service::Sagemaker, &[]),
                asset("known-by-tag", AssetKind::Model, Service::Sagemaker, &[("ai-system-id", "ais-7")]),
                asset("shadow", AssetKind::Model, Service::Sagemaker, &[]),
            ],
            &PolicyConfig::default(),
            Some(&reg),
        );
        assert!(!fired(&f, "register.unregistered", "known-by-id"));
        assert!(!fired(&f, "register.unregistered", "known-by-tag"));
        assert!(fired(&f, "register.unregistered", "shadow"));

        let json = dir.path().join("reg.json");
        std::fs::write(&json, r#"{"items": [{"resource_id": "a"}, {"ai_system_id": "S"}]}"#).expect("write");
        assert!(Register::load(&json).expect("json").contains("A", None));
        std::fs::write(&json, r#"{"items": [{"unrelated": "a"}]}"#).expect("write");
        assert!(Register::load(&json).is_err(), "a register with no usable column is an error");
        assert!(Register::load(&dir.path().join("missing.csv")).is_err());
    }

    #[test]
    fn models_outside_the_cloud_model_registry_are_flagged() {
        let mut unregistered = asset("loose", AssetKind::Model, Service::Sagemaker, GOOD_TAGS);
        unregistered.facts.in_model_registry = Some(false);
        let mut registered = asset("versioned", AssetKind::Model, Service::Sagemaker, GOOD_TAGS);
        registered.facts.in_model_registry = Some(true);
        let unknown = asset("no-registry-concept", AssetKind::Model, Service::VertexAi, GOOD_TAGS);
        let f = run(vec![unregistered, registered, unknown], &PolicyConfig::default(), None);
        assert!(fired(&f, "register.model_not_in_model_registry", "loose"));
        assert!(!fired(&f, "register.model_not_in_model_registry", "versioned"));
        assert!(!fired(&f, "register.model_not_in_model_registry", "no-registry-concept"));
    }

    #[test]
    fn rules_can_be_disabled_and_reseveritied() {
        let mut cfg = PolicyConfig::default();
        cfg.rules
            .insert("tags.missing_required".into(), RuleOverride { enabled: None, severity: Some(Severity::Critical) });
        let f = run(vec![asset("m", AssetKind::Model, Service::Sagemaker, &[])], &cfg, None);
        assert!(f.iter().any(|x| x.rule_id == "tags.missing_required" && x.severity == Severity::Critical));
        cfg.rules.insert("tags.missing_required".into(), RuleOverride { enabled: Some(false), severity: None });
        let f = run(vec![asset("m", AssetKind::Model, Service::Sagemaker, &[])], &cfg, None);
        assert!(!f.iter().any(|x| x.rule_id == "tags.missing_required"));
    }

    fn outside(provider: &str) -> aimscope_core::facts::OutsideAi {
        aimscope_core::facts::OutsideAi {
            provider: provider.into(),
            provider_name: provider.into(),
            confidence: aimscope_core::detect::Confidence::High,
            consumer: "fn".into(),
            evidence: vec![],
        }
    }

    #[test]
    fn scope_providers_network_auth_and_logging_rules() {
        let mut out_of_scope = asset("far", AssetKind::Model, Service::Sagemaker, GOOD_TAGS);
        out_of_scope.region = Some("ap-south-1".into());
        let mut api = asset("usage", AssetKind::ThirdPartyApiUsage, Service::Lambda, &[]);
        api.facts.outside_ai = Some(outside("deepseek"));
        let mut ok_api = asset("usage-ok", AssetKind::ThirdPartyApiUsage, Service::Lambda, &[]);
        ok_api.facts.outside_ai = Some(outside("openai"));
        let mut acct = asset("aoai", AssetKind::AiServiceAccount, Service::CognitiveServices, GOOD_TAGS);
        acct.facts.public_network_access = Some(true);
        acct.facts.key_auth = Some(true);
        let mut logging_off = asset("log-us", AssetKind::ServiceConfiguration, Service::Bedrock, &[]);
        logging_off.facts.invocation_logging = Some(false);
        let mut logging_off_unused = logging_off.clone();
        logging_off_unused.id = "log-eu".into();
        logging_off_unused.region = Some("eu-west-1".into());
        let agent = asset("agent", AssetKind::Agent, Service::BedrockAgent, GOOD_TAGS);
        let cfg = PolicyConfig {
            scope_regions: vec!["us-east-1".into(), "eu-west-1".into()],
            approved_providers: Some(vec!["openai".into()]),
            ..Default::default()
        };
        let f = run(vec![out_of_scope, api, ok_api, acct, logging_off, logging_off_unused, agent], &cfg, None);
        assert!(fired(&f, "scope.outside_aims", "far"));
        assert!(!fired(&f, "scope.outside_aims", "agent"));
        assert!(fired(&f, "third_party.unapproved_provider", "usage"));
        assert!(!fired(&f, "third_party.unapproved_provider", "usage-ok"));
        assert!(fired(&f, "network.public_access", "aoai"));
        assert!(fired(&f, "auth.key_based", "aoai"));
        assert!(fired(&f, "logging.invocation_logging_disabled", "log-us"), "Bedrock is used in us-east-1");
        assert!(!fired(&f, "logging.invocation_logging_disabled", "log-eu"), "no Bedrock use in eu-west-1");

        let relaxed = PolicyConfig { require_identity_auth: false, approved_providers: None, ..Default::default() };
        let mut acct = asset("aoai", AssetKind::AiServiceAccount, Service::CognitiveServices, GOOD_TAGS);
        acct.facts.key_auth = Some(true);
        let f = run(vec![acct], &relaxed, None);
        assert!(!fired(&f, "auth.key_based", "aoai"));
    }

    #[test]
    fn classification_rules() {
        let mut model = asset("m", AssetKind::Model, Service::Sagemaker, GOOD_TAGS);
        model.relate(RelationKind::TrainedOn, "pii-bucket");
        let bucket = asset("pii-bucket", AssetKind::Bucket, Service::S3, &[("classification", "PII")]);
        let mut raw = asset("raw", AssetKind::TrainingJob, Service::Sagemaker, GOOD_TAGS);
        raw.relate(RelationKind::TrainedOn, "untagged");
        let untagged = asset("untagged", AssetKind::Bucket, Service::S3, &[]);
        let odd = asset("odd", AssetKind::Bucket, Service::S3, &[("data-classification", "kinda-secret")]);
        let mut eu = asset("eu-ep", AssetKind::Endpoint, Service::Sagemaker, GOOD_TAGS);
        eu.region = Some("eu-west-1".into());
        eu.relate(RelationKind::Serves, "m");
        let cfg = PolicyConfig { data_residency_regions: vec!["us-east-1".into()], ..Default::default() };
        let f = run(vec![model, bucket, raw, untagged, odd, eu], &cfg, None);
        let below = f
            .iter()
            .find(|x| x.rule_id == "classification.declared_below_inherited" && x.asset_id == "m")
            .expect("fires");
        assert_eq!(below.evidence["declared"], "internal");
        assert_eq!(below.evidence["inherited"], "restricted");
        assert!(below.evidence["path"].contains("bucket pii-bucket"));
        assert!(fired(&f, "classification.declared_below_inherited", "eu-ep"));
        assert!(fired(&f, "classification.unclassified_training_data", "raw"));
        assert!(!fired(&f, "classification.unclassified_training_data", "m"));
        assert!(fired(&f, "classification.unknown_label", "odd"));
        assert!(!fired(&f, "classification.unknown_label", "pii-bucket"));
        assert!(fired(&f, "residency.outside_allowed_regions", "eu-ep"));
        assert!(!fired(&f, "residency.outside_allowed_regions", "m"));
    }
}
