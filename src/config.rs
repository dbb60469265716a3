//! The configuration file: one TOML document, every table `deny_unknown_fields`, so a typo is
//! an error that names the key instead of a setting silently ignored.
//!
//! Environment overrides: `AIMSCOPE__SECTION__KEY=value` sets `[section] key = value` (the value
//! is read as a TOML literal when it parses as one, as a string otherwise), before validation,
//! so an override is checked exactly like the file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use aimscope_core::Cloud;
use serde::Deserialize;

use crate::analysis::{ClassificationConfig, TagKeys};
use crate::policy::PolicyConfig;

/// The commented example written by `aimscope config init` (also `config/aimscope.example.toml`).
pub const EXAMPLE: &str = include_str!("../config/aimscope.example.toml");

const ENV_PREFIX: &str = "AIMSCOPE__";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Providers a plain `aimscope scan` runs. Default: every provider built in.
    #[serde(default)]
    pub providers: Option<Vec<Cloud>>,
    #[serde(default)]
    pub scan: ScanConfig,
    #[serde(default)]
    pub output: OutputConfig,
    #[serde(default)]
    pub tags: TagKeys,
    #[serde(default)]
    pub classification: ClassificationConfig,
    #[serde(default)]
    pub policy: PolicyConfig,
    #[serde(default)]
    pub third_party: ThirdPartyConfig,
    #[serde(default)]
    pub webhook: crate::sink::webhook::WebhookConfig,
    #[serde(default)]
    pub servicenow: crate::sink::servicenow::ServiceNowConfig,
    #[serde(default)]
    pub agent: crate::agent::AgentConfig,
    #[serde(default)]
    pub report: crate::report::ReportConfig,
    /// A separate policy file (same keys as `[policy]`), replacing the inline table.
    #[serde(default)]
    pub policy_file: Option<PathBuf>,
    #[cfg(feature = "aws")]
    #[serde(default)]
    pub aws: aimscope_aws::AwsConfig,
    #[cfg(feature = "azure")]
    #[serde(default)]
    pub azure: aimscope_azure::AzureConfig,
    #[cfg(feature = "gcp")]
    #[serde(default)]
    pub gcp: aimscope_gcp::GcpConfig,
}

impl Default for Config {
    fn default() -> Self {
        // An empty document is the default config; parsing it keeps one source of defaults.
        toml::from_str("").unwrap_or_else(|e| unreachable!("empty config must parse: {e}"))
    }
}

/// The `[third_party]` table: detection of outside AI services.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct ThirdPartyConfig {
    /// A catalogue file (same format as config/ai-services.toml) whose providers replace the
    /// built-in ones by id or add new ones.
    pub catalogue: Option<PathBuf>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScanConfig {
    /// Collectors running at once, across all scopes.
    pub concurrency: usize,
    /// Collectors running at once against one scope: an AWS account-region, an Azure
    /// subscription, a GCP project-location (where the clouds keep their rate limits).
    pub per_scope_concurrency: usize,
    /// Time limit for one collector over one scope, in seconds.
    pub collector_timeout_secs: u64,
    /// Collector ids to skip, e.g. `["sagemaker.notebook_instances"]`.
    pub disabled_collectors: Vec<String>,
}

impl Default for ScanConfig {
    fn default() -> Self {
        ScanConfig {
            concurrency: 16,
            per_scope_concurrency: 4,
            collector_timeout_secs: 600,
            disabled_collectors: vec![],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum, Default)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// One JSON document (the inventory schema).
    #[default]
    Json,
    /// JSON Lines: one record per line with a `type` envelope.
    Jsonl,
    /// CSV of assets.
    Csv,
    /// CycloneDX 1.6 ML-BOM (JSON).
    Cyclonedx,
    /// SARIF 2.1.0 of the findings.
    Sarif,
    /// A ServiceNow Identification and Reconciliation import payload.
    Servicenow,
    /// The AIMS scope report, self-contained HTML.
    Html,
    /// The AIMS scope report, Markdown.
    Markdown,
}

impl Format {
    pub const ALL: [Format; 8] = [
        Format::Json,
        Format::Jsonl,
        Format::Csv,
        Format::Cyclonedx,
        Format::Sarif,
        Format::Servicenow,
        Format::Html,
        Format::Markdown,
    ];

