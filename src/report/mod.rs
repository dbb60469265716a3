//! The AIMS scope document: what an ISO/IEC 42001 auditor reads, built only from what a scan
//! found and what the configuration declares.
//!
//! [`build`] is a pure pass from an analysed [`Inventory`] (plus, optionally, the history's
//! view of earlier runs) to a typed [`Report`]; [`html`] and [`markdown`] render the same
//! report. Nothing here calls a cloud.

pub mod annex_a;
pub mod doc;
pub mod html;
pub mod layout;
pub mod markdown;
pub mod regions;

use std::collections::{BTreeMap, BTreeSet};

use aimscope_core::facts::BaseModel;
use aimscope_core::{
    Asset, AssetKind, Cloud, CoverageStatus, Finding, Inventory, LifecycleStage, RelationKind, Severity,
};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::analysis::{ClassificationConfig, TagKeys};
use crate::policy::{PolicyConfig, Register};

/// The `[report]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReportConfig {
    /// The organisation whose AIMS this is.
    pub organisation: Option<String>,
    /// The AI management system's name.
    pub aims_name: Option<String>,
    /// Tag keys holding an AI system's intended purpose (the register's `purpose` column is
    /// read too).
    pub purpose_tags: Vec<String>,
    /// Tag keys naming who is responsible / accountable / consulted / informed.
    pub raci: RaciTags,
}

impl Default for ReportConfig {
    fn default() -> Self {
        let v = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect();
        ReportConfig {
            organisation: None,
            aims_name: None,
            purpose_tags: v(&["ai-purpose", "intended-purpose", "purpose"]),
            raci: RaciTags::default(),
        }
    }
}

/// Tag keys per RACI role.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RaciTags {
    pub responsible: Vec<String>,
    pub accountable: Vec<String>,
    pub consulted: Vec<String>,
    pub informed: Vec<String>,
}

impl Default for RaciTags {
    fn default() -> Self {
        let v = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect();
        RaciTags {
            responsible: v(&["ai-responsible", "owner", "team"]),
            accountable: v(&["ai-accountable", "accountable", "ai-owner"]),
            consulted: v(&["ai-consulted", "consulted"]),
            informed: v(&["ai-informed", "informed"]),
        }
    }
}

/// The two renderings of the one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Html,
    Markdown,
}

impl ReportFormat {
    /// Markdown for `.md` / `.markdown`, HTML otherwise.
    pub fn for_path(path: Option<&std::path::Path>) -> ReportFormat {
        match path.and_then(|p| p.extension()).map(|e| e.to_string_lossy().to_ascii_lowercase()) {
            Some(e) if e == "md" || e == "markdown" => ReportFormat::Markdown,
            _ => ReportFormat::Html,
        }
    }
}

/// The configuration the report reads, owned: a report sink keeps it for an agent's lifetime.
#[derive(Debug, Clone)]
pub struct Settings {
    pub report: ReportConfig,
    pub tags: TagKeys,
    pub scale: ClassificationConfig,
    pub policy: PolicyConfig,
    pub register: Option<Register>,
}

impl Settings {
    pub fn context(&self) -> Context<'_> {
        Context {
            report: &self.report,
            tags: &self.tags,
            scale: &self.scale,
            policy: &self.policy,
            register: self.register.as_ref(),
        }
    }
}

/// The scope document of `inv` (whose JSON form hashes to `sha`), with what `history` knows of
/// earlier versions when given.
pub fn render(
    inv: &Inventory,
    sha: &str,
    settings: &Settings,
    history: Option<&std::path::Path>,
    format: ReportFormat,
) -> anyhow::Result<String> {
    let (previous, timelines) = match history {
        Some(p) => crate::history::History::open(p)?.report_view(inv)?,
        None => (None, Default::default()),
    };
    let r = build(inv, sha, settings.context(), previous, &timelines);
    Ok(match format {
        ReportFormat::Html => html::render(&r),
        ReportFormat::Markdown => markdown::render(&r),
    })
}

/// What the report reads besides the inventory.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub report: &'a ReportConfig,
    pub tags: &'a TagKeys,
    pub scale: &'a ClassificationConfig,
    pub policy: &'a PolicyConfig,
    pub register: Option<&'a Register>,
}

/// The earlier version this document supersedes and what changed since (from the history).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Previous {
    pub run_id: String,
    pub at: Option<String>,
    pub added: u64,
    pub changed: u64,
    pub removed: u64,
    pub unseen: u64,
}

/// When each asset was first seen and last changed (from the history), by id.
pub type Timelines = BTreeMap<String, (String, String)>;

