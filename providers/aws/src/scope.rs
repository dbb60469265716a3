//! One (account, region) scope: the SDK config with that account's credentials, and the
//! service clients built from it on first use.

use std::sync::OnceLock;

use aimscope_core::detect::Catalogue;
use aimscope_core::{Scope, ScopeContext};
use aws_config::SdkConfig;

use crate::actions::ActionLog;

/// Declares the scope's lazily built service clients: `(getter, crate, IAM prefix)`.
/// Every client carries the action-log interceptor, so no call escapes the audit trail, and a
/// retry partition of its own (service, region, account): AWS keeps its rate limits per that
/// key, so the SDK's retry quota and adaptive rate limiter must too. The SDK's default partition
/// is (service, region) for the whole process, which would let one throttled account slow and
/// drain the retries of every other account in the region.
macro_rules! clients {
    ($(($field:ident, $krate:ident, $iam:literal)),* $(,)?) => {
        #[derive(Debug, Default)]
        struct Clients {
            $($field: OnceLock<$krate::Client>,)*
        }

        impl AwsScope {
            $(
                pub fn $field(&self) -> &$krate::Client {
                    self.clients.$field.get_or_init(|| {
                        let conf = $krate::config::Builder::from(&self.sdk)
                            .interceptor(self.actions.interceptor($iam))
                            .retry_partition($krate::config::retry::RetryPartition::new(self.retry_partition(stringify!($field))))
                            .build();
                        $krate::Client::from_conf(conf)
                    })
                }
            )*
        }
    };
}

clients!(
    (sagemaker, aws_sdk_sagemaker, "sagemaker"),
    (bedrock, aws_sdk_bedrock, "bedrock"),
    (bedrock_agent, aws_sdk_bedrockagent, "bedrock"),
    (lambda, aws_sdk_lambda, "lambda"),
    (secrets_manager, aws_sdk_secretsmanager, "secretsmanager"),
    (ssm, aws_sdk_ssm, "ssm"),
    (ecs, aws_sdk_ecs, "ecs"),
    (ecr, aws_sdk_ecr, "ecr"),
);

#[derive(Debug)]
pub struct AwsScope {
    pub scope: Scope,
    pub partition: &'static str,
    pub sdk: SdkConfig,
    pub actions: ActionLog,
    /// Outside-AI detection catalogue (built-in or the user's).
    pub catalogue: &'static Catalogue,
    clients: Clients,
}

impl ScopeContext for AwsScope {
    fn scope(&self) -> &Scope {
        &self.scope
    }
}

impl AwsScope {
    pub fn new(scope: Scope, sdk: SdkConfig, actions: ActionLog, catalogue: &'static Catalogue) -> AwsScope {
        let partition = crate::arn::partition_of(scope.region.as_deref().unwrap_or("us-east-1"));
        AwsScope { scope, partition, sdk, actions, catalogue, clients: Clients::default() }
    }

    /// The SDK retry partition of one service in this scope.
    pub fn retry_partition(&self, service: &str) -> String {
        format!("{service}-{}-{}", self.region(), self.account())
    }

    pub fn account(&self) -> &str {
        &self.scope.account
    }

    pub fn region(&self) -> &str {
        self.scope.region.as_deref().unwrap_or("us-east-1")
    }

    /// Whether Bedrock is offered in this scope's region. The list is botocore's endpoint data;
    /// with an endpoint override (private endpoint, emulator) the override decides.
    pub fn has_bedrock(&self) -> bool {
        self.sdk.endpoint_url().is_some()
            || std::env::var_os("AWS_ENDPOINT_URL_BEDROCK").is_some()
            || BEDROCK_REGIONS.contains(&self.region())
    }
}

/// Regions with a Bedrock control-plane endpoint (botocore endpoints.json, 2026-11).
const BEDROCK_REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-iso-east-1",
    "us-isob-east-1",
    "us-isof-east-1",
    "us-isof-south-1",
    "eusc-de-east-1",
];

/// Converts an SDK timestamp.
pub fn ts(t: Option<&aws_smithy_types::DateTime>) -> Option<chrono::DateTime<chrono::Utc>> {
    t.and_then(|t| chrono::DateTime::from_timestamp(t.secs(), t.subsec_nanos()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use aimscope_core::Cloud;

    fn scope(account: &str, region: &str) -> AwsScope {
        let sdk = SdkConfig::builder()
            .region(aws_config::Region::new(region.to_owned()))
            .behavior_version(aws_config::BehaviorVersion::latest())
            .build();
        let s = Scope { cloud: Cloud::Aws, account: account.into(), region: Some(region.into()) };
        AwsScope::new(s, sdk, ActionLog::default(), Catalogue::builtin())
    }

    #[test]
    fn every_account_region_and_service_has_its_own_retry_partition() {
        let partition = |s: &AwsScope| s.sagemaker().config().retry_partition().map(|p| p.to_string());
        let (a, b, c) = (
            scope("111122223333", "us-east-1"),
            scope("444455556666", "us-east-1"),
            scope("111122223333", "eu-west-1"),
        );
        let seen = [partition(&a), partition(&b), partition(&c)];
        assert!(seen.iter().all(Option::is_some), "{seen:?}");
        assert!(seen[0] != seen[1] && seen[0] != seen[2] && seen[1] != seen[2], "{seen:?}");
        assert_ne!(
            a.bedrock().config().retry_partition().map(|p| p.to_string()),
            seen[0],
            "services of one scope are separate keys too"
        );
    }
}