    /// The name `--format` takes.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Jsonl => "jsonl",
            Format::Csv => "csv",
            Format::Cyclonedx => "cyclonedx",
            Format::Sarif => "sarif",
            Format::Servicenow => "servicenow",
            Format::Html => "html",
            Format::Markdown => "markdown",
        }
    }

    /// The file a format is written to in an output directory (`--out-dir`).
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Json => "inventory.json",
            Format::Jsonl => "inventory.jsonl",
            Format::Csv => "inventory.csv",
            // CycloneDX's recommended `*.cdx.json`, SARIF's `.sarif`: what their tools pick up.
            Format::Cyclonedx => "inventory.cdx.json",
            Format::Sarif => "findings.sarif",
            Format::Servicenow => "servicenow.json",
            Format::Html => "report.html",
            Format::Markdown => "report.md",
        }
    }

    /// The report rendering, for the two formats that are the scope document.
    pub fn report(self) -> Option<crate::report::ReportFormat> {
        match self {
            Format::Html => Some(crate::report::ReportFormat::Html),
            Format::Markdown => Some(crate::report::ReportFormat::Markdown),
            _ => None,
        }
    }
}

/// `format = "json"` or `format = ["json", "html"]`.
fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Format>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(Format),
        Many(Vec<Format>),
    }
    // Untagged enums hide the inner error; name the valid values instead.
    let valid: Vec<&str> = Format::ALL.iter().map(|f| f.as_str()).collect();
    match OneOrMany::deserialize(d) {
        Ok(OneOrMany::One(f)) => Ok(vec![f]),
        Ok(OneOrMany::Many(v)) => Ok(v),
        Err(_) => Err(serde::de::Error::custom(format!(
            "output.format: expected one of {}, or a list of them",
            valid.join(", ")
        ))),
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutputConfig {
    /// File to write; `-` or absent for stdout.
    pub path: Option<PathBuf>,
    /// Directory to write every format of `format` into, each under its own name.
    pub dir: Option<PathBuf>,
    /// One format, or several (with `dir`).
    #[serde(deserialize_with = "one_or_many")]
    pub format: Vec<Format>,
}

impl Default for OutputConfig {
    fn default() -> Self {
        OutputConfig { path: None, dir: None, format: vec![Format::Json] }
    }
}

/// A configuration problem, with the file it came from.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("invalid config {origin}: {message}")]
    Invalid { origin: String, message: String },
}

impl Config {
    /// Loads `path` (or defaults when `None`), applies environment overrides, validates.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        let (text, origin) = match path {
            Some(p) => (
                std::fs::read_to_string(p).map_err(|source| ConfigError::Read { path: p.to_owned(), source })?,
                p.display().to_string(),
            ),
            None => (String::new(), "(defaults)".to_owned()),
        };
        Self::parse(&text, &origin, std::env::vars())
    }

    /// Parses a config document with the given environment (for tests: no global state).
    pub fn parse(
        text: &str,
        origin: &str,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        let invalid = |message: String| ConfigError::Invalid { origin: origin.to_owned(), message };
        let mut doc: toml::Table = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
        let overrides: BTreeMap<String, String> = env.into_iter().filter(|(k, _)| k.starts_with(ENV_PREFIX)).collect();
        for (key, value) in &overrides {
            apply_override(&mut doc, key, value).map_err(invalid)?;
        }
        // A bad override is named by its variable; its value (possibly a secret) is not shown.
        let hide = |mut msg: String| {
            for (key, value) in &overrides {
                for v in [value.as_str(), value.trim_matches(['"', '\''])] {
                    if v.len() >= 3 && msg.contains(v) {
                        msg = msg.replace(v, &format!("<value of {key}>"));
                    }
                }
            }
            msg
        };
        let cfg: Config = doc.try_into().map_err(|e: toml::de::Error| invalid(hide(e.to_string())))?;
        cfg.validate().map_err(invalid)?;
        Ok(cfg)
    }

    fn validate(&self) -> Result<(), String> {
        if self.scan.concurrency == 0 || self.scan.per_scope_concurrency == 0 {
            return Err("scan.concurrency and scan.per_scope_concurrency must be at least 1".into());
        }
        if self.scan.collector_timeout_secs == 0 {
            return Err("scan.collector_timeout_secs must be at least 1".into());
        }
        // A misspelt id would silently leave a collector on.
        let known = crate::providers::collector_ids();
        if let Some(bad) = self.scan.disabled_collectors.iter().find(|d| !known.contains(&d.as_str())) {
            return Err(format!("scan.disabled_collectors: unknown collector `{bad}` (valid: {})", known.join(", ")));
        }
        if self.output.path.is_some() && self.output.dir.is_some() {
            return Err("output.path and output.dir: set one (a file, or a directory for several formats)".into());
        }
        if self.output.format.is_empty() {
            return Err("output.format: name at least one format".into());
        }
        if self.output.format.len() > 1 && self.output.dir.is_none() {
            return Err("output.format lists several formats: set output.dir to write them into".into());
        }
        self.classification.validate()?;
        self.policy.validate()?;
        Ok(())
    }
}