#[derive(Debug, Clone)]
pub struct Report {
    pub control: DocumentControl,
    pub boundary: Boundary,
    pub systems: Vec<AiSystem>,
    pub shadow: Vec<ShadowItem>,
    pub gaps: Vec<Gap>,
    pub parties: Parties,
    pub register: Vec<RegisterRow>,
    pub data: Vec<DataRow>,
    pub lineage: Vec<Lineage>,
    pub third_party: Vec<ThirdPartyRow>,
    pub findings: Findings,
    pub soa: Vec<SoaRow>,
    /// The configured classification scale, lowest first (for legends).
    pub levels: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct DocumentControl {
    pub organisation: String,
    pub aims_name: String,
    /// The run id: one document version per scan.
    pub version: String,
    pub scanned_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub inventory_sha256: String,
    pub schema_version: String,
    pub tool_version: String,
    pub complete: bool,
    pub previous: Option<Previous>,
}

#[derive(Debug, Clone)]
pub struct Boundary {
    pub clouds: Vec<Cloud>,
    pub scopes: Vec<ScopeRow>,
    /// `policy.scope_accounts` / `scope_regions` as declared (empty: everything scanned).
    pub declared_accounts: Vec<String>,
    pub declared_regions: Vec<String>,
    pub jurisdictions: Vec<JurisdictionRow>,
}

/// One account / subscription / project the scan looked at.
#[derive(Debug, Clone)]
pub struct ScopeRow {
    pub cloud: Cloud,
    pub account: String,
    pub regions: Vec<String>,
    pub in_declared_scope: bool,
    pub ai_assets: usize,
    /// The worst coverage status of the account's records.
    pub coverage: CoverageStatus,
}

#[derive(Debug, Clone)]
pub struct JurisdictionRow {
    pub cloud: Cloud,
    pub region: String,
    pub country: String,
    /// `None`: the region is not in the map.
    pub eu: Option<bool>,
    pub ai_assets: usize,
}

/// The organisation's ISO/IEC 42001 (ISO/IEC 22989 §5.19) role for an AI system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Producer,
    Provider,
    Customer,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Producer => "AI producer",
            Role::Provider => "AI provider",
            Role::Customer => "AI customer (user)",
        }
    }
}

#[derive(Debug, Clone)]
pub struct AiSystem {
    /// The AI-system-id tag value; `None` for AI that carries none.
    pub id: Option<String>,
    pub purpose: Option<String>,
    pub roles: Vec<(Role, String)>,
    pub stages: BTreeSet<LifecycleStage>,
    /// Indices into [`Report::register`].
    pub assets: Vec<usize>,
    pub raci: Raci,
    /// The highest effective classification among its assets.
    pub classification: Option<String>,
}

impl AiSystem {
    pub fn label(&self) -> &str {
        self.id.as_deref().unwrap_or("(unassigned)")
    }
}

#[derive(Debug, Clone, Default)]
pub struct Raci {
    pub responsible: BTreeSet<String>,
    pub accountable: BTreeSet<String>,
    pub consulted: BTreeSet<String>,
    pub informed: BTreeSet<String>,
}

#[derive(Debug, Clone)]
pub struct ShadowItem {
    pub asset: usize,
    pub reasons: Vec<String>,
}

/// A (scope, collector) that was not read in full.
#[derive(Debug, Clone)]
pub struct Gap {
    pub cloud: Cloud,
    pub account: Option<String>,
    pub region: Option<String>,
    pub collector: String,
    pub status: CoverageStatus,
    pub reason: String,
}

