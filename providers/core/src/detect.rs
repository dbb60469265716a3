//! Detection of outside AI services (OpenAI, Anthropic, Hugging Face, self-hosted servers, …)
//! from names, values, hosts and container images seen in cloud control-plane data.
//!
//! The rule that matters most: a secret or env-var **value** is only ever passed in to be
//! matched. Nothing here stores it, formats it or returns it; a [`Detection`] carries at most a
//! [`fingerprint`] (a truncated SHA-256, from which a high-entropy key cannot be recovered).

use std::sync::OnceLock;

use regex::Regex;
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// The built-in catalogue (`config/ai-services.toml`).
pub const BUILTIN: &str = include_str!("../../../config/ai-services.toml");

/// Where a detection was seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    /// An environment variable of a function, container or job (name, and value matched).
    EnvVar,
    /// An app setting of a web app or function app (name, and value matched).
    AppSetting,
    /// The name of a secret in a secret store (never its value).
    SecretName,
    /// The name of a configuration parameter (never its value).
    ParameterName,
    /// A container image.
    ContainerImage,
    /// A container repository name.
    RepositoryName,
    /// An ML workspace connection's target.
    Connection,
}

wire_names!(Signal {
    EnvVar => "env_var",
    AppSetting => "app_setting",
    SecretName => "secret_name",
    ParameterName => "parameter_name",
    ContainerImage => "container_image",
    RepositoryName => "repository_name",
    Connection => "connection",
});

/// How sure a detection is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Medium,
    High,
}

wire_names!(Confidence { Medium => "medium", High => "high" });

/// What made a detection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Evidence {
    /// The name (env var, secret, parameter) matched.
    Name,
    /// The value has the provider's key format; only its fingerprint is kept.
    KeyFormat { fingerprint: String },
    /// The value names the provider's API host.
    Host { host: String },
    /// A container image or repository name matched.
    Image,
}

impl Evidence {
    pub fn kind(&self) -> crate::facts::Match {
        use crate::facts::Match;
        match self {
            Evidence::Name => Match::Name,
            Evidence::KeyFormat { .. } => Match::KeyFormat,
            Evidence::Host { .. } => Match::Host,
            Evidence::Image => Match::Image,
        }
    }
}

