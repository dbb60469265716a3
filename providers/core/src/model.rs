//! The inventory document: what every provider normalises into and every sink writes.
//!
//! Pure data, no I/O. The JSON shape of these types *is* the wire format: `aimscope schema`
//! prints the JSON Schema generated from them, and [`SCHEMA_VERSION`] moves with any change a
//! consumer could notice (a new kind is a minor bump; a renamed or removed field a major one).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::facts::Facts;

/// Version of the inventory document format (semver).
pub const SCHEMA_VERSION: &str = "1.2.0";

/// The cloud an asset lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Cloud {
    Aws,
    Azure,
    Gcp,
}

impl Cloud {
    pub const ALL: [Cloud; 3] = [Cloud::Aws, Cloud::Azure, Cloud::Gcp];

    pub fn as_str(self) -> &'static str {
        match self {
            Cloud::Aws => "aws",
            Cloud::Azure => "azure",
            Cloud::Gcp => "gcp",
        }
    }
}

impl std::fmt::Display for Cloud {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Cloud {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "aws" => Ok(Cloud::Aws),
            "azure" => Ok(Cloud::Azure),
            "gcp" => Ok(Cloud::Gcp),
            other => Err(format!("unknown provider `{other}` (expected aws, azure or gcp)")),
        }
    }
}

/// What an asset is, across clouds. Providers map their resource types onto these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AssetKind {
    /// A trained model (SageMaker model, Azure ML model version, Vertex AI model).
    Model,
    /// A group of versioned models in a model registry (SageMaker model package group).
    ModelRegistry,
    /// One registered model version (SageMaker model package).
    ModelPackage,
    /// A fine-tuned or imported foundation model (Bedrock custom / imported model).
    CustomModel,
    /// A foundation model referenced by id (base model of a fine-tune, model of an agent).
    FoundationModel,
    /// Something that serves predictions over the network.
    Endpoint,
    /// How an endpoint serves (SageMaker endpoint config).
    EndpointConfig,
    /// A model deployed onto an endpoint or account (Azure deployment, inference component).
    Deployment,
    /// Reserved inference capacity (Bedrock provisioned throughput).
    ProvisionedThroughput,
    /// A routing profile over models (Bedrock inference profile).
    InferenceProfile,
    TrainingJob,
    /// Fine-tuning / model customisation job.
    CustomizationJob,
    ProcessingJob,
    /// Batch inference (SageMaker transform job, Vertex batch prediction).
    BatchJob,
    Pipeline,
    Dataset,
    Datastore,
    /// An object-storage bucket or container that lineage points at.
    Bucket,
    FeatureStore,
    Notebook,
    Workspace,
    /// A per-user ML workspace identity (SageMaker Studio user profile).
    UserProfile,
    Agent,
    KnowledgeBase,
    /// A knowledge base's data source.
    DataSource,
    Guardrail,
    /// An AI service account (Azure OpenAI / AI Services account).
    AiServiceAccount,
    /// A connection from an ML workspace to an outside service.
    Connection,
    /// Evidence that something calls an outside AI API (OpenAI, Anthropic, ...).
    ThirdPartyApiUsage,
    /// A function, service, web app or task that uses AI (recorded when it shows evidence).
    Application,
    /// A secret or parameter whose name shows an outside AI service (its value is never read).
    Secret,
    /// A container image repository for model serving.
    ContainerRepository,
    /// Regional AI settings (e.g. Bedrock model-invocation logging).
    ServiceConfiguration,
    /// An AI API that is enabled for a project without owning a resource.
    ApiEnablement,
}

impl AssetKind {
    /// Whether this kind is itself an AI system component (as opposed to data or plumbing
    /// that AI depends on). Policy rules about registers and tags apply to these.
    pub fn is_ai(self) -> bool {
        !matches!(
            self,
            AssetKind::Dataset
                | AssetKind::Datastore
                | AssetKind::Bucket
                | AssetKind::DataSource
                | AssetKind::ServiceConfiguration
                | AssetKind::UserProfile
                | AssetKind::Secret
        )
    }

    /// Whether this kind holds data that models are trained on or retrieve from.
    pub fn is_data(self) -> bool {
        matches!(
            self,
            AssetKind::Dataset
                | AssetKind::Datastore
                | AssetKind::Bucket
                | AssetKind::DataSource
                | AssetKind::FeatureStore
        )
    }
}