#[derive(Debug, Clone)]
pub struct Parties {
    pub clouds: Vec<(Cloud, &'static str)>,
    /// Outside AI provider → the resources that call it (names).
    pub outside: BTreeMap<String, BTreeSet<String>>,
    /// Classification level → number of data resources at that level.
    pub data_categories: Vec<(String, usize)>,
}

#[derive(Debug, Clone)]
pub struct RegisterRow {
    pub anchor: String,
    pub id: String,
    pub name: String,
    pub kind: AssetKind,
    pub cloud: Cloud,
    pub account: String,
    pub region: Option<String>,
    pub owner: Option<String>,
    pub system: Option<String>,
    pub stage: Option<LifecycleStage>,
    pub declared: Option<String>,
    pub effective: Option<String>,
    pub explanation: Option<String>,
    pub base: Option<String>,
    pub registry: Option<bool>,
    pub exposure: Option<String>,
    pub first_seen: Option<String>,
    pub last_changed: Option<String>,
    pub is_ai: bool,
}

#[derive(Debug, Clone)]
pub struct DataRow {
    pub asset: usize,
    pub used_by: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct Lineage {
    pub system: String,
    pub graph: layout::Graph,
}

#[derive(Debug, Clone)]
pub struct ThirdPartyRow {
    pub provider: String,
    pub signals: Vec<String>,
    pub consumer: String,
    /// `None`: no approved list is configured.
    pub approved: Option<bool>,
    pub classification: Option<String>,
    /// Whether data at or above `policy.residency_level` flows to the provider.
    pub sensitive: bool,
    pub usage: usize,
}

#[derive(Debug, Clone)]
pub struct Findings {
    pub by_severity: Vec<(Severity, usize)>,
    pub rules: Vec<RuleGroup>,
}

#[derive(Debug, Clone)]
pub struct RuleGroup {
    pub rule_id: String,
    pub title: String,
    pub severity: Severity,
    pub controls: Vec<String>,
    /// Register rows hit, with the finding's message.
    pub hits: Vec<(Option<usize>, String)>,
}

#[derive(Debug, Clone)]
pub struct SoaRow {
    pub control: annex_a::Control,
    /// What this scan offers as evidence; empty: the control needs manual evidence.
    pub evidence: Vec<String>,
}

/// Hex SHA-256 of the inventory as written.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// A stable HTML anchor for an asset id.
fn anchor(id: &str) -> String {
    format!("a-{}", &sha256_hex(id.as_bytes())[..12])
}

fn cloud_vendor(c: Cloud) -> &'static str {
    match c {
        Cloud::Aws => "Amazon Web Services",
        Cloud::Azure => "Microsoft Azure",
        Cloud::Gcp => "Google Cloud",
    }
}

/// The short name of a foundation-model reference that resolves to no asset
/// (`arn:aws:bedrock:…::foundation-model/anthropic.claude-3`, `publishers/google/models/gemini`).
fn foundation_model_name(target: &str) -> Option<&str> {
    if target.contains(":foundation-model/") || target.starts_with("publishers/") || target.contains("/publishers/") {
        target.rsplit('/').next().filter(|s| !s.is_empty())
    } else {
        None
    }
}

/// The base model or outside provider an asset builds on, for the register.
fn base_of(a: &Asset, by_id: &BTreeMap<&str, usize>, assets: &[Asset]) -> Option<String> {
    if a.kind == AssetKind::ThirdPartyApiUsage {
        return a.facts.outside_ai.as_ref().map(|ai| ai.provider_name.clone());
    }
    if let Some(BaseModel { format: Some(format), name, .. }) = &a.facts.base_model {
        return Some(format!("{format} {name}"));
    }
    for r in &a.relations {
        if matches!(r.kind, RelationKind::FineTunedFrom | RelationKind::Uses | RelationKind::Serves) {
            if let Some(fm) = foundation_model_name(&r.target) {
                return Some(fm.to_owned());
            }
            if r.kind == RelationKind::FineTunedFrom
                && let Some(&i) = by_id.get(r.target.as_str())
            {
                return Some(assets[i].name.clone());
            }
        }
    }
    // A model id the agent names without a catalogue relation to resolve.
    a.facts.base_model.as_ref().map(|b| b.name.clone())
}

/// Builds the report. `sha256` is the digest of the inventory as written.
pub fn build(
    inv: &Inventory,
    sha256: &str,
    cx: Context<'_>,
    previous: Option<Previous>,
    timelines: &Timelines,
) -> Report {
    let assets = &inv.assets;
    let by_id: BTreeMap<&str, usize> = assets.iter().enumerate().map(|(i, a)| (a.id.as_str(), i)).collect();
    let system_of = |a: &Asset| TagKeys::lookup(&cx.tags.ai_system_id, &a.tags).map(str::to_owned);
    let rank = |level: &str| cx.scale.level_of(level);

    // Register rows: one per asset, in the inventory's order (index = asset index).
    let register: Vec<RegisterRow> = assets
        .iter()
        .map(|a| {
            let tl = timelines.get(&a.id);
            RegisterRow {
                anchor: anchor(&a.id),
                id: a.id.clone(),
                name: a.name.clone(),
                kind: a.kind,
                cloud: a.cloud,
                account: a.account.clone(),
                region: a.region.clone(),
                owner: a.owner.clone(),
                system: system_of(a),
                stage: a.lifecycle_stage,
                declared: a.declared_classification.clone(),
                effective: a.effective_classification.as_ref().map(|e| e.level.clone()),
                explanation: a.effective_classification.as_ref().filter(|e| e.hops > 0).map(|e| e.explanation.clone()),
                base: base_of(a, &by_id, assets),
                registry: a.facts.in_model_registry,
                exposure: a
                    .facts
                    .public_network_access
                    .map(|public| format!("public network access: {}", if public { "Enabled" } else { "Disabled" })),
                first_seen: tl.map(|t| t.0.clone()).or_else(|| a.created_at.map(|t| t.to_rfc3339())),
                last_changed: tl.map(|t| t.1.clone()),
                is_ai: a.kind.is_ai() && a.kind != AssetKind::FoundationModel,
            }
        })
        .collect();

    // AI systems: AI assets grouped by the AI-system-id tag; untagged AI is "unassigned".
    let mut groups: BTreeMap<Option<String>, Vec<usize>> = BTreeMap::new();
    for (i, row) in register.iter().enumerate() {
        if row.is_ai {
            groups.entry(row.system.clone()).or_default().push(i);
        }
    }
    // Unassigned last: it is what the organisation has yet to place.
    let mut ordered: Vec<(Option<String>, Vec<usize>)> = groups.into_iter().filter(|(k, _)| k.is_some()).collect();
    let unassigned: Vec<usize> =
        register.iter().enumerate().filter(|(_, r)| r.is_ai && r.system.is_none()).map(|(i, _)| i).collect();
    if !unassigned.is_empty() {
        ordered.push((None, unassigned));
    }
    let systems: Vec<AiSystem> =
        ordered.into_iter().map(|(id, members)| ai_system(id, members, assets, &by_id, cx, &rank)).collect();

    // Exclusions: shadow AI (outside the declared scope or the register) and coverage gaps.
    let mut shadow: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for f in &inv.findings {
        if (f.rule_id == "scope.outside_aims" || f.rule_id == "register.unregistered")
            && let Some(&i) = by_id.get(f.asset_id.as_str())
        {
            shadow.entry(i).or_default().push(f.message.clone());
        }
    }
    let shadow = shadow.into_iter().map(|(asset, reasons)| ShadowItem { asset, reasons }).collect();
    let gaps: Vec<Gap> = inv
        .coverage
        .iter()
        .filter(|c| !c.status.is_complete())
        .map(|c| Gap {
            cloud: c.cloud,
            account: c.account.clone(),
            region: c.region.clone(),
            collector: c.collector.clone(),
            status: c.status,
            reason: c.error.clone().unwrap_or_else(|| c.status.as_str().to_owned()),
        })
        .collect();

    let boundary = boundary(inv, cx.policy);

    // Interested parties.
    let mut outside: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut third_party = Vec::new();
    let sensitive_min = cx.scale.level_of(&cx.policy.residency_level);
    for (i, a) in assets.iter().enumerate().filter(|(_, a)| a.kind == AssetKind::ThirdPartyApiUsage) {
        let ai = a.facts.outside_ai.as_ref();
        let provider = ai.map_or("unknown", |ai| ai.provider_name.as_str()).to_owned();
        let consumer = ai
            .and_then(|ai| by_id.get(ai.consumer.as_str()))
            .map(|&c| assets[c].name.clone())
            .unwrap_or_else(|| a.name.clone());
        outside.entry(provider.clone()).or_default().insert(consumer.clone());
        let signals = ai
            .map(|ai| {
                ai.evidence.iter().map(|e| format!("{} `{}`", e.signal.as_str().replace('_', " "), e.field)).collect()
            })
            .unwrap_or_default();
        let approved = cx.policy.approved_providers.as_ref().map(|list| {
            let id = ai.map_or("", |ai| ai.provider.as_str());
            list.iter().any(|p| p.eq_ignore_ascii_case(id) || p.eq_ignore_ascii_case(&provider))
        });
        let classification = a.effective_classification.as_ref().map(|e| e.level.clone());
        let sensitive = match (sensitive_min, classification.as_deref().and_then(rank)) {
            (Some(min), Some(r)) => r >= min,
            _ => false,
        };
        third_party.push(ThirdPartyRow { provider, signals, consumer, approved, classification, sensitive, usage: i });
    }
    let mut categories: BTreeMap<usize, usize> = BTreeMap::new();
    let mut unclassified_data = 0;
    for a in assets.iter().filter(|a| a.kind.is_data()) {
        match a.effective_classification.as_ref().and_then(|e| rank(&e.level)) {
            Some(r) => *categories.entry(r).or_default() += 1,
            None => unclassified_data += 1,
        }
    }
    let mut data_categories: Vec<(String, usize)> =
        categories.into_iter().rev().map(|(r, n)| (cx.scale.name(r).to_owned(), n)).collect();
    if unclassified_data > 0 {
        data_categories.push(("unclassified".into(), unclassified_data));
    }
    let mut clouds: BTreeSet<Cloud> = inv.run.providers.iter().copied().collect();
    clouds.extend(assets.iter().map(|a| a.cloud));
    let parties = Parties { clouds: clouds.iter().map(|c| (*c, cloud_vendor(*c))).collect(), outside, data_categories };

    // Data resources and who uses them (any relation from an AI asset, directly).
    let mut used_by: BTreeMap<usize, BTreeSet<usize>> = BTreeMap::new();
    for (i, a) in assets.iter().enumerate() {
        for r in &a.relations {
            if let Some(&t) = by_id.get(r.target.as_str())
                && assets[t].kind.is_data()
                && r.kind != RelationKind::PartOf
                && i != t
            {
                used_by.entry(t).or_default().insert(i);
            }
        }
    }
    let data = assets
        .iter()
        .enumerate()
        .filter(|(_, a)| a.kind.is_data())
        .map(|(i, _)| DataRow {
            asset: i,
            used_by: used_by.remove(&i).map(|s| s.into_iter().collect()).unwrap_or_default(),
        })
        .collect();

    let system_of: Vec<Option<&str>> = register.iter().map(|r| r.system.as_deref().filter(|_| r.is_ai)).collect();
    let lineage = systems
        .iter()
        .map(|s| Lineage {
            system: s.label().to_owned(),
            graph: lineage_graph(s.id.as_deref(), &s.assets, assets, &system_of, &by_id, cx.scale),
        })
        .filter(|l| !l.graph.nodes.is_empty())
        .collect();

    let findings = findings(&inv.findings, &by_id);
    let soa = soa(inv, &register, &systems, &third_party, &findings, &boundary);

    Report {
        control: DocumentControl {
            organisation: cx
                .report
                .organisation
                .clone()
                .unwrap_or_else(|| "(organisation not set: [report] organisation)".into()),
            aims_name: cx.report.aims_name.clone().unwrap_or_else(|| "AI management system".into()),
            version: inv.run.id.clone(),
            scanned_at: inv.run.started_at,
            finished_at: inv.run.finished_at,
            inventory_sha256: sha256.to_owned(),
            schema_version: inv.schema_version.clone(),
            tool_version: inv.tool.version.clone(),
            complete: inv.run.complete,
            previous,
        },
        boundary,
        systems,
        shadow,
        gaps,
        parties,
        register,
        data,
        lineage,
        third_party,
        findings,
        soa,
        levels: cx.scale.levels.clone(),
    }
}

fn ai_system(
    id: Option<String>,
    members: Vec<usize>,
    assets: &[Asset],
    by_id: &BTreeMap<&str, usize>,
    cx: Context<'_>,
    rank: &dyn Fn(&str) -> Option<usize>,
) -> AiSystem {
    let names = |v: &[usize]| -> String {
        let mut ns: Vec<&str> = v.iter().map(|&i| assets[i].name.as_str()).collect();
        ns.sort_unstable();
        ns.dedup();
        let more = ns.len().saturating_sub(3);
        let mut s = ns.into_iter().take(3).collect::<Vec<_>>().join(", ");
        if more > 0 {
            s.push_str(&format!(" and {more} more"));
        }
        s
    };
    let of = |pred: &dyn Fn(&Asset) -> bool| -> Vec<usize> {
        members.iter().copied().filter(|&i| pred(&assets[i])).collect()
    };
    let jobs = of(&|a| matches!(a.kind, AssetKind::TrainingJob | AssetKind::CustomizationJob));
    let produced = of(&|a| {
        matches!(a.kind, AssetKind::Model | AssetKind::CustomModel)
            && a.relations.iter().any(|r| matches!(r.kind, RelationKind::ProducedBy | RelationKind::FineTunedFrom))
    });
    let serves = of(&|a| matches!(a.kind, AssetKind::Endpoint | AssetKind::Deployment | AssetKind::Agent));
    let mut foundation: BTreeSet<String> = BTreeSet::new();
    for &i in &members {
        let a = &assets[i];
        for r in &a.relations {
            if matches!(r.kind, RelationKind::Uses | RelationKind::Serves | RelationKind::FineTunedFrom)
                && !by_id.contains_key(r.target.as_str())
                && let Some(fm) = foundation_model_name(&r.target)
            {
                foundation.insert(fm.to_owned());
            }
        }
        if a.kind == AssetKind::Deployment
            && let Some(BaseModel { format: Some(_), name, .. }) = &a.facts.base_model
        {
            foundation.insert(name.clone());
        }
        if a.kind == AssetKind::ThirdPartyApiUsage
            && let Some(ai) = &a.facts.outside_ai
        {
            foundation.insert(format!("{} API", ai.provider_name));
        }
    }
    let mut roles = Vec::new();
    if !jobs.is_empty() || !produced.is_empty() {
        let why = match (jobs.is_empty(), produced.is_empty()) {
            (false, false) => {
                format!("training / fine-tuning jobs {}; models produced {}", names(&jobs), names(&produced))
            }
            (false, true) => format!("training / fine-tuning jobs {}", names(&jobs)),
            _ => format!("models trained or fine-tuned here: {}", names(&produced)),
        };
        roles.push((Role::Producer, why));
        if !serves.is_empty() {
            roles.push((Role::Provider, format!("makes its models available through {}", names(&serves))));
        }
    }
    if !foundation.is_empty() {
        let list: Vec<String> = foundation.into_iter().collect();
        let more = list.len().saturating_sub(4);
        let mut s = list.into_iter().take(4).collect::<Vec<_>>().join(", ");
        if more > 0 {
            s.push_str(&format!(" and {more} more"));
        }
        roles.push((Role::Customer, format!("uses models or AI services it does not produce: {s}")));
    }
    let stages = members.iter().filter_map(|&i| assets[i].lifecycle_stage).collect();
    let purpose = members.iter().find_map(|&i| {
        let a = &assets[i];
        TagKeys::lookup(&cx.report.purpose_tags, &a.tags)
            .map(str::to_owned)
            .or_else(|| cx.register.and_then(|r| r.purpose(&a.id, id.as_deref())).map(str::to_owned))
    });
    let mut raci = Raci::default();
    for &i in &members {
        let tags = &assets[i].tags;
        let keys = &cx.report.raci;
        for (set, keys) in [
            (&mut raci.responsible, &keys.responsible),
            (&mut raci.accountable, &keys.accountable),
            (&mut raci.consulted, &keys.consulted),
            (&mut raci.informed, &keys.informed),
        ] {
            if let Some(v) = TagKeys::lookup(keys, tags) {
                set.insert(v.to_owned());
            }
        }
    }
    let classification = members
        .iter()
        .filter_map(|&i| assets[i].effective_classification.as_ref().and_then(|e| rank(&e.level)))
        .max()
        .map(|r| cx.scale.name(r).to_owned());
    AiSystem { id, purpose, roles, stages, assets: members, raci, classification }
}

fn boundary(inv: &Inventory, policy: &PolicyConfig) -> Boundary {
    let mut scopes: BTreeMap<(Cloud, String), (BTreeSet<String>, usize, CoverageStatus)> = BTreeMap::new();
    for c in &inv.coverage {
        if let Some(acct) = &c.account {
            let e = scopes.entry((c.cloud, acct.clone())).or_insert((BTreeSet::new(), 0, CoverageStatus::Complete));
            if let Some(r) = &c.region {
                e.0.insert(r.clone());
            }
            e.2 = e.2.max_by_gravity(c.status);
        }
    }
    let mut by_region: BTreeMap<(Cloud, String), usize> = BTreeMap::new();
    for a in inv.assets.iter().filter(|a| a.kind.is_ai() && a.kind != AssetKind::FoundationModel) {
        let e = scopes.entry((a.cloud, a.account.clone())).or_insert((BTreeSet::new(), 0, CoverageStatus::Complete));
        e.1 += 1;
        if let Some(r) = &a.region {
            e.0.insert(r.clone());
            *by_region.entry((a.cloud, r.clone())).or_default() += 1;
        }
    }
    let declared = |acct: &str| policy.scope_accounts.is_empty() || policy.scope_accounts.iter().any(|s| s == acct);
    let mut regions: BTreeSet<(Cloud, String)> = BTreeSet::new();
    let scopes: Vec<ScopeRow> = scopes
        .into_iter()
        .map(|((cloud, account), (rs, n, cov))| {
            regions.extend(rs.iter().map(|r| (cloud, r.clone())));
            ScopeRow {
                cloud,
                in_declared_scope: declared(&account),
                account,
                regions: rs.into_iter().collect(),
                ai_assets: n,
                coverage: cov,
            }
        })
        .collect();
    let jurisdictions = regions
        .into_iter()
        .map(|(cloud, region)| {
            let j = regions::jurisdiction(cloud, &region);
            JurisdictionRow {
                cloud,
                ai_assets: by_region.get(&(cloud, region.clone())).copied().unwrap_or(0),
                country: j.map(|j| j.country_name.to_owned()).unwrap_or_else(|| "unknown region".into()),
                eu: j.map(|j| j.eu),
                region,
            }
        })
        .collect();
    let mut clouds: Vec<Cloud> = inv.run.providers.clone();
    clouds.sort();
    clouds.dedup();
    Boundary {
        clouds,
        scopes,
        declared_accounts: policy.scope_accounts.clone(),
        declared_regions: policy.scope_regions.clone(),
        jurisdictions,
    }
}

/// The lineage graph of one AI system: its members, everything upstream of them (what they were
/// trained on, built from, serve) and everything downstream (what serves or uses them), through
/// every relation but `part_of` (which carries no data).
///
/// Two walks that never turn around: a bucket two systems were trained on does not pull the
/// other system's model into this graph. Another system's AI asset is drawn where the lineage
/// meets it (the connection is the point) but not walked past. `systems[i]` is asset `i`'s AI
/// system, for AI assets.
fn lineage_graph(
    system: Option<&str>,
    members: &[usize],
    assets: &[Asset],
    systems: &[Option<&str>],
    by_id: &BTreeMap<&str, usize>,
    scale: &ClassificationConfig,
) -> layout::Graph {
    let mut dependencies: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    let mut dependents: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, a) in assets.iter().enumerate() {
        for r in a.relations.iter().filter(|r| r.kind != RelationKind::PartOf) {
            if let Some(&t) = by_id.get(r.target.as_str()) {
                dependencies.entry(i).or_default().push(t);
                dependents.entry(t).or_default().push(i);
            }
        }
    }
    let foreign = |i: usize| systems.get(i).copied().flatten().is_some_and(|s| Some(s) != system);
    let mut seen: BTreeSet<usize> = members.iter().copied().collect();
    for next in [&dependencies, &dependents] {
        let mut stack: Vec<usize> = members.to_vec();
        let mut walked: BTreeSet<usize> = members.iter().copied().collect();
        while let Some(i) = stack.pop() {
            for &n in next.get(&i).into_iter().flatten() {
                if seen.len() >= layout::MAX_NODES && !seen.contains(&n) {
                    continue;
                }
                seen.insert(n);
                if walked.insert(n) && !foreign(n) {
                    stack.push(n);
                }
            }
        }
    }
    let order: Vec<usize> = seen.into_iter().collect();
    let index: BTreeMap<usize, usize> = order.iter().enumerate().map(|(k, &i)| (i, k)).collect();
    let n_levels = scale.levels.len();
    let nodes = order
        .iter()
        .map(|&i| {
            let a = &assets[i];
            let level = a.effective_classification.as_ref().map(|e| e.level.clone());
            layout::Node {
                label: a.name.clone(),
                kind: a.kind.as_str().replace('_', " "),
                level_rank: level.as_deref().and_then(|l| scale.level_of(l)).map(|r| (r, n_levels)),
                level,
                anchor: anchor(&a.id),
            }
        })
        .collect();
    let mut edges = BTreeSet::new();
    for &i in &order {
        for r in assets[i].relations.iter().filter(|r| r.kind != RelationKind::PartOf) {
            if let Some(&t) = by_id.get(r.target.as_str())
                && let (Some(&from), Some(&to)) = (index.get(&i), index.get(&t))
                && from != to
            {
                // Drawn in the direction data flows: dependency → dependent (`calls` the other way).
                let e = if r.kind == RelationKind::Calls { (from, to, r.kind) } else { (to, from, r.kind) };
                edges.insert(e);
            }
        }
    }
    layout::Graph { nodes, edges: edges.into_iter().collect() }
}