/// One match of one provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detection {
    pub provider: String,
    pub provider_name: String,
    pub confidence: Confidence,
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogueFile {
    #[serde(default)]
    provider: Vec<ProviderFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProviderFile {
    id: String,
    name: String,
    #[serde(default)]
    hosts: Vec<String>,
    #[serde(default)]
    names: Vec<String>,
    #[serde(default)]
    keys: Vec<KeyFile>,
    #[serde(default)]
    images: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    prefix: String,
    pattern: String,
    #[serde(default)]
    ambiguous: bool,
}

#[derive(Debug)]
struct KeyFormat {
    prefix: String,
    pattern: Regex,
    ambiguous: bool,
}

#[derive(Debug)]
struct ProviderDef {
    id: String,
    name: String,
    hosts: Vec<String>,
    names: Vec<Regex>,
    keys: Vec<KeyFormat>,
    images: Vec<Regex>,
}

/// A compiled catalogue.
#[derive(Debug)]
pub struct Catalogue {
    providers: Vec<ProviderDef>,
}

impl Catalogue {
    /// The built-in catalogue, compiled once.
    pub fn builtin() -> &'static Catalogue {
        static CAT: OnceLock<Catalogue> = OnceLock::new();
        CAT.get_or_init(|| Catalogue::parse(BUILTIN).unwrap_or_else(|e| panic!("built-in catalogue: {e}")))
    }

    /// Parses a catalogue file; errors name the provider and the bad pattern.
    pub fn parse(text: &str) -> Result<Catalogue, String> {
        let file: CatalogueFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut providers = Vec::new();
        for p in file.provider {
            let re = |s: &str, ci: bool| {
                regex::RegexBuilder::new(s)
                    .case_insensitive(ci)
                    .build()
                    .map_err(|e| format!("provider `{}`: bad pattern `{s}`: {e}", p.id))
            };
            providers.push(ProviderDef {
                names: p.names.iter().map(|n| re(n, true)).collect::<Result<_, _>>()?,
                images: p.images.iter().map(|n| re(n, true)).collect::<Result<_, _>>()?,
                keys: p
                    .keys
                    .iter()
                    .map(|k| {
                        Ok(KeyFormat {
                            prefix: k.prefix.clone(),
                            pattern: re(&k.pattern, false)?,
                            ambiguous: k.ambiguous,
                        })
                    })
                    .collect::<Result<_, String>>()?,
                hosts: p.hosts.iter().map(|h| h.to_ascii_lowercase()).collect(),
                id: p.id,
                name: p.name,
            });
        }
        Ok(Catalogue { providers })
    }

    /// The built-in catalogue with a user's file applied: providers with a known id replace
    /// the built-in one, new ids are added.
    pub fn with_overrides(text: &str) -> Result<Catalogue, String> {
        let mut base = Catalogue::parse(BUILTIN)?;
        for p in Catalogue::parse(text)?.providers {
            match base.providers.iter_mut().find(|b| b.id == p.id) {
                Some(b) => *b = p,
                None => base.providers.push(p),
            }
        }
        Ok(base)
    }

    pub fn provider_ids(&self) -> impl Iterator<Item = &str> {
        self.providers.iter().map(|p| p.id.as_str())
    }

    /// The provider whose name pattern matches `name` with the longest match (so
    /// `AZURE_OPENAI_KEY` is Azure OpenAI, not OpenAI).
    fn by_name(&self, name: &str) -> Option<usize> {
        let norm = normalise(name);
        let mut best: Option<(usize, usize)> = None;
        for (i, p) in self.providers.iter().enumerate() {
            for re in &p.names {
                if let Some(m) = re.find(&norm) {
                    let len = m.as_str().trim_matches('_').len();
                    if best.is_none_or(|(_, l)| len > l) {
                        best = Some((i, len));
                    }
                }
            }
        }
        best.map(|(i, _)| i)
    }

    /// Key formats the value has: (provider, ambiguous), longest prefix first.
    fn by_key(&self, value: &str) -> Vec<(usize, bool, usize)> {
        let v = value.trim();
        let mut hits: Vec<(usize, bool, usize)> = Vec::new();
        for (i, p) in self.providers.iter().enumerate() {
            for k in &p.keys {
                if v.starts_with(&k.prefix) && k.pattern.is_match(v) {
                    hits.push((i, k.ambiguous, k.prefix.len()));
                }
            }
        }
        // Precedence: unambiguous before ambiguous, then the longest literal prefix
        // (`sk-ant-` is Anthropic's even though `sk-` could be OpenAI's).
        hits.sort_by_key(|&(_, amb, len)| (amb, std::cmp::Reverse(len)));
        hits
    }

    fn by_host(&self, value: &str) -> Option<(usize, String)> {
        let host = host_of(value)?;
        self.providers.iter().enumerate().find_map(|(i, p)| {
            p.hosts
                .iter()
                .any(|h| match h.strip_prefix("*.") {
                    Some(suffix) => host.ends_with(&format!(".{suffix}")),
                    None => host == *h,
                })
                .then(|| (i, host.clone()))
        })
    }

    fn detection(&self, i: usize, confidence: Confidence, evidence: Vec<Evidence>) -> Detection {
        Detection {
            provider: self.providers[i].id.clone(),
            provider_name: self.providers[i].name.clone(),
            confidence,
            evidence,
        }
    }

    /// A name alone (secret name, parameter name, env-var name without its value).
    pub fn match_name(&self, name: &str) -> Option<Detection> {
        self.by_name(name).map(|i| self.detection(i, Confidence::Medium, vec![Evidence::Name]))
    }

    /// A name with its value (env var, app setting). The value is matched and dropped.
    pub fn match_name_value(&self, name: &str, value: &str) -> Option<Detection> {
        let named = self.by_name(name);
        let hosted = self.by_host(value);
        for (i, ambiguous, _) in self.by_key(value) {
            let agrees = named == Some(i) || hosted.as_ref().is_some_and(|(h, _)| *h == i);
            if ambiguous && !agrees {
                continue;
            }
            let mut evidence = vec![Evidence::KeyFormat { fingerprint: fingerprint(value) }];
            if named == Some(i) {
                evidence.insert(0, Evidence::Name);
            }
            return Some(self.detection(i, Confidence::High, evidence));
        }
        if let Some((i, host)) = hosted {
            let mut evidence = vec![Evidence::Host { host }];
            if named == Some(i) {
                evidence.insert(0, Evidence::Name);
            }
            let conf = if named == Some(i) { Confidence::High } else { Confidence::Medium };
            return Some(self.detection(i, conf, evidence));
        }
        named.map(|i| self.detection(i, Confidence::Medium, vec![Evidence::Name]))
    }

    /// A container image or repository name.
    pub fn match_image(&self, image: &str) -> Option<Detection> {
        // The registry host is not part of what identifies the software.
        let path = image.split_once('/').filter(|(h, _)| h.contains('.') || h.contains(':')).map_or(image, |(_, p)| p);
        self.providers
            .iter()
            .position(|p| p.images.iter().any(|re| re.is_match(path)))
            .map(|i| self.detection(i, Confidence::Medium, vec![Evidence::Image]))
    }

    /// A connection target (URL or host) of an ML workspace or app.
    pub fn match_host(&self, target: &str) -> Option<Detection> {
        self.by_host(target).map(|(i, host)| self.detection(i, Confidence::High, vec![Evidence::Host { host }]))
    }
}

