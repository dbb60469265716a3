//! ARM ids and Azure ML references. ARM ids are case-insensitive and ARM returns them in
//! inconsistent case, so ids and relation targets are lower-cased to meet each other.
//!
//! Azure ML writes one asset in many forms (Microsoft's "How to access data" and job-input
//! documentation, and the REST examples): short and long `azureml://` datastore URIs, asset
//! references `azureml:<name>:<version>` and `azureml:<name>@latest`, ARM ids, registry URIs,
//! job-output URIs and plain storage URLs. [`parse`] reads every form into an [`MlRef`]; the
//! scope resolves what needs a lookup (the latest version, a storage account by name, a registry
//! by name) with lists it already holds.

/// The normalised form of an ARM id.
pub fn norm(id: &str) -> String {
    id.trim_end_matches('/').to_ascii_lowercase()
}

/// The subscription / resource group of an ARM id.
pub fn segment<'a>(id: &'a str, name: &str) -> Option<&'a str> {
    let mut parts = id.split('/');
    while let Some(p) = parts.next() {
        if p.eq_ignore_ascii_case(name) {
            return parts.next();
        }
    }
    None
}

/// Which kind of Azure ML asset a short reference names: `azureml:x:1` does not say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssetClass {
    Data,
    Model,
}

impl AssetClass {
    fn collection(self) -> &'static str {
        match self {
            AssetClass::Data => "data",
            AssetClass::Model => "models",
        }
    }
}

/// What a reference points at, before lookups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MlRef {
    /// A resolved, normalised ARM id (datastore, data or model version, job, ...).
    Id(String),
    /// The latest version of an asset container (`azureml:<name>@latest`, or no version).
    Latest { container: String },
    /// An asset in an Azure ML registry, named without subscription: `rest` is the lower-cased
    /// path under the registry (`models/<m>/versions/<v>`).
    Registry { registry: String, rest: String },
    /// A storage account named in a URL (`https://<account>.blob.core.windows.net/…`,
    /// `abfss://<fs>@<account>.dfs.core.windows.net/…`).
    StorageAccount { account: String, container: Option<String> },
}

/// Parses any Azure ML reference form, resolved against the workspace it was seen in.
pub fn parse(workspace_id: &str, reference: &str, class: AssetClass) -> Option<MlRef> {
    let r = reference.trim();
    let lower = r.to_ascii_lowercase();
    let ws = norm(workspace_id);
    // ARM ids, bare or behind `azureml:`.
    if let Some(rest) = lower.strip_prefix("azureml:/subscriptions/") {
        return Some(MlRef::Id(norm(&format!("/subscriptions/{rest}"))));
    }
    if lower.starts_with("/subscriptions/") {
        return Some(MlRef::Id(norm(&lower)));
    }
    if let Some(rest) = lower.strip_prefix("azureml://") {
        let parts: Vec<&str> = rest.split('/').filter(|p| !p.is_empty()).collect();
        return match parts.as_slice() {
            // azureml://datastores/<ds>/paths/...
            ["datastores", ds, ..] => Some(MlRef::Id(format!("{ws}/datastores/{ds}"))),
            // azureml://subscriptions/<s>/resourcegroups/<rg>/workspaces/<ws>/<asset path>
            ["subscriptions", sub, "resourcegroups", rg, "workspaces", w, tail @ ..] => {
                let other = format!(
                    "/subscriptions/{sub}/resourcegroups/{rg}/providers/microsoft.machinelearningservices/workspaces/{w}"
                );
                workspace_path(&other, tail)
            }
            // azureml://jobs/<job>/outputs/...: the job that wrote it.
            ["jobs", job, ..] => Some(MlRef::Id(format!("{ws}/jobs/{job}"))),
            ["registries", reg, tail @ ..] if !tail.is_empty() => {
                Some(MlRef::Registry { registry: (*reg).to_owned(), rest: tail.join("/") })
            }
            _ => None,
        };
    }
    if let Some(rest) = lower.strip_prefix("azureml:") {
        // azureml:<name>:<version> or azureml:<name>@<label>
        let (name, version) = match rest.split_once(':') {
            Some((n, v)) => (n, Some(v)),
            None => match rest.split_once('@') {
                Some((n, _label)) => (n, None),
                None => (rest, None),
            },
        };
        if name.is_empty() || name.contains('/') {
            return None;
        }
        let container = format!("{ws}/{}/{name}", class.collection());
        return Some(match version.filter(|v| !v.is_empty()) {
            Some(v) => MlRef::Id(format!("{container}/versions/{v}")),
            None => MlRef::Latest { container },
        });
    }
    storage_url(&lower)
}

