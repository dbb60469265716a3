//! The `[aws]` table.

use serde::Deserialize;

/// `Debug` hides `external_id` (a shared secret between the role's owner and the scanner).
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AwsConfig {
    /// Named profile from ~/.aws/config (default: the standard chain, AWS_PROFILE included).
    pub profile: Option<String>,
    /// Regions to scan. Empty: every region enabled for the account (account:ListRegions),
    /// falling back to the configured default region when that call is denied.
    pub regions: Vec<String>,
    /// Scan every ACTIVE account of the AWS Organization (organizations:ListAccounts).
    pub organization: bool,
    /// Explicit account ids to scan (in addition to the organization's when both are set).
    /// Empty and `organization = false`: only the account the credentials belong to.
    pub accounts: Vec<String>,
    /// Account ids never to scan.
    pub exclude_accounts: Vec<String>,
    /// Role assumed in every account other than the caller's own.
    pub role_name: String,
    /// External id for AssumeRole, when the role's trust policy demands one.
    pub external_id: Option<String>,
    pub session_name: String,
    /// Attempts per API call (exponential backoff with jitter on throttling and 5xx).
    pub max_attempts: u32,
    /// `standard`, or `adaptive`: the SDK also paces each (service, region, account) after it
    /// is throttled. Adaptive is gentler on accounts other workloads share (about a seventh of
    /// the throttled calls in the scan benchmark) but slower to recover (about twice the time).
    pub retry_mode: RetryMode,
    /// Time limit for one API call including retries, in seconds.
    pub operation_timeout_secs: u64,
    /// Time limit for one attempt of an API call, in seconds: a stalled attempt is retried.
    pub attempt_timeout_secs: u64,
}

/// The SDK's retry strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RetryMode {
    Standard,
    Adaptive,
}

impl std::fmt::Debug for AwsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AwsConfig")
            .field("profile", &self.profile)
            .field("regions", &self.regions)
            .field("organization", &self.organization)
            .field("accounts", &self.accounts)
            .field("exclude_accounts", &self.exclude_accounts)
            .field("role_name", &self.role_name)
            .field("external_id", &self.external_id.as_ref().map(|_| "***"))
            .field("session_name", &self.session_name)
            .field("max_attempts", &self.max_attempts)
            .field("retry_mode", &self.retry_mode)
            .field("operation_timeout_secs", &self.operation_timeout_secs)
            .field("attempt_timeout_secs", &self.attempt_timeout_secs)
            .finish()
    }
}

impl Default for AwsConfig {
    fn default() -> Self {
        AwsConfig {
            profile: None,
            regions: Vec::new(),
            organization: false,
            accounts: Vec::new(),
            exclude_accounts: Vec::new(),
            role_name: "AimscopeReadOnly".into(),
            external_id: None,
            session_name: "aimscope".into(),
            max_attempts: 6,
            retry_mode: RetryMode::Standard,
            operation_timeout_secs: 120,
            attempt_timeout_secs: 30,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn debug_hides_the_external_id() {
        let cfg = super::AwsConfig { external_id: Some("ext-PLANTED-1234".into()), ..Default::default() };
        let shown = format!("{cfg:?}");
        assert!(!shown.contains("ext-PLANTED-1234") && shown.contains("external_id: Some(\"***\")"), "{shown}");
    }
}
