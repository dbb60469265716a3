//! GCP resource names in one form. Google's APIs write a project either as its id
//! (`projects/ml-prod-123/…`) or as its number (`projects/412345678901/…`: Vertex AI, Secret
//! Manager and Cloud Run return numbers in the names they give out, whatever the request used).
//! Every asset id and every reference is rewritten to the project *id* through one number → id
//! map taken from Resource Manager, so a model, the endpoint that serves it and the pipeline that
//! produced it meet whichever form each API used.

use std::collections::HashMap;

use aimscope_core::Asset;

/// Project number → project id, for the projects of a run.
#[derive(Debug, Clone, Default)]
pub struct ProjectNames {
    by_number: HashMap<String, String>,
}

impl ProjectNames {
    /// Records a project; `number` may be bare (`412345678901`) or a name (`projects/412345678901`).
    /// The first answer for a number stands.
    pub fn insert(&mut self, number: &str, id: &str) {
        let number = number.trim_start_matches("projects/");
        if is_number(number) && !id.is_empty() {
            self.by_number.entry(number.to_owned()).or_insert_with(|| id.to_owned());
        }
    }

    /// Whether the number of project `id` is known.
    pub fn knows(&self, id: &str) -> bool {
        self.by_number.values().any(|v| v == id)
    }

    pub fn len(&self) -> usize {
        self.by_number.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_number.is_empty()
    }

    /// The project id for a project id or number (unknown numbers are kept as they are).
    pub fn project<'a>(&'a self, project: &'a str) -> &'a str {
        self.by_number.get(project).map(String::as_str).unwrap_or(project)
    }

    /// A resource name (`projects/N/locations/…`), full resource name
    /// (`//bigquery.googleapis.com/projects/N/datasets/…`) or URI with every known project
    /// number replaced by the project id. Anything else is returned unchanged.
    pub fn name(&self, name: &str) -> String {
        if self.by_number.is_empty() || !name.contains("projects/") {
            return name.to_owned();
        }
        let mut out = String::with_capacity(name.len());
        let mut after_projects = false;
        for (i, seg) in name.split('/').enumerate() {
            if i > 0 {
                out.push('/');
            }
            // `projects/123@2` never occurs; a model version suffix sits on the last segment.
            if after_projects && let Some(id) = self.by_number.get(seg) {
                out.push_str(id);
            } else {
                out.push_str(seg);
            }
            after_projects = seg == "projects";
        }
        out
    }

    /// Rewrites an asset's id, relation targets and the string attributes that are resource
    /// names. `reference` (the exact string seen) is left as the API wrote it.
    pub fn asset(&self, mut a: Asset) -> Asset {
        if self.by_number.is_empty() {
            return a;
        }
        a.id = self.name(&a.id);
        a.account = self.project(&a.account).to_owned();
        for r in &mut a.relations {
            r.target = self.name(&r.target);
        }
        for v in a.attributes.values_mut() {
            if let serde_json::Value::String(s) = v
                && (s.starts_with("projects/") || s.starts_with("//"))
            {
                *s = self.name(s);
            }
        }
        // Facts holding resource names (the rest are URIs, flags or catalogue names).
        let facts = &mut a.facts;
        if let Some(m) = &mut facts.output_model {
            *m = self.name(m);
        }
        if let Some(ai) = &mut facts.outside_ai {
            ai.consumer = self.name(&ai.consumer);
        }
        a
    }
}