/// One detection on one consumer: where it was seen (`field` is a name, never a value).
#[derive(Debug, Clone)]
pub struct Sighting {
    pub signal: Signal,
    pub field: String,
    pub detection: Detection,
}

/// Turns a consumer's sightings into `third_party_api_usage` assets, one per outside provider,
/// each `calls`-related from the consumer (which gets the relations added). Ids are stable:
/// `{consumer id}/ai-api/{provider}`.
pub fn usage_assets(consumer: &mut crate::Asset, sightings: Vec<Sighting>) -> Vec<crate::Asset> {
    use std::collections::BTreeMap;
    let mut by_provider: BTreeMap<String, Vec<Sighting>> = BTreeMap::new();
    for s in sightings {
        by_provider.entry(s.detection.provider.clone()).or_default().push(s);
    }
    let mut out = Vec::new();
    for (provider, sightings) in by_provider {
        let id = format!("{}/ai-api/{provider}", consumer.id);
        let provider_name = sightings[0].detection.provider_name.clone();
        let mut a = crate::Asset::new(
            id.clone(),
            consumer.cloud,
            consumer.account.clone(),
            consumer.region.clone(),
            crate::AssetKind::ThirdPartyApiUsage,
            consumer.service,
            format!("{provider_name} used by {}", consumer.name),
        );
        let confidence = sightings.iter().map(|s| s.detection.confidence).max().unwrap_or(Confidence::Medium);
        let evidence: Vec<crate::facts::UsageEvidence> = sightings
            .iter()
            .map(|s| {
                let mut e = crate::facts::UsageEvidence {
                    signal: s.signal,
                    field: s.field.clone(),
                    matched: s.detection.evidence.iter().map(Evidence::kind).collect(),
                    key_fingerprint: None,
                    host: None,
                };
                for ev in &s.detection.evidence {
                    match ev {
                        Evidence::KeyFormat { fingerprint } => e.key_fingerprint = Some(fingerprint.clone()),
                        Evidence::Host { host } => e.host = Some(host.clone()),
                        _ => {}
                    }
                }
                e
            })
            .collect();
        // The attributes repeat the fact for readers of schema 1.1.
        a.attr("provider", Some(provider.clone().into()));
        a.attr("provider_name", Some(provider_name.clone().into()));
        a.attr("confidence", Some(confidence.as_str().into()));
        a.attr("consumer", Some(consumer.id.clone().into()));
        a.attr("evidence", serde_json::to_value(&evidence).ok());
        a.facts.outside_ai = Some(crate::facts::OutsideAi {
            provider: provider.clone(),
            provider_name,
            confidence,
            consumer: consumer.id.clone(),
            evidence,
        });
        consumer.relate(crate::RelationKind::Calls, id);
        out.push(a);
    }
    out
}

/// Upper case, every run of non-alphanumerics as one `_`.
fn normalise(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            if sep && !out.is_empty() {
                out.push('_');
            }
            sep = false;
            out.push(c.to_ascii_uppercase());
        } else {
            sep = true;
        }
    }
    out
}

