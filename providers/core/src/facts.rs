//! Typed facts: what collectors establish about an asset and what policy, enrichment, reports
//! and sinks read. A fact is a field here, so a rule on a fact nobody writes does not compile
//! and a renamed fact cannot silently turn a rule off. `Asset.attributes` keeps the provider's
//! own words for the auditor; code never reads it by key.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::detect::{Confidence, Signal};

/// Facts about one asset; every field is absent when the collector could not tell.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Facts {
    /// Reachable from public networks (Azure `publicNetworkAccess: Enabled`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_network_access: Option<bool>,
    /// Accepts API keys besides identity-based auth (Azure local auth, key-auth endpoints).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_auth: Option<bool>,
    /// Registered in a model registry; `false` is a model outside any registry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_model_registry: Option<bool>,
    /// Model-invocation logging is on (Bedrock, per account and region).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invocation_logging: Option<bool>,
    /// Where model artifacts are: a model's weights, a training job's output (an S3 URI, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_location: Option<String>,
    /// The model resource a tuning job produced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_model: Option<String>,
    /// The storage account (and container) behind a datastore.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<StorageLocation>,
    /// The catalogue model a deployment serves or an agent runs on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_model: Option<BaseModel>,
    /// The URL clients call (an endpoint's scoring URI, an AI account's endpoint).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint_url: Option<String>,
    /// The outside AI service a `third_party_api_usage` record stands for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outside_ai: Option<OutsideAi>,
}

impl Facts {
    pub fn is_empty(&self) -> bool {
        self == &Facts::default()
    }

    /// Fills each fact this one lacks from `other` (a second sighting of the same asset).
    pub fn merge(&mut self, other: Facts) {
        let Facts {
            public_network_access,
            key_auth,
            in_model_registry,
            invocation_logging,
            artifact_location,
            output_model,
            storage,
            base_model,
            endpoint_url,
            outside_ai,
        } = other;
        // Destructured so a new fact cannot be forgotten here.
        fill(&mut self.public_network_access, public_network_access);
        fill(&mut self.key_auth, key_auth);
        fill(&mut self.in_model_registry, in_model_registry);
        fill(&mut self.invocation_logging, invocation_logging);
        fill(&mut self.artifact_location, artifact_location);
        fill(&mut self.output_model, output_model);
        fill(&mut self.storage, storage);
        fill(&mut self.base_model, base_model);
        fill(&mut self.endpoint_url, endpoint_url);
        fill(&mut self.outside_ai, outside_ai);
    }
}

impl Facts {
    /// The facts schema 1.1 wrote as attributes. The one place that reads attributes by key:
    /// only for documents from before facts existed (see [`crate::Asset::upgrade`]).
    pub fn from_legacy(attributes: &BTreeMap<String, Value>) -> Facts {
        let text = |k: &str| attributes.get(k).and_then(Value::as_str).map(str::to_owned);
        let flag = |k: &str| attributes.get(k).and_then(Value::as_bool);
        let outside_ai = (|| {
            Some(OutsideAi {
                provider: text("provider")?,
                provider_name: text("provider_name")?,
                // Lenient below the provider: an unreadable sighting is dropped, not the record.
                confidence: attributes
                    .get("confidence")
                    .and_then(|c| serde_json::from_value(c.clone()).ok())
                    .unwrap_or(Confidence::Medium),
                consumer: text("consumer")?,
                evidence: attributes
                    .get("evidence")
                    .and_then(Value::as_array)
                    .map(|evs| evs.iter().filter_map(|e| serde_json::from_value(e.clone()).ok()).collect())
                    .unwrap_or_default(),
            })
        })();
        Facts {
            public_network_access: text("public_network_access").map(|v| v.eq_ignore_ascii_case("enabled")),
            key_auth: flag("local_auth_enabled"),
            in_model_registry: flag("in_model_registry"),
            invocation_logging: flag("invocation_logging_enabled"),
            artifact_location: text("model_data_url")
                .or_else(|| text("model_artifacts"))
                .or_else(|| text("artifact_uri")),
            output_model: text("tuned_model"),
            storage: text("account_name").map(|account| StorageLocation { account, container: text("container") }),
            base_model: match text("model_format").zip(text("model_name")) {
                Some((format, name)) => Some(BaseModel { name, format: Some(format), version: text("model_version") }),
                None => text("foundation_model").map(|name| BaseModel { name, format: None, version: None }),
            },
            endpoint_url: text("scoring_uri").or_else(|| text("endpoint").filter(|e| e.starts_with("https://"))),
            outside_ai,
        }
    }
}

