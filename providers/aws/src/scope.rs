//! One (account, region) scope: the SDK config with that account's credentials, and the
//! service clients built from it on first use.

use std::sync::OnceLock;

use aimscope_core::{Scope, ScopeContext};
use aws_config::SdkConfig;

use crate::actions::ActionLog;

#[derive(Debug)]
pub struct AwsScope {
    pub scope: Scope,
    pub partition: &'static str,
    pub sdk: SdkConfig,
    pub actions: ActionLog,
    sagemaker: OnceLock<aws_sdk_sagemaker::Client>,
    bedrock: OnceLock<aws_sdk_bedrock::Client>,
    bedrock_agent: OnceLock<aws_sdk_bedrockagent::Client>,
}

impl ScopeContext for AwsScope {
    fn scope(&self) -> &Scope {
        &self.scope
    }
}

impl AwsScope {
    pub fn new(scope: Scope, sdk: SdkConfig, actions: ActionLog) -> AwsScope {
        let partition = crate::arn::partition_of(scope.region.as_deref().unwrap_or("us-east-1"));
        AwsScope {
            scope,
            partition,
            sdk,
            actions,
            sagemaker: OnceLock::new(),
            bedrock: OnceLock::new(),
            bedrock_agent: OnceLock::new(),
        }
    }

    pub fn account(&self) -> &str {
        &self.scope.account
    }

    pub fn region(&self) -> &str {
        self.scope.region.as_deref().unwrap_or("us-east-1")
    }

    pub fn sagemaker(&self) -> &aws_sdk_sagemaker::Client {
        self.sagemaker.get_or_init(|| {
            let conf = aws_sdk_sagemaker::config::Builder::from(&self.sdk)
                .interceptor(self.actions.interceptor("sagemaker"))
                .build();
            aws_sdk_sagemaker::Client::from_conf(conf)
        })
    }

    pub fn bedrock(&self) -> &aws_sdk_bedrock::Client {
        self.bedrock.get_or_init(|| {
            let conf = aws_sdk_bedrock::config::Builder::from(&self.sdk)
                .interceptor(self.actions.interceptor("bedrock"))
                .build();
            aws_sdk_bedrock::Client::from_conf(conf)
        })
    }

    pub fn bedrock_agent(&self) -> &aws_sdk_bedrockagent::Client {
        self.bedrock_agent.get_or_init(|| {
            let conf = aws_sdk_bedrockagent::config::Builder::from(&self.sdk)
                .interceptor(self.actions.interceptor("bedrock"))
                .build();
            aws_sdk_bedrockagent::Client::from_conf(conf)
        })
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
