//! Declared and inherited data classification.
//!
//! Effective level of an asset = the highest of its own declared level and the effective level
//! of everything upstream of it. "Upstream" follows [`RelationKind::propagation`]: a model
//! inherits from its training job and data, an endpoint from the model it serves, an agent from
//! its knowledge bases, and an outside-API usage record from whoever calls it.
//!
//! The pass is linear in assets + relations: strongly connected components (iterative Tarjan,
//! so deep chains cannot overflow the stack) are condensed, and each component's level is the
//! max of its members and of the components it depends on, computed in Tarjan's completion
//! order, which is already a reverse topological order. Every asset also keeps a pointer to
//! the neighbour its level came from, and the explanation path follows those pointers.

use std::collections::{BTreeMap, HashMap};

use aimscope_core::{Asset, DanglingReference, EffectiveClassification, Propagation};
use serde::Deserialize;

/// The ordered classification scale and its aliases.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClassificationConfig {
    /// Levels from least to most sensitive.
    pub levels: Vec<String>,
    /// Other spellings that map onto a level, e.g. `pii = "restricted"`.
    pub aliases: BTreeMap<String, String>,
}

impl Default for ClassificationConfig {
    fn default() -> Self {
        let aliases = [
            ("pii", "restricted"),
            ("phi", "restricted"),
            ("pci", "restricted"),
            ("secret", "restricted"),
            ("highly-confidential", "restricted"),
            ("sensitive", "confidential"),
            ("private", "confidential"),
            ("internal-only", "internal"),
            ("general", "internal"),
            ("open", "public"),
        ];
        ClassificationConfig {
            levels: ["public", "internal", "confidential", "restricted"].map(String::from).to_vec(),
            aliases: aliases.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect(),
        }
    }
}

impl ClassificationConfig {
    pub fn validate(&self) -> Result<(), String> {
        if self.levels.is_empty() {
            return Err("classification.levels must name at least one level".into());
        }
        for (alias, level) in &self.aliases {
            if self.rank(level).is_none() {
                return Err(format!(
                    "classification alias `{alias}` maps to `{level}`, which is not in classification.levels"
                ));
            }
        }
        Ok(())
    }

    fn rank(&self, level: &str) -> Option<usize> {
        self.levels.iter().position(|l| l.eq_ignore_ascii_case(level))
    }

    /// The scale index of a tag value (level or alias, case- and separator-insensitive).
    pub fn level_of(&self, raw: &str) -> Option<usize> {
        let norm = |s: &str| s.trim().to_ascii_lowercase().replace(['_', ' '], "-");
        let v = norm(raw);
        self.levels
            .iter()
            .position(|l| norm(l) == v)
            .or_else(|| self.aliases.iter().find(|(a, _)| norm(a) == v).and_then(|(_, l)| self.rank(l)))
    }

    pub fn name(&self, rank: usize) -> &str {
        &self.levels[rank]
    }
}

/// Result of the pass: per asset (same order as the input), the effective rank and explanation.
#[derive(Debug, Default)]
pub struct Inheritance {
    /// Scale index per asset; `None` when nothing on any path is classified.
    pub rank: Vec<Option<usize>>,
    /// Own declared rank per asset.
    pub declared: Vec<Option<usize>>,
    pub dangling: Vec<DanglingReference>,
}

/// Longest explanation written out in full; longer paths are elided in the middle so output
/// stays linear in the inventory size even for very deep chains.
const MAX_PATH: usize = 24;

