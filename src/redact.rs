//! Redaction of what may carry a secret when it is shown (logs, errors, `Debug`): URLs keep
//! scheme, host, port and path; userinfo and query values become `***`.

/// `https://user:pass@host/hook?token=abc&x=1` → `https://***@host/hook?token=***&x=***`.
/// Anything that does not parse as a URL is not shown at all.
pub fn url(raw: &str) -> String {
    let Ok(mut u) = reqwest::Url::parse(raw) else {
        return "<not a URL>".into();
    };
    if !u.username().is_empty() || u.password().is_some() {
        let _ = u.set_username("***");
        let _ = u.set_password(None);
    }
    if u.query().is_some() {
        let keys: Vec<String> = u.query_pairs().map(|(k, _)| k.into_owned()).collect();
        let mut q = u.query_pairs_mut();
        q.clear();
        for k in keys {
            q.append_pair(&k, "***");
        }
    }
    u.set_fragment(None);
    // `***` is percent-encoded by the serializer in the query; show it plainly.
    u.to_string().replace("%2A%2A%2A", "***")
}

#[cfg(test)]
mod tests {
    #[test]
    fn userinfo_and_query_values_are_hidden() {
        assert_eq!(
            super::url("https://hook-user:s3cret@example.com/in?token=abc123&team=grc#frag"),
            "https://***@example.com/in?token=***&team=***"
        );
        assert_eq!(super::url("https://example.com/in"), "https://example.com/in");
        assert_eq!(super::url("not a url s3cret"), "<not a URL>");
    }
}

#[cfg(test)]
mod debug_tests {
    #[test]
    fn webhook_config_debug_hides_url_secrets_and_header_values() {
        let mut cfg = crate::sink::webhook::WebhookConfig {
            url: Some("https://u:PLANTEDpass@hooks.example.com/in?token=PLANTEDtoken".into()),
            ..Default::default()
        };
        cfg.headers.insert("Authorization".into(), "Bearer PLANTEDheader".into());
        let shown = format!("{cfg:?}");
        assert!(!shown.contains("PLANTED"), "{shown}");
        assert!(shown.contains("Authorization") && shown.contains("hooks.example.com"), "{shown}");
    }

    #[test]
    fn a_bad_env_override_is_named_not_echoed() {
        let env = vec![("AIMSCOPE__SCAN__CONCURRENCY".to_owned(), "\"PLANTED-override-secret\"".to_owned())];
        let err = crate::config::Config::parse("", "t", env).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(!err.is_empty() && !err.contains("PLANTED-override-secret"), "{err}");
        assert!(err.contains("AIMSCOPE__SCAN__CONCURRENCY") || err.contains("concurrency"), "{err}");
    }
}
