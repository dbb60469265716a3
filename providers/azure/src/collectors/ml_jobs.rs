//! Azure ML jobs (command, pipeline, sweep, AutoML, fine-tuning): inputs that are data assets or
//! datastore paths become `trained_on` edges; fine-tuning jobs name their base model.

use aimscope_core::{AssetKind, AssetStream, Collector, RelationKind, Service};
use async_stream::try_stream;
use serde_json::Value;

use super::common::{arm_asset, s, str_at};
use crate::ids::{AssetClass, norm};
use crate::scope::{AzureScope, ML_API};

pub struct Jobs;

impl Collector<AzureScope> for Jobs {
    fn name(&self) -> &'static str {
        "ml.jobs"
    }

    fn collect<'a>(&'a self, cx: &'a AzureScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            for w in cx.workspaces().await? {
                let Some(ws_id) = str_at(w, "/id") else { continue };
                let jobs = cx.children(ws_id, "jobs", ML_API, "Microsoft.MachineLearningServices/workspaces/jobs/read").await?;
                for j in &jobs {
                    let job_type = str_at(j, "/properties/jobType").unwrap_or("Unknown");
                    let kind = if job_type.eq_ignore_ascii_case("FineTuning") { AssetKind::CustomizationJob } else { AssetKind::TrainingJob };
                    let Some(mut a) = arm_asset(cx, j, kind, Service::AzureMachineLearning) else { continue };
                    a.region = a.region.or_else(|| str_at(w, "/location").map(str::to_owned));
                    if let Some(st) = str_at(j, "/properties/status") {
                        a = a.with_status(st);
                    }
                    a.attr("job_type", s(Some(job_type)));
                    a.attr("display_name", s(str_at(j, "/properties/displayName")));
                    a.attr("environment_names", super::common::env_names(j.pointer("/properties/environmentVariables")));
                    let fine_tuning = kind == AssetKind::CustomizationJob;
                    let inputs = j.pointer("/properties/inputs").and_then(Value::as_object);
                    for input in inputs.into_iter().flat_map(|m| m.values()) {
                        let Some(uri) = input.get("uri").and_then(Value::as_str) else { continue };
                        let input_type = input.get("jobInputType").and_then(Value::as_str).map(InputType::of);
                        let (class, relation) = match input_type {
                            // A literal (a number, a flag) is neither data nor a model.
                            Some(InputType::Literal) => continue,
                            Some(InputType::Model) if fine_tuning => (AssetClass::Model, RelationKind::FineTunedFrom),
                            Some(InputType::Model) => (AssetClass::Model, RelationKind::Uses),
                            // Data, or an input type this build does not know: counted as
                            // data, so sensitivity is never lost.
                            Some(InputType::Data) | None => (AssetClass::Data, RelationKind::TrainedOn),
                        };
                        if let Some(target) = cx.resolve(ws_id, uri, class).await {
                            a.relate_ref(relation, target, uri);
                        }
                    }
                    // AutoML and fine-tuning jobs carry their training data elsewhere.
                    for p in [
                        "/properties/taskDetails/trainingData/uri",
                        "/properties/taskDetails/validationData/uri",
                        "/properties/fineTuningDetails/trainingData/uri",
                        "/properties/fineTuningDetails/validationData/uri",
                    ] {
                        if let Some(uri) = str_at(j, p)
                            && let Some(target) = cx.resolve(ws_id, uri, AssetClass::Data).await
                        {
                            a.relate_ref(RelationKind::TrainedOn, target, uri);
                        }
                    }
                    if let Some(base) = str_at(j, "/properties/fineTuningDetails/model/uri")
                        && let Some(target) = cx.resolve(ws_id, base, AssetClass::Model).await
                    {
                        a.relate_ref(RelationKind::FineTunedFrom, target, base);
                    }
                    a.relate(RelationKind::PartOf, norm(ws_id));
                    yield a;
                }
            }
        })
    }
}

/// What a job input is, from its `jobInputType` (Azure ML 2025-12-01: `literal`, `uri_file`,
/// `uri_folder`, `mltable`, `custom_model`, `mlflow_model`, `triton_model`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum InputType {
    Literal,
    Data,
    Model,
}

impl InputType {
    fn of(raw: &str) -> InputType {
        match raw.to_ascii_lowercase().replace('_', "").as_str() {
            "literal" => InputType::Literal,
            "custommodel" | "mlflowmodel" | "tritonmodel" => InputType::Model,
            _ => InputType::Data,
        }
    }
}