/// The cloud service an asset was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Service {
    Sagemaker,
    Bedrock,
    BedrockAgent,
    S3,
    SecretsManager,
    Ssm,
    Lambda,
    Ecs,
    Ecr,
    AzureMachineLearning,
    CognitiveServices,
    AzureStorage,
    KeyVault,
    AppService,
    VertexAi,
    CloudStorage,
    BigQuery,
    ServiceUsage,
    SecretManager,
    CloudRun,
    CloudFunctions,
}

/// A normalised status; the provider's own value is kept in [`Asset::raw_status`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Creating,
    Active,
    Updating,
    InProgress,
    Completed,
    Stopped,
    Failed,
    Deleting,
    Disabled,
    #[default]
    Unknown,
}

impl Status {
    /// Maps the common vocabulary of cloud status strings (`InService`, `Succeeded`,
    /// `JOB_STATE_RUNNING`, `Creating`, ...) onto the normalised status.
    pub fn from_raw(raw: &str) -> Status {
        let s: String = raw
            .trim()
            .trim_start_matches("JOB_STATE_")
            .trim_start_matches("PIPELINE_STATE_")
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        match s.as_str() {
            "creating" | "pending" | "queued" | "provisioning" | "notstarted" | "starting" => Status::Creating,
            "inservice"
            | "active"
            | "available"
            | "ready"
            | "enabled"
            | "approved"
            | "prepared"
            | "created"
            | "succeededprovisioning" => Status::Active,
            "updating" | "systemupdating" | "rollingback" | "versioning" | "preparing" => Status::Updating,
            "inprogress" | "running" | "training" | "executing" | "stopping" => Status::InProgress,
            "completed" | "succeeded" | "success" | "complete" => Status::Completed,
            "stopped" | "cancelled" | "canceled" | "paused" | "expired" => Status::Stopped,
            "failed" | "error" | "createfailed" | "updatefailed" | "deletefailed" | "rejected" => Status::Failed,
            "deleting" | "deleted" => Status::Deleting,
            "disabled" | "notenabled" => Status::Disabled,
            _ => Status::Unknown,
        }
    }
}

/// AI system life-cycle stages of ISO/IEC 22989:2022 §6.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LifecycleStage {
    Inception,
    DesignAndDevelopment,
    VerificationAndValidation,
    Deployment,
    OperationAndMonitoring,
    ReEvaluation,
    Retirement,
}

impl LifecycleStage {
    /// The stage an asset of this kind and status is in, when nothing more specific is known.
    pub fn infer(kind: AssetKind, status: Status) -> Option<LifecycleStage> {
        use AssetKind as K;
        if matches!(status, Status::Deleting | Status::Disabled) {
            return Some(LifecycleStage::Retirement);
        }
        Some(match kind {
            K::TrainingJob | K::CustomizationJob | K::ProcessingJob | K::Pipeline | K::Notebook => {
                LifecycleStage::DesignAndDevelopment
            }
            K::Model | K::CustomModel | K::ModelPackage | K::ModelRegistry => LifecycleStage::VerificationAndValidation,
            K::Endpoint
            | K::Deployment
            | K::Agent
            | K::ProvisionedThroughput
            | K::InferenceProfile
            | K::BatchJob
            | K::AiServiceAccount
            | K::ThirdPartyApiUsage
            | K::KnowledgeBase => match status {
                Status::Creating | Status::Updating => LifecycleStage::Deployment,
                _ => LifecycleStage::OperationAndMonitoring,
            },
            _ => return None,
        })
    }
}

/// How one asset depends on another. Relations point from the dependent asset to what it
/// depends on (a model is `produced_by` a training job, which is `trained_on` a bucket).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RelationKind {
    /// A job or model was trained / tuned on this data.
    TrainedOn,
    /// A model was produced by this job.
    ProducedBy,
    /// An endpoint config, deployment or endpoint serves this model.
    Serves,
    /// An endpoint deploys this endpoint config / deployment.
    Deploys,
    /// A model was fine-tuned from this base model.
    FineTunedFrom,
    /// An agent / app uses this model or knowledge base.
    Uses,
    /// This asset's data or artifacts are stored in this location.
    StoredIn,
    /// This resource sends requests (and so data) to an outside AI API usage record.
    /// Unlike the others, data flows *along* this edge, so the target inherits from the source.
    Calls,
    /// This asset belongs to this workspace / account / registry.
    PartOf,
}