fn is_number(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// The id of one Vertex AI model version, `{model}@{version}`. A deployed model's or tuned
/// model's `model` may already name a version (`…/models/4001@2`) or an alias
/// (`…/models/4001@golden`); the numeric `version_id` the API reports wins over an alias, and
/// a reference with neither is the default version, which Vertex numbers 1 when nothing else is
/// known.
pub fn model_version(model: &str, version_id: &str) -> String {
    let (base, suffix) = match model.split_once('@') {
        Some((b, s)) => (b, Some(s)),
        None => (model, None),
    };
    let version = match suffix {
        Some(s) if is_number(s) => s,
        _ if !version_id.is_empty() => version_id,
        Some(alias) if !alias.is_empty() => alias,
        _ => "1",
    };
    format!("{base}@{version}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> ProjectNames {
        let mut n = ProjectNames::default();
        n.insert("projects/412345678901", "ml-prod-123");
        n.insert("200", "ml-dev-456");
        n
    }

    #[test]
    fn project_numbers_become_ids_in_every_name_form() {
        let n = names();
        let cases = [
            (
                "projects/412345678901/locations/us-central1/datasets/3001",
                "projects/ml-prod-123/locations/us-central1/datasets/3001",
            ),
            (
                "projects/ml-prod-123/locations/us-central1/datasets/3001",
                "projects/ml-prod-123/locations/us-central1/datasets/3001",
            ),
            (
                "projects/412345678901/locations/us-central1/models/4001@2",
                "projects/ml-prod-123/locations/us-central1/models/4001@2",
            ),
            ("projects/200/secrets/openai-key", "projects/ml-dev-456/secrets/openai-key"),
            (
                "//bigquery.googleapis.com/projects/412345678901/datasets/claims",
                "//bigquery.googleapis.com/projects/ml-prod-123/datasets/claims",
            ),
            (
                "//storage.googleapis.com/projects/_/buckets/claims-raw",
                "//storage.googleapis.com/projects/_/buckets/claims-raw",
            ),
            // An unknown number (another organisation's project) is kept.
            ("projects/999/locations/us-central1/models/1", "projects/999/locations/us-central1/models/1"),
            // Only the segment after `projects` is a project.
            (
                "projects/ml-prod-123/locations/us-central1/models/412345678901",
                "projects/ml-prod-123/locations/us-central1/models/412345678901",
            ),
            ("publishers/google/models/gemini-2.0-flash-001", "publishers/google/models/gemini-2.0-flash-001"),
            ("", ""),
        ];
        for (input, want) in cases {
            assert_eq!(n.name(input), want, "{input}");
        }
        assert_eq!(n.project("412345678901"), "ml-prod-123");
        assert_eq!(n.project("ml-prod-123"), "ml-prod-123");
    }

    #[test]
    fn model_versions_from_every_reference_form() {
        let m = "projects/p/locations/l/models/4001";
        assert_eq!(model_version(m, "2"), format!("{m}@2"));
        assert_eq!(model_version(&format!("{m}@3"), ""), format!("{m}@3"));
        assert_eq!(model_version(&format!("{m}@golden"), "4"), format!("{m}@4"));
        assert_eq!(model_version(&format!("{m}@golden"), ""), format!("{m}@golden"));
        assert_eq!(model_version(m, ""), format!("{m}@1"));
    }

    #[test]
    fn assets_are_rewritten_whole() {
        use aimscope_core::{AssetKind, Cloud, RelationKind, Service};
        let mut a = Asset::new(
            "projects/412345678901/locations/l/models/1@1",
            Cloud::Gcp,
            "412345678901",
            None,
            AssetKind::Model,
            Service::VertexAi,
            "m",
        );
        a.relate(RelationKind::ProducedBy, "projects/412345678901/locations/l/trainingPipelines/5");
        a.attr("model_name", Some("projects/412345678901/locations/l/models/1".into()));
        a.facts.output_model = Some("projects/412345678901/locations/l/models/2".into());
        let a = names().asset(a);
        assert_eq!(a.facts.output_model.as_deref(), Some("projects/ml-prod-123/locations/l/models/2"));
        assert_eq!(a.id, "projects/ml-prod-123/locations/l/models/1@1");
        assert_eq!(a.account, "ml-prod-123");
        assert_eq!(a.relations[0].target, "projects/ml-prod-123/locations/l/trainingPipelines/5");
        assert_eq!(a.attributes["model_name"], "projects/ml-prod-123/locations/l/models/1");
    }
}

#[cfg(test)]
mod fuzz {
    use proptest::prelude::*;

    use super::*;

    fn text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("projects/".to_owned()),
            Just("412345678901".to_owned()),
            Just("//bigquery.googleapis.com/".to_owned()),
            Just("/locations/".to_owned()),
            Just("/models/".to_owned()),
            Just("@".to_owned()),
            Just("/".to_owned()),
            "[a-z0-9-]{0,20}",
            any::<String>(),
        ];
        prop::collection::vec(piece, 0..10).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]
        #[test]
        fn name_parsers_never_panic(s in text(), v in text()) {
            let mut n = ProjectNames::default();
            n.insert("412345678901", "ml-prod-123");
            let once = n.name(&s);
            // Idempotent: a normalised name stays as it is.
            prop_assert_eq!(n.name(&once), once.clone());
            let _ = model_version(&s, &v);
            let _ = crate::collectors::common::data_ref(&s);
        }
    }
}