fn apply_override(doc: &mut toml::Table, key: &str, value: &str) -> Result<(), String> {
    let path: Vec<String> = key[ENV_PREFIX.len()..].split("__").map(|s| s.to_ascii_lowercase()).collect();
    if path.iter().any(String::is_empty) {
        return Err(format!("environment override {key}: empty key segment"));
    }
    // Parse the value as a TOML literal (numbers, booleans, arrays); fall back to a string.
    let parsed = toml::from_str::<toml::Table>(&format!("v = {value}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(value.to_owned()));
    let (last, parents) = path.split_last().ok_or_else(|| format!("environment override {key}: no key"))?;
    let mut table = doc;
    for p in parents {
        let entry = table.entry(p.clone()).or_insert_with(|| toml::Value::Table(toml::Table::new()));
        table = entry.as_table_mut().ok_or_else(|| format!("environment override {key}: `{p}` is not a table"))?;
    }
    table.insert(last.clone(), parsed);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, "test.toml", Vec::new())
    }

    #[test]
    fn output_formats_one_or_several() {
        let cfg = parse("[output]\nformat = \"sarif\"\n").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cfg.output.format, vec![Format::Sarif]);
        let cfg = parse("[output]\ndir = \"out\"\nformat = [\"json\", \"html\"]\n").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cfg.output.format, vec![Format::Json, Format::Html]);
        for (text, says) in [
            ("[output]\nformat = [\"json\", \"html\"]\n", "set output.dir"),
            ("[output]\nformat = []\n", "at least one"),
            ("[output]\nformat = \"pdf\"\n", "expected one of json, jsonl"),
            ("[output]\npath = \"a.json\"\ndir = \"out\"\n", "set one"),
        ] {
            let err = parse(text).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(err.contains(says), "{text}: {err}");
        }
    }

    #[test]
    fn format_names_are_the_wire_names() {
        use clap::ValueEnum;
        for f in Format::ALL {
            let clap_name = f.to_possible_value().map(|v| v.get_name().to_owned());
            assert_eq!(clap_name.as_deref(), Some(f.as_str()));
            let serde_name: Format =
                toml::Value::String(f.as_str().into()).try_into().unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(serde_name, f);
        }
        let names: std::collections::BTreeSet<_> = Format::ALL.iter().map(|f| f.file_name()).collect();
        assert_eq!(names.len(), Format::ALL.len(), "each format has its own file in an output directory");
    }

    #[test]
    fn example_config_is_valid() {
        parse(EXAMPLE).unwrap_or_else(|e| panic!("{e}"));
    }

    #[test]
    fn unknown_key_is_named() {
        let err = parse("[scan]\nconcurency = 3\n").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("concurency"), "{err}");
        assert!(err.contains("test.toml"), "{err}");
    }

    #[test]
    fn zero_concurrency_is_rejected() {
        assert!(parse("[scan]\nconcurrency = 0\n").is_err());
    }

    #[test]
    fn env_overrides_apply_and_are_validated() {
        let env = vec![
            ("AIMSCOPE__SCAN__CONCURRENCY".to_owned(), "3".to_owned()),
            ("AIMSCOPE__OUTPUT__FORMAT".to_owned(), "jsonl".to_owned()),
            ("UNRELATED".to_owned(), "x".to_owned()),
        ];
        let cfg = Config::parse("", "t", env).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cfg.scan.concurrency, 3);
        assert_eq!(cfg.output.format, vec![Format::Jsonl]);
        let bad = Config::parse("", "t", vec![("AIMSCOPE__SCAN__NOPE".to_owned(), "1".to_owned())]);
        assert!(bad.err().map(|e| e.to_string()).unwrap_or_default().contains("nope"));
    }

    #[test]
    fn providers_list_parses() {
        let cfg = parse("providers = [\"aws\"]\n").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cfg.providers, Some(vec![Cloud::Aws]));
        assert!(parse("providers = [\"oracle\"]\n").is_err());
    }
}
