//! Scale-out: `--shard K/N` gives this process the scopes (accounts, subscriptions, projects)
//! whose stable hash falls in slice K of N, so N pods of a Kubernetes Indexed Job
//! (`JOB_COMPLETION_INDEX` = K) scan disjoint slices that together cover every scope once;
//! `aimscope merge` puts the partial inventories back together.

use sha2::{Digest, Sha256};

use crate::model::Cloud;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 0-based, as Kubernetes numbers Indexed Job pods.
    pub index: u32,
    pub count: u32,
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Shard, String> {
        let err = || format!("--shard wants K/N with 0 <= K < N (e.g. 0/4), got {s:?}");
        let (k, n) = s.split_once('/').ok_or_else(err)?;
        let (index, count): (u32, u32) = (k.trim().parse().map_err(|_| err())?, n.trim().parse().map_err(|_| err())?);
        if count == 0 || index >= count {
            return Err(err());
        }
        Ok(Shard { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// What a provider should scan: which collectors are on, and which slice of the scopes.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Collector ids to skip (`scan.disabled_collectors`).
    pub disabled_collectors: Vec<String>,
    pub shard: Option<Shard>,
}

impl Selection {
    pub fn collector_on(&self, name: &str) -> bool {
        !self.disabled_collectors.iter().any(|d| d == name)
    }

    /// Whether this process scans `account`; providers ask before entering an account, so a
    /// shard does not spend calls (AssumeRole, Service Usage) on other shards' scopes.
    pub fn owns(&self, cloud: Cloud, account: &str) -> bool {
        self.shard.is_none_or(|s| s.owns(cloud, account))
    }
}

impl Shard {
    /// Whether this shard scans `account` of `cloud`. The hash (SHA-256, not `std`'s
    /// randomised hasher) is the same on every machine and every version.
    pub fn owns(&self, cloud: Cloud, account: &str) -> bool {
        let digest = Sha256::digest(format!("{cloud}/{account}").as_bytes());
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        (u64::from_be_bytes(first) % u64::from(self.count)) as u32 == self.index
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scope_in_exactly_one_shard() {
        for n in 1..6u32 {
            for i in 0..200 {
                let account = format!("{:012}", 100_000_000_000u64 + i * 7919);
                let owners = (0..n).filter(|k| Shard { index: *k, count: n }.owns(Cloud::Aws, &account)).count();
                assert_eq!(owners, 1, "{account} in {owners} of {n} shards");
            }
        }
    }

    #[test]
    fn parses_k_of_n() {
        assert_eq!("2/4".parse::<Shard>(), Ok(Shard { index: 2, count: 4 }));
        assert!("4/4".parse::<Shard>().is_err());
        assert!("1/0".parse::<Shard>().is_err());
        assert!("x".parse::<Shard>().is_err());
    }
}