impl RelationKind {
    /// Whether sensitivity flows from the relation's target to its source (true for every
    /// dependency) or the other way (`calls`: the caller's data goes to the outside API).
    /// `part_of` carries no data and does not propagate.
    pub fn propagation(self) -> Propagation {
        match self {
            RelationKind::Calls => Propagation::SourceToTarget,
            RelationKind::PartOf => Propagation::None,
            _ => Propagation::TargetToSource,
        }
    }
}

/// Which way data classification flows along a relation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Propagation {
    TargetToSource,
    SourceToTarget,
    None,
}

/// A lineage edge from the asset that holds it to `target` (another asset's id, or an
/// external reference such as `arn:aws:s3:::bucket` that may not resolve to an asset).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
pub struct Relation {
    pub kind: RelationKind,
    pub target: String,
    /// The exact reference seen, when it is more precise than the target id
    /// (e.g. `s3://bucket/prefix/train.csv` for target `arn:aws:s3:::bucket`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

impl Relation {
    pub fn new(kind: RelationKind, target: impl Into<String>) -> Self {
        Relation { kind, target: target.into(), reference: None }
    }

    pub fn with_reference(mut self, reference: impl Into<String>) -> Self {
        self.reference = Some(reference.into());
        self
    }
}

/// The classification an asset ends up with, after inheritance, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct EffectiveClassification {
    /// A level of the configured scale, or `unknown` when nothing on the path is classified.
    pub level: String,
    /// The assets the level came from, starting with this one and ending at the asset whose
    /// declared level it is. Paths longer than 24 assets keep their first and last 12.
    pub path: Vec<String>,
    /// Relations between this asset and the source of its level (0: its own declaration).
    pub hops: u64,
    /// The same path in words, e.g. `endpoint claims-prod ← model claims-v3 ← bucket claims-pii [restricted]`.
    pub explanation: String,
}

/// One discovered AI asset, normalised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Asset {
    /// Stable, provider-native id: an ARN, an ARM resource id or a GCP resource name.
    pub id: String,
    pub cloud: Cloud,
    /// AWS account id, Azure subscription id or GCP project id.
    pub account: String,
    /// Region or location; absent for global resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub kind: AssetKind,
    pub service: Service,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub status: Status,
    /// The provider's own status string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw_status: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    /// Owner, from the configured owner tag keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Classification declared on the asset itself (tag/label value, normalised onto the scale
    /// when it maps; the raw value otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declared_classification: Option<String>,
    /// Classification after inheritance from upstream data; set by the analysis pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_classification: Option<EffectiveClassification>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifecycle_stage: Option<LifecycleStage>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub relations: Vec<Relation>,
    /// What the collector established, typed: network exposure, key auth, registry, logging,
    /// artifact location, outside AI provider. Policy, enrichment and reports read these.
    #[serde(default, skip_serializing_if = "Facts::is_empty")]
    pub facts: Facts,
    /// Provider-specific details worth auditing, in the provider's own words (container image,
    /// artifact URI, approval status, SKU, ...). Never secret values.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, serde_json::Value>,
    /// Present when the asset was listed but a later detail call (describe, get, tags) failed:
    /// the asset is kept with what the list gave, and this says what is missing and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<PartialDetails>,
}

/// Whether an asset's details are all there. Only `partial` is ever written (complete details
/// are the absence of the field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DetailStatus {
    Partial,
}

/// What a listed asset is missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PartialDetails {
    pub status: DetailStatus,
    /// The calls that failed, in the order they were made.
    pub failed_calls: Vec<FailedCall>,
}

/// One detail call that failed after the list call succeeded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FailedCall {
    /// The API action, e.g. `bedrock:GetAgent` or `sagemaker:ListTags`.
    pub operation: String,
    pub error: CallFailure,
    /// The service's error code and message (never a response body).
    pub message: String,
}

/// Why a call failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CallFailure {
    Denied,
    /// Gone between the list and the detail call (or never readable by id).
    NotFound,
    Throttled,
    TimedOut,
    /// The response could not be understood.
    Malformed,
    NotEnabled,
    Failed,
}

impl CallFailure {
    pub fn as_str(self) -> &'static str {
        match self {
            CallFailure::Denied => "denied",
            CallFailure::NotFound => "not_found",
            CallFailure::Throttled => "throttled",
            CallFailure::TimedOut => "timed_out",
            CallFailure::Malformed => "malformed",
            CallFailure::NotEnabled => "not_enabled",
            CallFailure::Failed => "failed",
        }
    }
}