/// The lower-cased host of a URL-like value (`https://api.openai.com/v1`, `api.openai.com:443`).
fn host_of(value: &str) -> Option<String> {
    let v = value.trim();
    let rest = v.split_once("://").map_or(v, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next()?.rsplit('@').next()?;
    let host = host.split(':').next()?.to_ascii_lowercase();
    (host.contains('.') && !host.contains(' ')).then_some(host)
}

/// A stable, irreversible fingerprint of a secret value: `sha256:` + 16 hex digits.
pub fn fingerprint(value: &str) -> String {
    let digest = Sha256::digest(value.trim().as_bytes());
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cat() -> &'static Catalogue {
        Catalogue::builtin()
    }

    fn provider(d: Option<Detection>) -> Option<String> {
        d.map(|d| d.provider)
    }

    const OPENAI_PROJ: &str = "sk-proj-abcdefghijklmnopqrstuvwxT3BlbkFJabcdefghijklmnopqrstuv";
    const OPENAI_LEGACY: &str = "sk-abcdefghijklmnopqrstT3BlbkFJabcdefghijklmnopqrst";

    #[test]
    fn every_key_format_is_recognised() {
        let cases = [
            (OPENAI_PROJ, "openai"),
            (OPENAI_LEGACY, "openai"),
            ("sk-svcacct-abcdefghijklmnopqrstuvwxT3BlbkFJabcdefghijklmnopqrstuv", "openai"),
            (
                concat!(
                    "sk-ant-api03-",
                    "aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789aBcDeFgHiJkLmNoPqRsTuV-AA"
                ),
                "anthropic",
            ),
            ("hf_AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGh", "huggingface"),
            ("gsk_AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGhIjKlMnOpQrStUvWxYz", "groq"),
            ("r8_AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGhIjK", "replicate"),
            ("pplx-AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGhIjKlMnOpQrStUv", "perplexity"),
            ("xai-AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGhIjKlMnOpQrStUvWxYz01", "xai"),
            ("sk-or-v1-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "openrouter"),
            ("tgp_v1_AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGhIjKlMnOpQr", "together"),
            ("fw_AbCdEfGhIjKlMnOpQrStUvWx", "fireworks"),
        ];
        for (key, want) in cases {
            let d = cat().match_name_value("SOME_SETTING", key).unwrap_or_else(|| panic!("{want} key not recognised"));
            assert_eq!(d.provider, want, "{key}");
            assert_eq!(d.confidence, Confidence::High);
            assert!(
                matches!(&d.evidence[0], Evidence::KeyFormat { fingerprint } if !fingerprint.contains(&key[4..12]))
            );
        }
    }

    #[test]
    fn look_alikes_do_not_match() {
        for v in [
            "sk-test-not-a-real-key",
            "sk_live_51HxAbCdEfGhIjKlMnOpQrStUv", // Stripe
            "hf_short",
            "AKIAIOSFODNN7EXAMPLE",
            "ghp_AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGhIj", // GitHub
            "https://api.openai.com.evil.example/v1",
            "postgres://user@db.internal:5432/app",
        ] {
            assert_eq!(provider(cat().match_name_value("DB_PASSWORD", v)), None, "{v}");
        }
    }

    #[test]
    fn ambiguous_formats_need_a_name_or_host_to_agree() {
        let bare = "sk-0123456789abcdef0123456789abcdef"; // DeepSeek's shape, also OpenAI-ish
        assert_eq!(provider(cat().match_name_value("DB_PASSWORD", bare)), None);
        assert_eq!(provider(cat().match_name_value("DEEPSEEK_API_KEY", bare)).as_deref(), Some("deepseek"));
        assert_eq!(provider(cat().match_name_value("OPENAI_API_KEY", bare)).as_deref(), Some("openai"));
        let google = "AIzaSyA-0123456789abcdefghijklmnopqrstu";
        assert_eq!(provider(cat().match_name_value("MAPS_KEY", google)), None);
        let d = cat().match_name_value("GEMINI_API_KEY", google).expect("gemini");
        assert_eq!((d.provider.as_str(), d.confidence), ("google_gemini", Confidence::High));
    }

    #[test]
    fn shared_prefixes_resolve_to_the_most_specific_provider() {
        let ant = concat!(
            "sk-ant-api03-",
            "aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789aBcDeFgHiJkLmNoPqRsTuV-AA"
        );
        assert_eq!(provider(cat().match_name_value("OPENAI_API_KEY", ant)).as_deref(), Some("anthropic"));
        let or = "sk-or-v1-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        assert_eq!(provider(cat().match_name_value("OPENAI_API_KEY", or)).as_deref(), Some("openrouter"));
        assert_eq!(provider(cat().match_name("AZURE_OPENAI_API_KEY")).as_deref(), Some("azure_openai"));
        assert_eq!(provider(cat().match_name("openai-api-key")).as_deref(), Some("openai"));
        assert_eq!(provider(cat().match_name("prod/anthropic_api_key")).as_deref(), Some("anthropic"));
        assert_eq!(provider(cat().match_name("/apps/chat/GROQ_API_KEY")).as_deref(), Some("groq"));
        assert_eq!(provider(cat().match_name("HF_TOKEN")).as_deref(), Some("huggingface"));
        assert_eq!(provider(cat().match_name("DATABASE_URL")), None);
        assert_eq!(provider(cat().match_name("SPLITTER_CONFIG")), None, "no substring false positive");
    }

    #[test]
    fn hosts_and_images() {
        let d = cat()
            .match_name_value("LLM_BASE_URL", "https://my-res.openai.azure.com/openai/deployments/x")
            .expect("host");
        assert_eq!(d.provider, "azure_openai");
        assert_eq!(d.evidence, vec![Evidence::Host { host: "my-res.openai.azure.com".into() }]);
        assert_eq!(provider(cat().match_host("api.anthropic.com")).as_deref(), Some("anthropic"));
        assert_eq!(provider(cat().match_image("vllm/vllm-openai:v0.6.0")).as_deref(), Some("vllm"));
        assert_eq!(
            provider(cat().match_image("ghcr.io/huggingface/text-generation-inference:2.0")).as_deref(),
            Some("tgi")
        );
        assert_eq!(provider(cat().match_image("nvcr.io/nvidia/tritonserver:24.01-py3")).as_deref(), Some("triton"));
        assert_eq!(provider(cat().match_image("ollama-serving")).as_deref(), Some("ollama"));
        assert_eq!(provider(cat().match_image("nginx:1.27")), None);
        assert_eq!(provider(cat().match_image("catalog-service")), None);
    }

    #[test]
    fn overrides_replace_and_extend() {
        let c = Catalogue::with_overrides(
            "[[provider]]\nid = \"internal_llm\"\nname = \"Internal LLM gateway\"\nhosts = [\"llm.corp.example\"]\nnames = ['(^|_)LLMGW(_|$)']\n",
        )
        .expect("parses");
        assert_eq!(provider(c.match_host("https://llm.corp.example/v1")).as_deref(), Some("internal_llm"));
        assert!(c.provider_ids().any(|p| p == "openai"));
        assert!(Catalogue::parse("[[provider]]\nid = \"x\"\nname = \"x\"\nnames = ['(']\n").is_err());
        assert!(Catalogue::parse("[[provider]]\nid = \"x\"\nname = \"x\"\ntypo = 1\n").is_err());
    }

    #[test]
    fn fingerprints_are_stable_and_do_not_reveal_the_key() {
        let f = fingerprint(OPENAI_PROJ);
        assert_eq!(f, fingerprint(OPENAI_PROJ));
        assert_eq!(f.len(), "sha256:".len() + 16);
        assert!(!OPENAI_PROJ.contains(&f[7..]));
    }
}

#[cfg(test)]
mod fuzz {
    use proptest::prelude::*;

    use super::Catalogue;

    /// Strings built from the pieces real names, keys and hosts are made of, plus anything.
    fn text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("sk-".to_owned()),
            Just("sk-ant-api03-".to_owned()),
            Just("sk-or-v1-".to_owned()),
            Just("AIza".to_owned()),
            Just("hf_".to_owned()),
            Just("OPENAI_API_KEY".to_owned()),
            Just("https://api.openai.com/v1".to_owned()),
            Just(".".to_owned()),
            Just("/".to_owned()),
            Just(":".to_owned()),
            "[A-Za-z0-9_-]{0,40}",
            any::<String>(),
        ];
        prop::collection::vec(piece, 0..8).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]
        #[test]
        fn detectors_never_panic(name in text(), value in text()) {
            let c = Catalogue::builtin();
            let _ = c.match_name(&name);
            let _ = c.match_name_value(&name, &value);
            let _ = c.match_image(&value);
            let _ = c.match_host(&value);
        }
    }
}
