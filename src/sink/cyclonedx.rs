//! CycloneDX 1.6 ML-BOM (JSON). The `cyclonedx-bom` crate stops at spec 1.5, so these serde
//! types cover exactly what aimscope emits, field names as in the 1.6 schema.
//!
//! Mapping: models → `machine-learning-model` components with a model card listing the datasets
//! they were trained on (by reference); data (datasets, datastores, buckets, data sources) →
//! `data` components with classification and owners; endpoints, deployments and outside AI APIs
//! → `services` with trust zone and data flows; training / tuning / batch jobs → `formulation`
//! workflows; lineage → `dependencies` (jobs collapsed onto what they connect). `bom-ref`s are
//! the asset ids, so they are stable across runs.

use std::collections::{BTreeMap, BTreeSet};

use aimscope_core::{Asset, AssetKind, Inventory, Propagation, RelationKind};
use serde::Serialize;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Bom<'a> {
    bom_format: &'static str,
    spec_version: &'static str,
    serial_number: String,
    version: u32,
    metadata: Metadata<'a>,
    components: Vec<Component<'a>>,
    services: Vec<Service<'a>>,
    dependencies: Vec<Dependency<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    formulation: Vec<Formula<'a>>,
}

#[derive(Serialize)]
struct Metadata<'a> {
    timestamp: String,
    tools: Tools<'a>,
    properties: Vec<Property>,
}

#[derive(Serialize)]
struct Tools<'a> {
    components: Vec<ToolComponent<'a>>,
}

#[derive(Serialize)]
struct ToolComponent<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    name: &'a str,
    version: &'a str,
}

#[derive(Serialize)]
struct Property {
    name: String,
    value: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Component<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "bom-ref")]
    bom_ref: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    model_card: Option<ModelCard<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    data: Vec<ComponentData<'a>>,
    properties: Vec<Property>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ModelCard<'a> {
    model_parameters: ModelParameters<'a>,
}

#[derive(Serialize)]
struct ModelParameters<'a> {
    datasets: Vec<DataRef<'a>>,
}

#[derive(Serialize)]
struct DataRef<'a> {
    #[serde(rename = "ref")]
    reference: &'a str,
}

#[derive(Serialize)]
struct ComponentData<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    classification: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    governance: Option<Governance<'a>>,
}

#[derive(Serialize)]
struct Governance<'a> {
    owners: Vec<Owner<'a>>,
}

#[derive(Serialize)]
struct Owner<'a> {
    contact: Contact<'a>,
}

#[derive(Serialize)]
struct Contact<'a> {
    name: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Service<'a> {
    #[serde(rename = "bom-ref")]
    bom_ref: &'a str,
    name: &'a str,
    provider: Provider<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    endpoints: Vec<&'a str>,
    trust_zone: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    data: Vec<ServiceData<'a>>,
    properties: Vec<Property>,
}

#[derive(Serialize)]
struct Provider<'a> {
    name: &'a str,
}

#[derive(Serialize)]
struct ServiceData<'a> {
    flow: &'static str,
    classification: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Dependency<'a> {
    #[serde(rename = "ref")]
    reference: &'a str,
    depends_on: Vec<&'a str>,
}

#[derive(Serialize)]
struct Formula<'a> {
    #[serde(rename = "bom-ref")]
    bom_ref: String,
    workflows: Vec<Workflow<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Workflow<'a> {
    #[serde(rename = "bom-ref")]
    bom_ref: &'a str,
    uid: &'a str,
    name: &'a str,
    task_types: Vec<&'static str>,
    properties: Vec<Property>,
}