fn fill<T>(mine: &mut Option<T>, theirs: Option<T>) {
    if mine.is_none() {
        *mine = theirs;
    }
}

/// A storage account and, when the datastore names one, its container / file system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct StorageLocation {
    /// The account name, lower case (as DNS names it).
    pub account: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
}

/// A model as the provider's catalogue names it, e.g. format `OpenAI`, name `gpt-4o`, or a
/// Bedrock model id (no format).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct BaseModel {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// An outside AI provider a consumer is wired to, and the names that show it (never values).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct OutsideAi {
    /// The catalogue id, e.g. `openai`.
    pub provider: String,
    /// The provider's display name, e.g. `OpenAI`.
    pub provider_name: String,
    pub confidence: Confidence,
    /// The id of the asset that calls the provider.
    pub consumer: String,
    /// Where it was seen, in the order seen.
    pub evidence: Vec<UsageEvidence>,
}

/// One sighting: a name, what matched, and at most a fingerprint of a key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct UsageEvidence {
    pub signal: Signal,
    /// The env-var, setting, secret or parameter name (never its value).
    pub field: String,
    pub matched: Vec<Match>,
    /// A truncated SHA-256 of a key whose format matched; a key cannot be recovered from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_fingerprint: Option<String>,
    /// The provider host a value named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
}

/// What matched in a sighting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Match {
    Name,
    KeyFormat,
    Host,
    Image,
}

wire_names!(Match { Name => "name", KeyFormat => "key_format", Host => "host", Image => "image" });

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_keeps_the_first_and_fills_the_rest() {
        let mut a = Facts { in_model_registry: Some(false), ..Facts::default() };
        a.merge(Facts { in_model_registry: Some(true), key_auth: Some(true), ..Facts::default() });
        assert_eq!(a.in_model_registry, Some(false));
        assert_eq!(a.key_auth, Some(true));
        assert!(Facts::default().is_empty() && !a.is_empty());
    }

    #[test]
    fn a_schema_1_1_document_reads_as_a_new_one() {
        let attrs: BTreeMap<String, Value> = serde_json::from_value(serde_json::json!({
            "public_network_access": "Enabled", "local_auth_enabled": true, "in_model_registry": false,
            "invocation_logging_enabled": false, "model_data_url": "s3://b/m.tar.gz", "tuned_model": "projects/p/locations/l/models/1",
            "account_name": "st1", "container": "c", "model_format": "OpenAI", "model_name": "gpt-4o",
            "provider": "openai", "provider_name": "OpenAI", "confidence": "high", "consumer": "arn:f",
            "evidence": [{"signal": "env_var", "field": "OPENAI_API_KEY", "matched": ["name", "key_format"], "key_fingerprint": "ab12"}]
        }))
        .expect("attributes");
        let f = Facts::from_legacy(&attrs);
        assert_eq!(
            (f.public_network_access, f.key_auth, f.in_model_registry, f.invocation_logging),
            (Some(true), Some(true), Some(false), Some(false))
        );
        assert_eq!(f.artifact_location.as_deref(), Some("s3://b/m.tar.gz"));
        assert_eq!(f.storage, Some(StorageLocation { account: "st1".into(), container: Some("c".into()) }));
        assert_eq!(f.base_model.map(|b| b.name), Some("gpt-4o".into()));
        let ai = f.outside_ai.expect("outside AI");
        assert_eq!(
            (ai.provider.as_str(), ai.confidence, ai.evidence[0].matched.clone()),
            ("openai", Confidence::High, vec![Match::Name, Match::KeyFormat])
        );
        assert_eq!(ai.evidence[0].key_fingerprint.as_deref(), Some("ab12"));
        assert!(Facts::from_legacy(&BTreeMap::new()).is_empty());
    }

    #[test]
    fn absent_facts_are_left_out_of_the_document() {
        let f = Facts { public_network_access: Some(true), ..Facts::default() };
        assert_eq!(serde_json::to_value(&f).expect("facts"), serde_json::json!({"public_network_access": true}));
    }
}
