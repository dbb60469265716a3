//! Shared pieces of Azure collectors: ARM resources → assets.

use aimscope_core::{Asset, AssetKind, Cloud, Service};
use serde_json::Value;

use crate::ids::norm;
use crate::scope::AzureScope;

/// A string field at a JSON pointer.
pub fn str_at<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// The asset of an ARM resource: id (normalised), name, location, tags (top-level and, for
/// Azure ML assets, `properties.tags`), created time, provisioning state as status.
pub fn arm_asset(cx: &AzureScope, v: &Value, kind: AssetKind, service: Service) -> Option<Asset> {
    let id = str_at(v, "/id")?;
    let name = str_at(v, "/name").unwrap_or(id);
    let mut a = Asset::new(
        norm(id),
        Cloud::Azure,
        cx.subscription(),
        str_at(v, "/location").map(|l| l.to_ascii_lowercase().replace(' ', "")),
        kind,
        service,
        name,
    );
    for tags in [v.get("tags"), v.pointer("/properties/tags")].into_iter().flatten() {
        if let Some(m) = tags.as_object() {
            for (k, val) in m {
                if let Some(s) = val.as_str() {
                    a.tags.entry(k.clone()).or_insert_with(|| s.to_owned());
                }
            }
        }
    }
    a.created_at = str_at(v, "/systemData/createdAt")
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&chrono::Utc));
    if let Some(st) = str_at(v, "/properties/provisioningState") {
        a = a.with_status(st);
    }
    Some(a)
}

/// Names of an env-var map (values are never kept), sorted.
pub fn env_names(v: Option<&Value>) -> Option<Value> {
    let m = v?.as_object()?;
    let mut names: Vec<&String> = m.keys().collect();
    names.sort();
    (!names.is_empty()).then(|| serde_json::json!(names))
}

pub fn s(v: Option<&str>) -> Option<Value> {
    v.map(|x| Value::String(x.to_owned()))
}