/// `datastores/<ds>/paths/…`, `data/<n>/versions/<v>`, `models/<n>/versions/<v>` under a workspace.
fn workspace_path(ws: &str, tail: &[&str]) -> Option<MlRef> {
    match tail {
        ["datastores", ds, ..] => Some(MlRef::Id(format!("{ws}/datastores/{ds}"))),
        [coll @ ("data" | "models"), name, "versions", v, ..] => {
            Some(MlRef::Id(format!("{ws}/{coll}/{name}/versions/{v}")))
        }
        [coll @ ("data" | "models"), name] => Some(MlRef::Latest { container: format!("{ws}/{coll}/{name}") }),
        _ => None,
    }
}

/// `https://<account>.(blob|dfs).core.<suffix>/<container>/…`, `abfss://<fs>@<account>.dfs…`,
/// `wasbs://<container>@<account>.blob…`.
fn storage_url(lower: &str) -> Option<MlRef> {
    let (scheme, rest) = lower.split_once("://")?;
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let (container, host) = match authority.split_once('@') {
        Some((c, h)) => (Some(c.to_owned()), h),
        None => (path.split('/').next().filter(|c| !c.is_empty()).map(str::to_owned), authority),
    };
    let mut labels = host.split('.');
    let account = labels.next()?;
    let service = labels.next()?;
    if !matches!(scheme, "https" | "http" | "abfss" | "abfs" | "wasbs" | "wasb")
        || !matches!(service, "blob" | "dfs")
        || labels.next() != Some("core")
        || account.is_empty()
    {
        return None;
    }
    Some(MlRef::StorageAccount { account: account.to_owned(), container })
}

/// What a reference resolves to without any lookup: the id when the reference names one,
/// otherwise the most specific id that can be written down (the container for `@latest`, the
/// registry URI, the account URL), kept so lineage is never cut silently.
pub fn ml_ref(workspace_id: &str, reference: &str, class: AssetClass) -> Option<String> {
    parse(workspace_id, reference, class).map(|r| r.unresolved_target())
}

