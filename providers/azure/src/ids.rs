//! ARM ids and Azure ML references. ARM ids are case-insensitive and ARM returns them in
//! inconsistent case, so ids and relation targets are lower-cased to meet each other.

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

/// What an Azure ML asset reference (`azureml:name:version`, `azureml://datastores/...`, an ARM
/// id, ...) points at, resolved against the workspace it was seen in. `kind` is `models` or
/// `data`: short references do not say which they are.
pub fn ml_ref(workspace_id: &str, reference: &str, kind: &str) -> Option<String> {
    let r = reference.trim();
    let ws = norm(workspace_id);
    if let Some(rest) = r.strip_prefix("azureml:/subscriptions/") {
        return Some(norm(&format!("/subscriptions/{rest}")));
    }
    if r.to_ascii_lowercase().starts_with("/subscriptions/") {
        return Some(norm(r));
    }
    if let Some(rest) = r.strip_prefix("azureml://datastores/") {
        let ds = rest.split('/').next()?;
        return Some(format!("{ws}/datastores/{}", ds.to_ascii_lowercase()));
    }
    if r.starts_with("azureml://registries/") {
        // A registry asset: no subscription in the reference, kept as named.
        return Some(r.to_ascii_lowercase());
    }
    if let Some(rest) = r.strip_prefix("azureml:").filter(|x| !x.starts_with("//")) {
        let mut parts = rest.split(':');
        let name = parts.next()?.to_ascii_lowercase();
        let version = parts.next();
        return Some(match version {
            Some(v) => format!("{ws}/{kind}/{name}/versions/{}", v.to_ascii_lowercase()),
            None => format!("{ws}/{kind}/{name}"),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const WS: &str = "/subscriptions/S1/resourceGroups/RG/providers/Microsoft.MachineLearningServices/workspaces/WS";

    #[test]
    fn references_resolve_against_the_workspace() {
        let ws = norm(WS);
        assert_eq!(
            ml_ref(WS, "azureml:claims-data:3", "data").as_deref(),
            Some(format!("{ws}/data/claims-data/versions/3").as_str())
        );
        assert_eq!(
            ml_ref(WS, "azureml://datastores/workspaceblobstore/paths/x/y.jsonl", "data").as_deref(),
            Some(format!("{ws}/datastores/workspaceblobstore").as_str())
        );
        assert_eq!(
            ml_ref(WS, &format!("{WS}/models/M/versions/1"), "models"),
            Some(format!("{ws}/models/m/versions/1"))
        );
        assert_eq!(
            ml_ref(WS, "azureml://registries/azureml-meta/models/Llama-2-7b/versions/11", "models").as_deref(),
            Some("azureml://registries/azureml-meta/models/llama-2-7b/versions/11")
        );
        assert_eq!(ml_ref(WS, "https://acct.blob.core.windows.net/c/x", "data"), None);
        assert_eq!(segment(WS, "resourceGroups"), Some("RG"));
    }
}