/// Computes effective classification and writes it onto every asset.
pub fn inherit(assets: &mut [Asset], scale: &ClassificationConfig) -> Inheritance {
    let n = assets.len();
    let index: HashMap<&str, usize> = assets.iter().enumerate().map(|(i, a)| (a.id.as_str(), i)).collect();
    // deps[u] = assets u inherits from.
    let mut deps: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut dangling = Vec::new();
    for (u, a) in assets.iter().enumerate() {
        for r in &a.relations {
            match index.get(r.target.as_str()) {
                Some(&v) => match r.kind.propagation() {
                    Propagation::TargetToSource => deps[u].push(v),
                    Propagation::SourceToTarget => deps[v].push(u),
                    Propagation::None => {}
                },
                None => dangling.push(DanglingReference { from: a.id.clone(), kind: r.kind, target: r.target.clone() }),
            }
        }
    }
    for d in &mut deps {
        // Deterministic tie-breaking: among equal upstream levels, the lowest id wins.
        d.sort_by(|x, y| assets[*x].id.cmp(&assets[*y].id));
        d.dedup();
    }
    dangling.sort();
    dangling.dedup();

    let declared: Vec<Option<usize>> =
        assets.iter().map(|a| a.declared_classification.as_deref().and_then(|c| scale.level_of(c))).collect();

    let (comp, order) = tarjan(&deps);
    // best[u] = (rank, via): via = u itself when the rank is u's own declared level.
    let mut best: Vec<Option<(usize, usize)>> = declared.iter().enumerate().map(|(u, d)| d.map(|r| (r, u))).collect();
    for members in &order {
        // Within a component every member can reach every other, so all share the max of the
        // members' own levels and of the edges leaving the component.
        let mut comp_best: Option<(usize, usize, usize)> = None; // (rank, holder, via)
        for &u in members {
            if let Some((r, _)) = best[u]
                && comp_best.is_none_or(|(cr, _, _)| r > cr)
            {
                comp_best = Some((r, u, u));
            }
            for &v in &deps[u] {
                if comp[v] != comp[u]
                    && let Some((r, _)) = best[v]
                    && comp_best.is_none_or(|(cr, _, _)| r > cr)
                {
                    comp_best = Some((r, u, v));
                }
            }
        }
        let Some((rank, holder, via)) = comp_best else {
            continue;
        };
        best[holder] = Some((rank, via));
        if members.len() > 1 {
            // Point every other member towards `holder` along reverse edges inside the component
            // (a BFS over the component), so each path ends at the source.
            let mut rev: HashMap<usize, Vec<usize>> = HashMap::new();
            for &u in members {
                for &v in &deps[u] {
                    if comp[v] == comp[u] {
                        rev.entry(v).or_default().push(u);
                    }
                }
            }
            let mut seen = std::collections::HashSet::from([holder]);
            let mut queue = std::collections::VecDeque::from([holder]);
            while let Some(v) = queue.pop_front() {
                for &u in rev.get(&v).map(Vec::as_slice).unwrap_or(&[]) {
                    if seen.insert(u) {
                        // A member that declares the level itself explains itself.
                        let via = if declared[u] == Some(rank) { u } else { v };
                        best[u] = Some((rank, via));
                        queue.push_back(u);
                    }
                }
            }
        }
    }

    // via[u] is the next hop towards the asset whose declared level u carries (u itself for a
    // source). Those pointers form a forest, so depth (hops to the source) and the anchor (the
    // node where the explanation's tail starts) are memoised in one linear pass, and each
    // explanation costs at most MAX_PATH steps however deep the chain.
    let via: Vec<usize> = (0..n).map(|u| best[u].map_or(u, |(_, v)| v)).collect();
    let half = MAX_PATH / 2;
    let mut depth: Vec<usize> = vec![usize::MAX; n];
    let mut anchor: Vec<usize> = vec![usize::MAX; n];
    let mut stack = Vec::new();
    for start in 0..n {
        let mut cur = start;
        // The stack bound only guards against a pointer cycle, which the SCC pass never makes.
        while depth[cur] == usize::MAX && via[cur] != cur && stack.len() <= n {
            stack.push(cur);
            cur = via[cur];
        }
        if depth[cur] == usize::MAX {
            depth[cur] = 0;
            anchor[cur] = cur;
        }
        while let Some(u) = stack.pop() {
            let v = via[u];
            depth[u] = depth[v] + 1;
            anchor[u] = if depth[u] < half { u } else { anchor[v] };
        }
    }
    let walk = |from: usize, steps: usize| -> Vec<usize> {
        let mut out = vec![from];
        let mut cur = from;
        while out.len() < steps && via[cur] != cur {
            cur = via[cur];
            out.push(cur);
        }
        out
    };

    for u in 0..n {
        let eff = match best[u] {
            None => EffectiveClassification {
                level: "unknown".into(),
                path: vec![assets[u].id.clone()],
                hops: 0,
                explanation: format!("{} [unclassified, nothing upstream classified]", label(&assets[u])),
            },
            Some((rank, _)) => {
                let hops = depth[u];
                let (head, tail) = if hops < MAX_PATH {
                    (walk(u, MAX_PATH), Vec::new())
                } else {
                    (walk(u, half), walk(anchor[u], half))
                };
                let mut words: Vec<String> = head.iter().map(|&p| label(&assets[p])).collect();
                if !tail.is_empty() {
                    words.push(format!("… {} more …", hops + 1 - head.len() - tail.len()));
                    words.extend(tail.iter().map(|&p| label(&assets[p])));
                }
                let explanation = format!("{} [{}]", words.join(" ← "), scale.name(rank));
                EffectiveClassification {
                    level: scale.name(rank).to_owned(),
                    path: head.iter().chain(tail.iter()).map(|&p| assets[p].id.clone()).collect(),
                    hops: hops as u64,
                    explanation,
                }
            }
        };
        assets[u].effective_classification = Some(eff);
    }
    Inheritance { rank: best.iter().map(|b| b.map(|(r, _)| r)).collect(), declared, dangling }
}

