//! aimscope's shared vocabulary: the inventory model every provider normalises into, and the
//! traits that connect providers, collectors and the runner. Providers depend on this crate,
//! never on the binary.

/// `ALL` and `as_str` (the variant's JSON name) for a wire enum, so sinks and reports name a
/// variant without a round trip through `serde_json`. A variant left out fails to compile (the
/// match is exhaustive); a name that differs from serde's fails `wire_names_match_serde`.
macro_rules! wire_names {
    ($ty:ident { $($v:ident => $s:literal),+ $(,)? }) => {
        impl $ty {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$ty] = &[$($ty::$v),+];
            /// The variant's name in the inventory document.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($ty::$v => $s),+
                }
            }
        }
        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

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