impl MlRef {
    /// The target to record when no lookup can make the reference more precise.
    pub fn unresolved_target(&self) -> String {
        match self {
            MlRef::Id(id) | MlRef::Latest { container: id } => id.clone(),
            MlRef::Registry { registry, rest } => format!("azureml://registries/{registry}/{rest}"),
            MlRef::StorageAccount { account, .. } => format!("https://{account}.blob.core.windows.net"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WS: &str = "/subscriptions/S1/resourceGroups/RG/providers/Microsoft.MachineLearningServices/workspaces/WS";

    #[test]
    fn every_reference_form_parses() {
        let ws = norm(WS);
        let other = "/subscriptions/s2/resourcegroups/rg2/providers/microsoft.machinelearningservices/workspaces/ws2";
        let id = |s: String| Some(MlRef::Id(s));
        let (arm_data, arm_model) = (format!("{WS}/data/D/versions/1"), format!("azureml:{WS}/models/M/versions/1"));
        let cases: Vec<(&str, AssetClass, Option<MlRef>)> = vec![
            ("azureml:claims-data:3", AssetClass::Data, id(format!("{ws}/data/claims-data/versions/3"))),
            ("azureml:Claims-Model:1", AssetClass::Model, id(format!("{ws}/models/claims-model/versions/1"))),
            (
                "azureml:claims-data@latest",
                AssetClass::Data,
                Some(MlRef::Latest { container: format!("{ws}/data/claims-data") }),
            ),
            (
                "azureml:claims-data",
                AssetClass::Data,
                Some(MlRef::Latest { container: format!("{ws}/data/claims-data") }),
            ),
            (
                "azureml://datastores/workspaceblobstore/paths/x/y.jsonl",
                AssetClass::Data,
                id(format!("{ws}/datastores/workspaceblobstore")),
            ),
            (
                "azureml://subscriptions/S2/resourcegroups/RG2/workspaces/WS2/datastores/ClaimsStore/paths/train/",
                AssetClass::Data,
                id(format!("{other}/datastores/claimsstore")),
            ),
            (
                "azureml://subscriptions/s2/resourcegroups/rg2/workspaces/ws2/data/claims/versions/2",
                AssetClass::Data,
                id(format!("{other}/data/claims/versions/2")),
            ),
            (&arm_data, AssetClass::Data, id(format!("{ws}/data/d/versions/1"))),
            (&arm_model, AssetClass::Model, id(format!("{ws}/models/m/versions/1"))),
            (
                "azureml://jobs/Train-Job-1/outputs/artifacts/paths/model/",
                AssetClass::Model,
                id(format!("{ws}/jobs/train-job-1")),
            ),
            (
                "azureml://registries/azureml-meta/models/Llama-2-7b/versions/11",
                AssetClass::Model,
                Some(MlRef::Registry { registry: "azureml-meta".into(), rest: "models/llama-2-7b/versions/11".into() }),
            ),
            (
                "https://ClaimsData.blob.core.windows.net/train/x.csv",
                AssetClass::Data,
                Some(MlRef::StorageAccount { account: "claimsdata".into(), container: Some("train".into()) }),
            ),
            (
                "abfss://lake@claimslake.dfs.core.windows.net/curated/",
                AssetClass::Data,
                Some(MlRef::StorageAccount { account: "claimslake".into(), container: Some("lake".into()) }),
            ),
            (
                "wasbs://c@acct.blob.core.chinacloudapi.cn/x",
                AssetClass::Data,
                Some(MlRef::StorageAccount { account: "acct".into(), container: Some("c".into()) }),
            ),
            ("https://example.com/data.csv", AssetClass::Data, None),
            ("gs://bucket/x", AssetClass::Data, None),
            ("azureml:", AssetClass::Data, None),
            ("", AssetClass::Data, None),
            ("0.01", AssetClass::Data, None),
        ];
        for (input, class, want) in cases {
            assert_eq!(parse(WS, input, class), want, "{input}");
        }
        assert_eq!(segment(WS, "resourceGroups"), Some("RG"));
    }

    #[test]
    fn unresolved_forms_keep_a_stable_target() {
        assert_eq!(
            ml_ref(WS, "azureml://registries/azureml-meta/models/Llama-2-7b/versions/11", AssetClass::Model).as_deref(),
            Some("azureml://registries/azureml-meta/models/llama-2-7b/versions/11")
        );
        assert_eq!(
            ml_ref(WS, "abfss://lake@claimslake.dfs.core.windows.net/x", AssetClass::Data).as_deref(),
            Some("https://claimslake.blob.core.windows.net")
        );
    }
}

#[cfg(test)]
mod fuzz {
    use proptest::prelude::*;

    use super::*;

    fn text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("azureml:".to_owned()),
            Just("azureml://".to_owned()),
            Just("/subscriptions/".to_owned()),
            Just("resourcegroups/".to_owned()),
            Just("workspaces/".to_owned()),
            Just("datastores/".to_owned()),
            Just("registries/".to_owned()),
            Just("abfss://".to_owned()),
            Just("@".to_owned()),
            Just(".dfs.core.windows.net/".to_owned()),
            Just(".blob.core.windows.net/".to_owned()),
            Just("/".to_owned()),
            Just(":".to_owned()),
            "[A-Za-z0-9-]{0,20}",
            any::<String>(),
        ];
        prop::collection::vec(piece, 0..10).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]
        #[test]
        fn reference_parsers_never_panic(ws in text(), r in text()) {
            for class in [AssetClass::Data, AssetClass::Model] {
                let _ = parse(&ws, &r, class);
                let _ = ml_ref(&ws, &r, class);
            }
            let _ = segment(&r, "resourceGroups");
            let _ = norm(&r);
        }

        #[test]
        fn versioned_references_resolve_in_the_workspace(name in "[a-z][a-z0-9-]{0,20}", v in "[0-9]{1,4}") {
            let ws = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/w";
            let want = format!("{}/data/{name}/versions/{v}", norm(ws));
            prop_assert_eq!(ml_ref(ws, &format!("azureml:{name}:{v}"), AssetClass::Data), Some(want));
        }
    }
}
