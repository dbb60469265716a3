//! aimscope's shared vocabulary: the inventory model every provider normalises into, and the
//! traits that connect providers, collectors and the runner. Providers depend on this crate,
//! never on the binary.

pub mod collect;
pub mod detect;
pub mod facts;
pub mod model;
pub mod shard;

pub use collect::{
    AssetStream, Bound, CollectError, Collector, Discovery, ErrorKind, Lookup, Provider, ProviderError, Scope,
    ScopeContext, Task, bind_all, detail, discovery_failure, fold_lookups,
};
pub use facts::Facts;
pub use model::*;
pub use shard::{Selection, Shard};
