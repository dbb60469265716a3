//! Records every AWS API action the scanner calls (`sagemaker:ListModels`, ...). Used for the
//! call count in logs and, in tests, to prove every action is read-only and in the shipped
//! least-privilege policy.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

/// Shared count of calls per IAM action.
#[derive(Debug, Clone, Default)]
pub struct ActionLog(Arc<Mutex<BTreeMap<String, u64>>>);

impl ActionLog {
    pub fn snapshot(&self) -> BTreeMap<String, u64> {
        self.0.lock().map(|m| m.clone()).unwrap_or_default()
    }

    fn record(&self, action: String) {
        if let Ok(mut m) = self.0.lock() {
            *m.entry(action).or_default() += 1;
        }
    }

    /// An interceptor for one service client; `iam_prefix` is the IAM service prefix
    /// (`bedrock` for both Bedrock and Bedrock Agents).
    pub fn interceptor(&self, iam_prefix: &'static str) -> ActionInterceptor {
        ActionInterceptor { log: self.clone(), iam_prefix }
    }
}

#[derive(Debug)]
pub struct ActionInterceptor {
    log: ActionLog,
    iam_prefix: &'static str,
}

impl Intercept for ActionInterceptor {
    fn name(&self) -> &'static str {
        "aimscope.ActionLog"
    }

    // Not `read_before_execution`: client-level interceptors run that hook before the
    // operation's own config (which holds its `Metadata`) is applied.
    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _rc: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(md) = cfg.load::<Metadata>() {
            self.log.record(format!("{}:{}", self.iam_prefix, md.name()));
        }
        Ok(())
    }
}