fn findings(all: &[Finding], by_id: &BTreeMap<&str, usize>) -> Findings {
    let mut counts: BTreeMap<Severity, usize> = BTreeMap::new();
    let mut rules: BTreeMap<&str, RuleGroup> = BTreeMap::new();
    for f in all {
        *counts.entry(f.severity).or_default() += 1;
        let g = rules.entry(f.rule_id.as_str()).or_insert_with(|| {
            let rule = crate::policy::RULES.iter().find(|r| r.id == f.rule_id);
            RuleGroup {
                rule_id: f.rule_id.clone(),
                title: rule.map(|r| r.title.to_owned()).unwrap_or_else(|| f.rule_id.clone()),
                severity: f.severity,
                controls: f.controls.clone(),
                hits: Vec::new(),
            }
        });
        g.severity = g.severity.max(f.severity);
        g.hits.push((by_id.get(f.asset_id.as_str()).copied(), f.message.clone()));
    }
    let mut rules: Vec<RuleGroup> = rules.into_values().collect();
    rules.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.rule_id.cmp(&b.rule_id)));
    Findings {
        by_severity: Severity::ALL.iter().rev().map(|s| (*s, counts.get(s).copied().unwrap_or(0))).collect(),
        rules,
    }
}

/// Evidence per Annex A control from this scan; controls with none are "manual".
fn soa(
    inv: &Inventory,
    register: &[RegisterRow],
    systems: &[AiSystem],
    third_party: &[ThirdPartyRow],
    findings: &Findings,
    boundary: &Boundary,
) -> Vec<SoaRow> {
    let count = |pred: &dyn Fn(&RegisterRow) -> bool| register.iter().filter(|r| pred(r)).count();
    let ai = count(&|r| r.is_ai);
    let data = count(&|r| r.kind.is_data());
    let named = systems.iter().filter(|s| s.id.is_some()).count();
    let accountable = systems.iter().filter(|s| s.id.is_some() && !s.raci.accountable.is_empty()).count();
    let models = count(&|r| matches!(r.kind, AssetKind::Model | AssetKind::CustomModel | AssetKind::ModelPackage));
    let with_lineage = inv
        .assets
        .iter()
        .filter(|a| matches!(a.kind, AssetKind::Model | AssetKind::CustomModel | AssetKind::ModelPackage))
        .filter(|a| {
            a.relations.iter().any(|r| {
                matches!(r.kind, RelationKind::ProducedBy | RelationKind::TrainedOn | RelationKind::FineTunedFrom)
            })
        })
        .count();
    let serving = count(&|r| matches!(r.kind, AssetKind::Endpoint | AssetKind::Deployment | AssetKind::Agent));
    let tooling = count(&|r| {
        matches!(r.kind, AssetKind::Workspace | AssetKind::Notebook | AssetKind::Pipeline | AssetKind::FeatureStore)
    });
    let logging = count(&|r| r.kind == AssetKind::ServiceConfiguration);
    let classified_data = inv.assets.iter().filter(|a| a.kind.is_data() && a.declared_classification.is_some()).count();
    let purposes = systems.iter().filter(|s| s.id.is_some() && s.purpose.is_some()).count();
    let providers: BTreeSet<&str> = third_party.iter().map(|t| t.provider.as_str()).collect();
    let mut by_control: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut add = |c: &'static str, s: String| by_control.entry(c).or_default().push(s);
    add(
        "A.3.2",
        format!("{accountable} of {named} tagged AI systems name an accountable person (§10 Responsibilities)"),
    );
    add(
        "A.4.2",
        format!(
            "{ai} AI assets in {} AI systems, each with cloud, account, region and owner (§4 register)",
            systems.len()
        ),
    );
    add("A.4.3", format!("{data} data resources, {classified_data} with a declared classification (§5)"));
    if tooling > 0 {
        add("A.4.4", format!("{tooling} ML workspaces, notebooks, pipelines and feature stores (§4)"));
    }
    add(
        "A.4.5",
        format!("{serving} endpoints, deployments and agents with network exposure where the cloud reports it (§4)"),
    );
    add(
        "A.6.2.3",
        format!("{with_lineage} of {models} models linked to the job or data that produced them (§6 Lineage)"),
    );
    if serving > 0 {
        add("A.6.2.5", format!("{serving} deployed endpoints, deployments and agents (§4)"));
    }
    if logging > 0 {
        add("A.6.2.8", format!("{logging} regional invocation-logging settings read (§4)"));
    }
    add("A.7.2", "effective classification of every model from its training data, with the path (§4, §5)".into());
    add(
        "A.7.5",
        format!(
            "data → job → model → endpoint lineage; {} references that resolve to no asset are listed in the inventory",
            inv.dangling_references.len()
        ),
    );
    add(
        "A.8.5",
        format!(
            "interested parties derived from the estate: {} cloud providers, {} outside AI providers (§3)",
            boundary.clouds.len(),
            providers.len()
        ),
    );
    if named > 0 {
        add("A.9.4", format!("{purposes} of {named} AI systems state an intended purpose (§2)"));
    }
    add(
        "A.10.3",
        format!("{} outside AI providers found by secret, setting and connection names (§7)", providers.len()),
    );
    if !third_party.is_empty() {
        add(
            "A.10.2",
            format!(
                "{} resources calling outside AI services, with the data classification that reaches them (§7)",
                third_party.len()
            ),
        );
    }
    for g in &findings.rules {
        for c in &g.controls {
            by_control.entry(c.as_str()).or_default().push(format!(
                "finding `{}`: {} asset(s) (§8)",
                g.rule_id,
                g.hits.len()
            ));
        }
    }
    annex_a::CONTROLS
        .iter()
        .map(|c| SoaRow { control: *c, evidence: by_control.remove(c.id).unwrap_or_default() })
        .collect()
}