impl Asset {
    /// A new asset with the required fields; everything else empty.
    pub fn new(
        id: impl Into<String>,
        cloud: Cloud,
        account: impl Into<String>,
        region: Option<String>,
        kind: AssetKind,
        service: Service,
        name: impl Into<String>,
    ) -> Self {
        Asset {
            id: id.into(),
            cloud,
            account: account.into(),
            region,
            kind,
            service,
            name: name.into(),
            created_at: None,
            status: Status::Unknown,
            raw_status: None,
            tags: BTreeMap::new(),
            owner: None,
            declared_classification: None,
            effective_classification: None,
            lifecycle_stage: LifecycleStage::infer(kind, Status::Unknown),
            relations: Vec::new(),
            facts: Facts::default(),
            attributes: BTreeMap::new(),
            details: None,
        }
    }

    /// Records a detail call that failed after this asset was listed.
    pub fn detail_failed(&mut self, operation: impl Into<String>, error: CallFailure, message: impl Into<String>) {
        let call = FailedCall { operation: operation.into(), error, message: message.into() };
        match &mut self.details {
            Some(d) => d.failed_calls.push(call),
            None => self.details = Some(PartialDetails { status: DetailStatus::Partial, failed_calls: vec![call] }),
        }
    }

    /// Fills the facts a document written before they existed (schema 1.1) carried in
    /// `attributes`, so an older inventory or history reads as a new one does.
    pub fn upgrade(&mut self) {
        let legacy = Facts::from_legacy(&self.attributes);
        self.facts.merge(legacy);
    }

    /// True when a detail call failed for this asset.
    pub fn is_partial(&self) -> bool {
        self.details.is_some()
    }

    /// Sets the raw status, the normalised status and the inferred lifecycle stage.
    pub fn with_status(mut self, raw: impl Into<String>) -> Self {
        let raw = raw.into();
        self.status = Status::from_raw(&raw);
        self.lifecycle_stage = LifecycleStage::infer(self.kind, self.status);
        self.raw_status = Some(raw);
        self
    }

    pub fn with_created(mut self, at: Option<DateTime<Utc>>) -> Self {
        self.created_at = at;
        self
    }

    pub fn relate(&mut self, kind: RelationKind, target: impl Into<String>) -> &mut Self {
        self.relations.push(Relation::new(kind, target));
        self
    }

    pub fn relate_ref(&mut self, kind: RelationKind, target: impl Into<String>, reference: impl Into<String>) {
        self.relations.push(Relation::new(kind, target).with_reference(reference));
    }

    /// Records a provider-specific attribute; `None` values are skipped so callers can pass
    /// optional SDK fields straight through.
    pub fn attr(&mut self, key: &str, value: impl Into<Option<serde_json::Value>>) -> &mut Self {
        if let Some(v) = value.into()
            && !v.is_null()
        {
            self.attributes.insert(key.to_owned(), v);
        }
        self
    }

    /// Merges another sighting of the same asset (same id) into this one: relations, tags and
    /// attributes are unioned; scalar fields keep the first non-empty value.
    pub fn merge(&mut self, other: Asset) {
        for r in other.relations {
            if !self.relations.contains(&r) {
                self.relations.push(r);
            }
        }
        for (k, v) in other.tags {
            self.tags.entry(k).or_insert(v);
        }
        self.facts.merge(other.facts);
        for (k, v) in other.attributes {
            self.attributes.entry(k).or_insert(v);
        }
        if self.created_at.is_none() {
            self.created_at = other.created_at;
        }
        // A sighting with full details completes this one (tags and attributes were unioned).
        if other.details.is_none() {
            self.details = None;
        } else if let (Some(mine), Some(theirs)) = (&mut self.details, other.details) {
            for c in theirs.failed_calls {
                if !mine.failed_calls.contains(&c) {
                    mine.failed_calls.push(c);
                }
            }
        }
        if self.raw_status.is_none() && other.raw_status.is_some() {
            self.raw_status = other.raw_status;
            self.status = other.status;
            self.lifecycle_stage = other.lifecycle_stage;
        }
    }
}

