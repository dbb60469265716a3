//! Analyses: pure functions over the collected inventory, no I/O.
//!
//! Order matters and is fixed in [`analyze`]: tags are read into owner / declared classification
//! first, inheritance needs declared levels, and policy rules need both.

pub mod classification;
pub mod delta;

use std::collections::BTreeMap;

use aimscope_core::{Asset, Finding, Inventory};
use serde::Deserialize;

pub use classification::{ClassificationConfig, Inheritance};

use crate::policy::{self, PolicyContext};

/// Which tag / label keys carry governance facts. Matched case-insensitively, first key wins.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TagKeys {
    pub owner: Vec<String>,
    pub classification: Vec<String>,
    pub ai_system_id: Vec<String>,
}

impl Default for TagKeys {
    fn default() -> Self {
        let v = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect();
        TagKeys {
            owner: v(&["owner", "ai-owner", "ai_owner", "team"]),
            classification: v(&["data-classification", "dataclassification", "data_classification", "classification"]),
            ai_system_id: v(&["ai-system-id", "aisystemid", "ai_system_id"]),
        }
    }
}

impl TagKeys {
    /// The value of the first configured key present on the asset.
    pub fn lookup<'a>(keys: &[String], tags: &'a BTreeMap<String, String>) -> Option<&'a str> {
        keys.iter().find_map(|k| tags.iter().find(|(tk, _)| tk.eq_ignore_ascii_case(k)).map(|(_, v)| v.as_str()))
    }
}

/// Sets owner and declared classification from tags. A classification value on the scale (or
/// an alias) is normalised to the level's name; any other value is kept as written, so the
/// policy can report it instead of guessing.
pub fn annotate(assets: &mut [Asset], keys: &TagKeys, scale: &ClassificationConfig) {
    for a in assets {
        if a.owner.is_none() {
            a.owner = TagKeys::lookup(&keys.owner, &a.tags).map(str::to_owned);
        }
        if let Some(raw) = TagKeys::lookup(&keys.classification, &a.tags) {
            a.declared_classification =
                Some(scale.level_of(raw).map(|r| scale.name(r).to_owned()).unwrap_or_else(|| raw.to_owned()));
        }
    }
}

/// Runs every pass over the inventory: annotation, inheritance, policy. Findings are replaced.
pub fn analyze(
    inv: &mut Inventory,
    keys: &TagKeys,
    scale: &ClassificationConfig,
    policy_cfg: &policy::PolicyConfig,
    register: Option<&policy::Register>,
) -> Vec<Finding> {
    annotate(&mut inv.assets, keys, scale);
    let inh = classification::inherit(&mut inv.assets, scale);
    inv.dangling_references = inh.dangling.clone();
    let cx = PolicyContext { assets: &inv.assets, inheritance: &inh, scale, keys, register };
    let findings = policy::evaluate(&cx, policy_cfg);
    inv.findings = findings.clone();
    findings
}