enum Placement {
    Model,
    Data,
    Service,
    Workflow,
    Component(&'static str),
}

fn placement(kind: AssetKind) -> Placement {
    use AssetKind as K;
    match kind {
        K::Model | K::CustomModel | K::ModelPackage | K::FoundationModel => Placement::Model,
        K::Dataset | K::Datastore | K::Bucket | K::DataSource | K::FeatureStore | K::Secret => Placement::Data,
        K::Endpoint
        | K::EndpointConfig
        | K::Deployment
        | K::ProvisionedThroughput
        | K::InferenceProfile
        | K::ThirdPartyApiUsage
        | K::AiServiceAccount => Placement::Service,
        K::TrainingJob | K::CustomizationJob | K::ProcessingJob | K::BatchJob | K::Pipeline => Placement::Workflow,
        K::ContainerRepository => Placement::Component("container"),
        _ => Placement::Component("application"),
    }
}

fn properties(a: &Asset) -> Vec<Property> {
    let mut p = vec![
        Property { name: "aimscope:id".into(), value: a.id.clone() },
        Property { name: "aimscope:cloud".into(), value: a.cloud.to_string() },
        Property { name: "aimscope:account".into(), value: a.account.clone() },
        Property { name: "aimscope:kind".into(), value: a.kind.as_str().into() },
        Property { name: "aimscope:service".into(), value: a.service.as_str().into() },
        Property { name: "aimscope:status".into(), value: a.status.as_str().into() },
    ];
    if let Some(r) = &a.region {
        p.push(Property { name: "aimscope:region".into(), value: r.clone() });
    }
    if let Some(s) = a.lifecycle_stage {
        p.push(Property { name: "aimscope:lifecycle_stage".into(), value: s.as_str().into() });
    }
    if let Some(c) = &a.effective_classification {
        p.push(Property { name: "aimscope:classification".into(), value: c.level.clone() });
        p.push(Property { name: "aimscope:classification_path".into(), value: c.explanation.clone() });
    }
    for (k, v) in &a.tags {
        p.push(Property { name: format!("aimscope:tag:{k}"), value: v.clone() });
    }
    p
}

fn level(a: &Asset) -> Option<&str> {
    a.effective_classification.as_ref().map(|c| c.level.as_str()).filter(|l| *l != "unknown")
}

/// Renders the inventory as a CycloneDX 1.6 JSON BOM.
pub fn render(inv: &Inventory) -> serde_json::Result<Vec<u8>> {
    let by_id: BTreeMap<&str, &Asset> = inv.assets.iter().map(|a| (a.id.as_str(), a)).collect();
    let is_workflow = |id: &str| by_id.get(id).is_some_and(|a| matches!(placement(a.kind), Placement::Workflow));
    // Upstream edges of each asset (what it depends on), by propagation direction.
    let mut upstream: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for a in &inv.assets {
        for r in &a.relations {
            let Some(t) = by_id.get(r.target.as_str()) else { continue };
            match r.kind.propagation() {
                Propagation::TargetToSource => {
                    upstream.entry(a.id.as_str()).or_default().insert(t.id.as_str());
                }
                Propagation::SourceToTarget => {
                    upstream.entry(t.id.as_str()).or_default().insert(a.id.as_str());
                }
                Propagation::None => {}
            }
        }
    }
    // Jobs are not components: an edge into a job continues to what the job depends on.
    let resolve = |id: &str| -> BTreeSet<&str> {
        let mut out = BTreeSet::new();
        let mut stack = vec![id];
        let mut seen = BTreeSet::new();
        while let Some(x) = stack.pop() {
            for &u in upstream.get(x).into_iter().flatten() {
                if !seen.insert(u) {
                    continue;
                }
                if is_workflow(u) {
                    stack.push(u);
                } else {
                    out.insert(u);
                }
            }
        }
        out.remove(id);
        out
    };

    // What a model was trained or tuned on: its own `trained_on` targets and those of the jobs
    // that produced it, never where its artifacts are stored (`stored_in`) or what it serves.
    let training_data = |id: &str| -> BTreeSet<&str> {
        let mut out = BTreeSet::new();
        let mut stack = vec![id];
        let mut seen = BTreeSet::new();
        while let Some(x) = stack.pop() {
            if !seen.insert(x) {
                continue;
            }
            let Some(a) = by_id.get(x) else { continue };
            for r in &a.relations {
                let Some(t) = by_id.get(r.target.as_str()) else { continue };
                match r.kind {
                    RelationKind::TrainedOn if matches!(placement(t.kind), Placement::Data) => {
                        out.insert(t.id.as_str());
                    }
                    RelationKind::ProducedBy | RelationKind::TrainedOn if is_workflow(&t.id) => {
                        stack.push(t.id.as_str())
                    }
                    _ => {}
                }
            }
        }
        out
    };

    let mut components = Vec::new();
    let mut services = Vec::new();
    let mut workflows = Vec::new();
    let mut dependencies = Vec::new();
    for a in &inv.assets {
        match placement(a.kind) {
            Placement::Model => {
                let datasets: Vec<DataRef> =
                    training_data(&a.id).into_iter().map(|d| DataRef { reference: d }).collect();
                let trained =
                    a.relations.iter().any(|r| matches!(r.kind, RelationKind::ProducedBy | RelationKind::TrainedOn));
                components.push(Component {
                    kind: "machine-learning-model",
                    bom_ref: &a.id,
                    name: &a.name,
                    model_card: (trained || !datasets.is_empty())
                        .then_some(ModelCard { model_parameters: ModelParameters { datasets } }),
                    data: Vec::new(),
                    properties: properties(a),
                });
            }
            Placement::Data => components.push(Component {
                kind: "data",
                bom_ref: &a.id,
                name: &a.name,
                model_card: None,
                data: vec![ComponentData {
                    kind: if a.kind == AssetKind::Secret { "configuration" } else { "dataset" },
                    name: &a.name,
                    classification: level(a),
                    governance: a
                        .owner
                        .as_deref()
                        .map(|o| Governance { owners: vec![Owner { contact: Contact { name: o } }] }),
                }],
                properties: properties(a),
            }),
            Placement::Component(kind) => components.push(Component {
                kind,
                bom_ref: &a.id,
                name: &a.name,
                model_card: None,
                data: Vec::new(),
                properties: properties(a),
            }),
            Placement::Service => {
                let external = a.kind == AssetKind::ThirdPartyApiUsage;
                let provider = if external {
                    a.facts.outside_ai.as_ref().map_or("unknown", |ai| ai.provider_name.as_str())
                } else {
                    a.cloud.as_str()
                };
                let endpoint = a.facts.endpoint_url.as_deref();
                services.push(Service {
                    bom_ref: &a.id,
                    name: &a.name,
                    provider: Provider { name: provider },
                    endpoints: endpoint.into_iter().collect(),
                    trust_zone: if external {
                        "external".into()
                    } else {
                        format!(
                            "{}:{}{}",
                            a.cloud,
                            a.account,
                            a.region.as_deref().map(|r| format!("/{r}")).unwrap_or_default()
                        )
                    },
                    data: level(a)
                        .map(|l| {
                            vec![ServiceData {
                                flow: if external { "outbound" } else { "bi-directional" },
                                classification: l,
                            }]
                        })
                        .unwrap_or_default(),
                    properties: properties(a),
                });
            }
            Placement::Workflow => workflows.push(Workflow {
                bom_ref: &a.id,
                uid: &a.id,
                name: &a.name,
                task_types: vec![if a.kind == AssetKind::BatchJob { "other" } else { "build" }],
                properties: properties(a),
            }),
        }
        if !matches!(placement(a.kind), Placement::Workflow) {
            dependencies.push(Dependency { reference: &a.id, depends_on: resolve(&a.id).into_iter().collect() });
        }
    }
    let bom = Bom {
        bom_format: "CycloneDX",
        spec_version: "1.6",
        serial_number: format!("urn:uuid:{}", inv.run.id),
        version: 1,
        metadata: Metadata {
            timestamp: inv.run.finished_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            tools: Tools {
                components: vec![ToolComponent {
                    kind: "application",
                    name: &inv.tool.name,
                    version: &inv.tool.version,
                }],
            },
            properties: vec![
                Property { name: "aimscope:schema_version".into(), value: inv.schema_version.clone() },
                Property { name: "aimscope:scan_complete".into(), value: inv.run.complete.to_string() },
            ],
        },
        components,
        services,
        dependencies,
        formulation: if workflows.is_empty() {
            Vec::new()
        } else {
            vec![Formula { bom_ref: format!("urn:aimscope:formulation:{}", inv.run.id), workflows }]
        },
    };
    let mut out = serde_json::to_vec_pretty(&bom)?;
    out.push(b'\n');
    Ok(out)
}