/// How severe a finding is. Ordered: `info < low < medium < high < critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "info" => Ok(Severity::Info),
            "low" => Ok(Severity::Low),
            "medium" => Ok(Severity::Medium),
            "high" => Ok(Severity::High),
            "critical" => Ok(Severity::Critical),
            other => Err(format!("unknown severity `{other}` (expected info, low, medium, high or critical)")),
        }
    }
}

/// A policy or analysis result about one asset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Finding {
    pub rule_id: String,
    pub severity: Severity,
    pub asset_id: String,
    pub message: String,
    /// Facts that made the rule fire (tag values, the inheritance path, ...).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub evidence: BTreeMap<String, String>,
    /// ISO/IEC 42001:2023 Annex A controls the rule supports, e.g. `A.7.5`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub controls: Vec<String>,
}

/// What happened when a collector looked at a scope. Anything other than `complete` and
/// `not_enabled` means the scope may hold assets the inventory does not show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CoverageStatus {
    /// Everything was listed.
    Complete,
    /// The service is not enabled / not offered in this scope: nothing can be there.
    NotEnabled,
    /// The credentials were refused (403, AccessDenied, AssumeRole failed).
    Denied,
    /// Throttled beyond the retry budget.
    Throttled,
    /// Did not finish within the configured time limit.
    TimedOut,
    /// The scan was stopped (SIGINT / SIGTERM) before this collector finished.
    Interrupted,
    /// Everything was listed, but detail calls failed for some listed assets: those assets are
    /// in the inventory, marked `details.status = partial`.
    Partial,
    /// Any other error, including malformed responses.
    Failed,
    /// Not scanned at all (provider not configured or no credentials).
    Skipped,
}

impl CoverageStatus {
    /// How much an outcome hides, for keeping the worst of several: complete < not enabled <
    /// partial < skipped < throttled < timed out < interrupted < failed < denied.
    pub fn gravity(self) -> u8 {
        match self {
            CoverageStatus::Complete => 0,
            CoverageStatus::NotEnabled => 1,
            CoverageStatus::Partial => 2,
            CoverageStatus::Skipped => 3,
            CoverageStatus::Throttled => 4,
            CoverageStatus::TimedOut => 5,
            CoverageStatus::Interrupted => 6,
            CoverageStatus::Failed => 7,
            CoverageStatus::Denied => 8,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CoverageStatus::Complete => "complete",
            CoverageStatus::NotEnabled => "not_enabled",
            CoverageStatus::Partial => "partial",
            CoverageStatus::Skipped => "skipped",
            CoverageStatus::Throttled => "throttled",
            CoverageStatus::TimedOut => "timed_out",
            CoverageStatus::Interrupted => "interrupted",
            CoverageStatus::Failed => "failed",
            CoverageStatus::Denied => "denied",
        }
    }

    /// True when the listing itself was whole, so an asset absent from it is really gone
    /// (complete, not enabled, or partial: listed in full, some details missing).
    pub fn listing_complete(self) -> bool {
        matches!(self, CoverageStatus::Complete | CoverageStatus::NotEnabled | CoverageStatus::Partial)
    }

    /// The graver of two outcomes.
    pub fn max_by_gravity(self, other: CoverageStatus) -> CoverageStatus {
        if other.gravity() > self.gravity() { other } else { self }
    }
}

impl CoverageStatus {
    /// True when the scope was fully seen (so an empty result really means "nothing there").
    pub fn is_complete(self) -> bool {
        matches!(self, CoverageStatus::Complete | CoverageStatus::NotEnabled)
    }
}

/// One (scope, collector) outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Coverage {
    pub cloud: Cloud,
    /// Account / subscription / project; absent for provider-wide records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The collector, e.g. `sagemaker.models`, or a discovery step such as `sts.assume_role`.
    pub collector: String,
    pub status: CoverageStatus,
    /// Assets the collector produced (also when it failed part-way).
    pub assets: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub duration_ms: u64,
}

impl Coverage {
    /// The record of `collector` in (cloud, account, region): no assets, no error, 0 ms yet. An
    /// absent account is a provider-wide record (discovery, a cloud not configured).
    pub fn new(
        cloud: Cloud,
        account: Option<String>,
        region: Option<String>,
        collector: impl Into<String>,
        status: CoverageStatus,
    ) -> Coverage {
        Coverage { cloud, account, region, collector: collector.into(), status, assets: 0, error: None, duration_ms: 0 }
    }

    pub fn with_error(mut self, error: impl Into<String>) -> Coverage {
        self.error = Some(error.into());
        self
    }