fn label(a: &Asset) -> String {
    format!("{} {}", a.kind.as_str().replace('_', " "), a.name)
}

/// Iterative Tarjan. Returns the component of each node and the components in completion
/// order (every component after all components it depends on).
fn tarjan(deps: &[Vec<usize>]) -> (Vec<usize>, Vec<Vec<usize>>) {
    const UNSEEN: usize = usize::MAX;
    let n = deps.len();
    let mut idx = vec![UNSEEN; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut comp = vec![UNSEEN; n];
    let mut stack = Vec::new();
    let mut order: Vec<Vec<usize>> = Vec::new();
    let mut next = 0;
    let mut call: Vec<(usize, usize)> = Vec::new();
    for root in 0..n {
        if idx[root] != UNSEEN {
            continue;
        }
        call.push((root, 0));
        idx[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(top) = call.last_mut() {
            let u = top.0;
            if top.1 < deps[u].len() {
                let v = deps[u][top.1];
                top.1 += 1;
                if idx[v] == UNSEEN {
                    idx[v] = next;
                    low[v] = next;
                    next += 1;
                    stack.push(v);
                    on_stack[v] = true;
                    call.push((v, 0));
                } else if on_stack[v] {
                    low[u] = low[u].min(idx[v]);
                }
                continue;
            }
            call.pop();
            if let Some(&(parent, _)) = call.last() {
                low[parent] = low[parent].min(low[u]);
            }
            if low[u] == idx[u] {
                let id = order.len();
                let mut members = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    comp[w] = id;
                    members.push(w);
                    if w == u {
                        break;
                    }
                }
                order.push(members);
            }
        }
    }
    (comp, order)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aimscope_core::{AssetKind, Cloud, RelationKind, Service};

    fn a(id: &str, kind: AssetKind, declared: Option<&str>, rels: &[(RelationKind, &str)]) -> Asset {
        let mut x = Asset::new(id, Cloud::Aws, "1", None, kind, Service::Sagemaker, id);
        x.declared_classification = declared.map(str::to_owned);
        for (k, t) in rels {
            x.relate(*k, *t);
        }
        x
    }

    fn eff(assets: &[Asset], id: &str) -> EffectiveClassification {
        assets
            .iter()
            .find(|x| x.id == id)
            .and_then(|x| x.effective_classification.clone())
            .unwrap_or_else(|| panic!("no effective classification for {id}"))
    }

    use RelationKind as R;

    #[test]
    fn multi_hop_chain_inherits_with_path() {
        let mut v = vec![
            a("ep", AssetKind::Endpoint, None, &[(R::Deploys, "cfg")]),
            a("cfg", AssetKind::EndpointConfig, None, &[(R::Serves, "m")]),
            a("m", AssetKind::Model, Some("internal"), &[(R::ProducedBy, "job")]),
            a("job", AssetKind::TrainingJob, None, &[(R::TrainedOn, "b")]),
            a("b", AssetKind::Bucket, Some("pii"), &[]),
        ];
        let inh = inherit(&mut v, &ClassificationConfig::default());
        let e = eff(&v, "ep");
        assert_eq!(e.level, "restricted");
        assert_eq!(e.path, ["ep", "cfg", "m", "job", "b"]);
        assert_eq!(
            e.explanation,
            "endpoint ep ← endpoint config cfg ← model m ← training job job ← bucket b [restricted]"
        );
        assert_eq!(inh.declared[2], Some(1));
        assert_eq!(inh.rank[2], Some(3));
    }

    #[test]
    fn cross_cloud_chain_inherits() {
        let mut gcs =
            a("//storage.googleapis.com/projects/_/buckets/eu-data", AssetKind::Bucket, Some("confidential"), &[]);
        gcs.cloud = Cloud::Gcp;
        let mut v = vec![
            a(
                "aws-model",
                AssetKind::Model,
                None,
                &[(R::TrainedOn, "//storage.googleapis.com/projects/_/buckets/eu-data")],
            ),
            gcs,
        ];
        inherit(&mut v, &ClassificationConfig::default());
        assert_eq!(eff(&v, "aws-model").level, "confidential");
    }

    #[test]
    fn own_level_wins_when_higher_and_ties_are_deterministic() {
        let mut v = vec![
            a("m", AssetKind::Model, Some("restricted"), &[(R::TrainedOn, "x")]),
            a("x", AssetKind::Bucket, Some("internal"), &[]),
            a("tie", AssetKind::Model, None, &[(R::TrainedOn, "z-data"), (R::TrainedOn, "a-data")]),
            a("z-data", AssetKind::Bucket, Some("confidential"), &[]),
            a("a-data", AssetKind::Bucket, Some("sensitive"), &[]),
        ];
        inherit(&mut v, &ClassificationConfig::default());
        assert_eq!(eff(&v, "m").path, ["m"]);
        assert_eq!(eff(&v, "tie").path, ["tie", "a-data"], "equal levels: the lowest id explains");
    }

    #[test]
    fn cycles_terminate_and_share_the_level() {
        let mut v = vec![
            a("p", AssetKind::Model, None, &[(R::Uses, "q")]),
            a("q", AssetKind::Model, None, &[(R::Uses, "p"), (R::TrainedOn, "d")]),
            a("d", AssetKind::Dataset, Some("confidential"), &[]),
            a("self", AssetKind::Model, None, &[(R::Uses, "self")]),
        ];
        inherit(&mut v, &ClassificationConfig::default());
        assert_eq!(eff(&v, "p").level, "confidential");
        assert_eq!(eff(&v, "p").path, ["p", "q", "d"]);
        assert_eq!(eff(&v, "q").path, ["q", "d"]);
        assert_eq!(eff(&v, "self").level, "unknown");
    }

    #[test]
    fn unknown_labels_are_not_guessed_and_dangling_refs_are_kept() {
        let mut v = vec![
            a("m", AssetKind::Model, Some("top-secret-ish"), &[(R::TrainedOn, "arn:aws:s3:::gone")]),
            a("ok", AssetKind::Model, Some("Highly Confidential"), &[]),
        ];
        let inh = inherit(&mut v, &ClassificationConfig::default());
        assert_eq!(eff(&v, "m").level, "unknown");
        assert_eq!(eff(&v, "ok").level, "restricted", "alias matched case- and separator-insensitively");
        assert_eq!(inh.dangling.len(), 1);
        assert_eq!(inh.dangling[0].target, "arn:aws:s3:::gone");
    }

    #[test]
    fn calls_carry_data_to_the_outside_api_and_part_of_carries_nothing() {
        let mut v = vec![
            a("fn", AssetKind::Deployment, Some("confidential"), &[(R::Calls, "openai")]),
            a("openai", AssetKind::ThirdPartyApiUsage, None, &[]),
            a("pkg", AssetKind::ModelPackage, None, &[(R::PartOf, "grp")]),
            a("grp", AssetKind::ModelRegistry, Some("restricted"), &[]),
        ];
        inherit(&mut v, &ClassificationConfig::default());
        assert_eq!(eff(&v, "openai").level, "confidential");
        assert_eq!(eff(&v, "fn").level, "confidential");
        assert_eq!(eff(&v, "pkg").level, "unknown");
    }

    #[test]
    fn very_deep_chains_terminate_with_bounded_explanations() {
        let n = 200_000;
        let mut v: Vec<Asset> = (0..n)
            .map(|i| {
                let rels: Vec<(RelationKind, String)> =
                    if i + 1 < n { vec![(R::Uses, format!("n{}", i + 1))] } else { vec![] };
                let mut x = a(&format!("n{i}"), AssetKind::Model, None, &[]);
                for (k, t) in rels {
                    x.relate(k, t);
                }
                x
            })
            .collect();
        v[n - 1].declared_classification = Some("restricted".into());
        inherit(&mut v, &ClassificationConfig::default());
        let e = eff(&v, "n0");
        assert_eq!(e.level, "restricted");
        assert_eq!(e.hops, (n - 1) as u64);
        assert_eq!(e.path.len(), MAX_PATH);
        assert_eq!(e.path.last().map(String::as_str), Some(format!("n{}", n - 1).as_str()));
        assert_eq!(eff(&v, &format!("n{}", n - 5)).path.len(), 5);
        assert!(e.explanation.contains("more …"));
        assert!(e.explanation.len() < 2_000);
    }
}