/// Which sections a report has, in order: the HTML and Markdown renderers both follow it.
pub const SECTIONS: &[(&str, &str)] = &[
    ("control", "1. Document control"),
    ("scope", "2. Scope statement (draft, clause 4.3)"),
    ("parties", "3. Interested parties (clause 4.2)"),
    ("register", "4. AI system register (A.4)"),
    ("data", "5. Data resources (A.4.3, A.7)"),
    ("lineage", "6. Lineage"),
    ("third-party", "7. Third-party AI (A.10)"),
    ("findings", "8. Findings by Annex A control"),
    ("soa", "9. Statement of Applicability (draft)"),
    ("raci", "10. Responsibilities (RACI)"),
    ("coverage", "11. Coverage appendix"),
];

/// A coverage record in words.
pub fn gap_scope(g: &Gap) -> String {
    let mut s = g.cloud.as_str().to_owned();
    if let Some(a) = &g.account {
        s.push_str(&format!(" {a}"));
    }
    if let Some(r) = &g.region {
        s.push_str(&format!(" {r}"));
    }
    s
}

/// Escapes text for HTML and SVG (element content and quoted attributes).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters are not allowed in XML 1.0; a tag value could hold one.
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use aimscope_core::{Service, ToolInfo};

    fn asset(id: &str, kind: AssetKind, system: Option<&str>, rels: &[(RelationKind, &str)]) -> Asset {
        let mut a = Asset::new(id, Cloud::Aws, "111122223333", Some("eu-west-1".into()), kind, Service::Sagemaker, id);
        if let Some(s) = system {
            a.tags.insert("ai-system-id".into(), s.into());
        }
        for (k, t) in rels {
            a.relate(*k, *t);
        }
        a
    }

    fn nodes(r: &Report, system: &str) -> BTreeSet<String> {
        let l = r.lineage.iter().find(|l| l.system == system).unwrap_or_else(|| panic!("no lineage for {system}"));
        l.graph.nodes.iter().map(|n| n.label.clone()).collect()
    }

    /// Two systems trained on one bucket, and an untagged endpoint serving one of them: each
    /// graph holds its own lineage, and meets the other system only where they connect.
    #[test]
    fn lineage_graphs_stay_within_their_system() {
        use RelationKind::*;
        let assets = vec![
            asset("bucket", AssetKind::Bucket, None, &[]),
            asset("job-a", AssetKind::TrainingJob, Some("a"), &[(TrainedOn, "bucket")]),
            asset("model-a", AssetKind::Model, Some("a"), &[(ProducedBy, "job-a")]),
            asset("job-b", AssetKind::TrainingJob, Some("b"), &[(TrainedOn, "bucket")]),
            asset("model-b", AssetKind::Model, Some("b"), &[(ProducedBy, "job-b")]),
            asset("endpoint", AssetKind::Endpoint, None, &[(Serves, "model-a")]),
        ];
        let tool = ToolInfo { name: "aimscope".into(), version: "0".into() };
        let inv = Inventory::new(tool, "r", Utc::now(), vec![Cloud::Aws], assets, vec![]);
        let settings = Settings {
            report: Default::default(),
            tags: Default::default(),
            scale: Default::default(),
            policy: Default::default(),
            register: None,
        };
        let r = build(&inv, "0", settings.context(), None, &Timelines::new());
        let set = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
        assert_eq!(nodes(&r, "a"), set(&["bucket", "job-a", "model-a", "endpoint"]));
        assert_eq!(nodes(&r, "b"), set(&["bucket", "job-b", "model-b"]));
        // The untagged endpoint's graph shows the model it serves, not that system's training.
        assert_eq!(nodes(&r, "(unassigned)"), set(&["endpoint", "model-a"]));
    }
}