    pub fn with_assets(mut self, assets: u64) -> Coverage {
        self.assets = assets;
        self
    }

    /// Sets the duration to the time since `started`.
    pub fn took(mut self, started: std::time::Instant) -> Coverage {
        self.duration_ms = started.elapsed().as_millis() as u64;
        self
    }
}

/// The tool that wrote the document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ToolInfo {
    pub name: String,
    pub version: String,
}

/// One scan run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RunInfo {
    pub id: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub providers: Vec<Cloud>,
    /// True when every coverage record is complete or not_enabled.
    pub complete: bool,
    /// Cloud API actions the scan called, with counts (e.g. `sagemaker:ListModels`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub api_calls: BTreeMap<String, u64>,
}

/// The output document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Inventory {
    pub schema_version: String,
    pub tool: ToolInfo,
    pub run: RunInfo,
    pub assets: Vec<Asset>,
    #[serde(default)]
    pub findings: Vec<Finding>,
    pub coverage: Vec<Coverage>,
    /// Relations whose target is not an asset of this inventory (outside the scanned scopes,
    /// deleted, or of a type aimscope does not collect). Kept so lineage is never silently cut.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dangling_references: Vec<DanglingReference>,
}

/// A lineage edge that points outside the inventory.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub struct DanglingReference {
    pub from: String,
    pub kind: RelationKind,
    pub target: String,
}

impl Inventory {
    /// Reads a document of an older minor version as the current one (see [`Asset::upgrade`]).
    pub fn upgrade(&mut self) {
        self.assets.iter_mut().for_each(Asset::upgrade);
    }

    /// A document for one run: completeness is derived from the coverage, the run finishes now;
    /// findings and dangling references are left for the analysis passes.
    pub fn new(
        tool: ToolInfo,
        run_id: impl Into<String>,
        started_at: DateTime<Utc>,
        providers: Vec<Cloud>,
        assets: Vec<Asset>,
        coverage: Vec<Coverage>,
    ) -> Inventory {
        Inventory {
            schema_version: SCHEMA_VERSION.into(),
            tool,
            run: RunInfo {
                id: run_id.into(),
                started_at,
                finished_at: Utc::now(),
                providers,
                complete: coverage.iter().all(|c| c.status.is_complete()),
                api_calls: BTreeMap::new(),
            },
            assets,
            findings: Vec::new(),
            coverage,
            dangling_references: Vec::new(),
        }
    }

    /// Coverage records that mean "could not look".
    pub fn gaps(&self) -> impl Iterator<Item = &Coverage> {
        self.coverage.iter().filter(|c| !c.status.is_complete())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_vocabulary_maps() {
        assert_eq!(Status::from_raw("InService"), Status::Active);
        assert_eq!(Status::from_raw("JOB_STATE_RUNNING"), Status::InProgress);
        assert_eq!(Status::from_raw("Succeeded"), Status::Completed);
        assert_eq!(Status::from_raw("CreateFailed"), Status::Failed);
        assert_eq!(Status::from_raw("something-new"), Status::Unknown);
    }

    #[test]
    fn asset_round_trips_and_omits_empty_fields() {
        let mut a =
            Asset::new("arn:x", Cloud::Aws, "111", Some("us-east-1".into()), AssetKind::Model, Service::Sagemaker, "m")
                .with_status("InService");
        a.relate(RelationKind::ProducedBy, "arn:job");
        let json = serde_json::to_value(&a).unwrap_or_default();
        assert_eq!(json["kind"], "model");
        assert_eq!(json["status"], "active");
        assert_eq!(json["relations"][0]["kind"], "produced_by");
        assert!(json.get("tags").is_none());
        let back: Asset = serde_json::from_value(json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, a);
    }

    #[test]
    fn merge_unions_relations_and_keeps_first_scalars() {
        let mut a = Asset::new("id", Cloud::Aws, "1", None, AssetKind::Bucket, Service::S3, "b");
        a.relate(RelationKind::PartOf, "x");
        let mut b = a.clone().with_status("Active");
        b.relate(RelationKind::PartOf, "y");
        b.tags.insert("k".into(), "v".into());
        a.merge(b);
        assert_eq!(a.relations.len(), 2);
        assert_eq!(a.tags["k"], "v");
        assert_eq!(a.status, Status::Active);
    }

    #[test]
    fn severities_are_ordered() {
        assert!(Severity::Critical > Severity::High && Severity::Low > Severity::Info);
        assert_eq!("HIGH".parse::<Severity>(), Ok(Severity::High));
    }
}

wire_names!(Severity { Info => "info", Low => "low", Medium => "medium", High => "high", Critical => "critical" });

wire_names!(AssetKind {
    Model => "model",
    ModelRegistry => "model_registry",
    ModelPackage => "model_package",
    CustomModel => "custom_model",
    FoundationModel => "foundation_model",
    Endpoint => "endpoint",
    EndpointConfig => "endpoint_config",
    Deployment => "deployment",
    ProvisionedThroughput => "provisioned_throughput",
    InferenceProfile => "inference_profile",
    TrainingJob => "training_job",
    CustomizationJob => "customization_job",
    ProcessingJob => "processing_job",
    BatchJob => "batch_job",
    Pipeline => "pipeline",
    Dataset => "dataset",
    Datastore => "datastore",
    Bucket => "bucket",
    FeatureStore => "feature_store",
    Notebook => "notebook",
    Workspace => "workspace",
    UserProfile => "user_profile",
    Agent => "agent",
    KnowledgeBase => "knowledge_base",
    DataSource => "data_source",
    Guardrail => "guardrail",
    AiServiceAccount => "ai_service_account",
    Connection => "connection",
    ThirdPartyApiUsage => "third_party_api_usage",
    Application => "application",
    Secret => "secret",
    ContainerRepository => "container_repository",
    ServiceConfiguration => "service_configuration",
    ApiEnablement => "api_enablement",
});

wire_names!(Service {
    Sagemaker => "sagemaker",
    Bedrock => "bedrock",
    BedrockAgent => "bedrock_agent",
    S3 => "s3",
    SecretsManager => "secrets_manager",
    Ssm => "ssm",
    Lambda => "lambda",
    Ecs => "ecs",
    Ecr => "ecr",
    AzureMachineLearning => "azure_machine_learning",
    CognitiveServices => "cognitive_services",
    AzureStorage => "azure_storage",
    KeyVault => "key_vault",
    AppService => "app_service",
    VertexAi => "vertex_ai",
    CloudStorage => "cloud_storage",
    BigQuery => "big_query",
    ServiceUsage => "service_usage",
    SecretManager => "secret_manager",
    CloudRun => "cloud_run",
    CloudFunctions => "cloud_functions",
});

wire_names!(Status {
    Creating => "creating",
    Active => "active",
    Updating => "updating",
    InProgress => "in_progress",
    Completed => "completed",
    Stopped => "stopped",
    Failed => "failed",
    Deleting => "deleting",
    Disabled => "disabled",
    Unknown => "unknown",
});

wire_names!(LifecycleStage {
    Inception => "inception",
    DesignAndDevelopment => "design_and_development",
    VerificationAndValidation => "verification_and_validation",
    Deployment => "deployment",
    OperationAndMonitoring => "operation_and_monitoring",
    ReEvaluation => "re_evaluation",
    Retirement => "retirement",
});

wire_names!(RelationKind {
    TrainedOn => "trained_on",
    ProducedBy => "produced_by",
    Serves => "serves",
    Deploys => "deploys",
    FineTunedFrom => "fine_tuned_from",
    Uses => "uses",
    StoredIn => "stored_in",
    Calls => "calls",
    PartOf => "part_of",
});

#[cfg(test)]
mod wire_name_tests {
    use super::*;

    fn check<T: Serialize + Copy>(all: &[T], name: impl Fn(T) -> &'static str) {
        for v in all {
            assert_eq!(
                serde_json::to_value(v).ok().and_then(|j| j.as_str().map(str::to_owned)).as_deref(),
                Some(name(*v))
            );
        }
    }

    #[test]
    fn wire_names_match_serde() {
        check(Severity::ALL, Severity::as_str);
        check(AssetKind::ALL, AssetKind::as_str);
        check(Service::ALL, Service::as_str);
        check(Status::ALL, Status::as_str);
        check(LifecycleStage::ALL, LifecycleStage::as_str);
        check(RelationKind::ALL, RelationKind::as_str);
        check(crate::detect::Signal::ALL, crate::detect::Signal::as_str);
        check(crate::detect::Confidence::ALL, crate::detect::Confidence::as_str);
        check(crate::facts::Match::ALL, crate::facts::Match::as_str);
    }
}
