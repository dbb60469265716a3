//! A layered (Sugiyama-style) layout of a lineage graph as inline SVG: data on the left,
//! what serves it on the right. Ranks by longest path with cycles broken at DFS back edges,
//! order within a rank by barycentre sweeps, straight-through cubic edges. No layout crate in
//! the Rust ecosystem renders SVG without a browser or a C library, and lineage graphs are
//! shallow (data → job → model → endpoint → agent), so a small tested layout serves.

use std::collections::BTreeMap;
use std::fmt::Write;

use aimscope_core::RelationKind;

use super::escape;

/// Largest graph drawn; beyond it a diagram stops being readable (the register still lists all).
pub const MAX_NODES: usize = 400;

const NODE_W: f64 = 200.0;
const NODE_H: f64 = 42.0;
const COL_GAP: f64 = 70.0;
const ROW_GAP: f64 = 14.0;
const MARGIN: f64 = 16.0;
const LEGEND_H: f64 = 30.0;

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub label: String,
    pub kind: String,
    pub level: Option<String>,
    /// (rank on the scale, number of levels), for the colour.
    pub level_rank: Option<(usize, usize)>,
    /// The register row this node links to.
    pub anchor: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Graph {
    pub nodes: Vec<Node>,
    /// (from, to, relation): drawn from → to, in the direction data flows.
    pub edges: Vec<(usize, usize, RelationKind)>,
}

/// Where each node sits: (rank = column, position in the column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    pub rank: Vec<usize>,
    pub pos: Vec<usize>,
}

/// Column of each node: the longest path to it from a node with no incoming edge, ignoring
/// edges that close a cycle.
fn ranks(n: usize, edges: &[(usize, usize, RelationKind)]) -> Vec<usize> {
    let mut out_adj: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(f, t, _) in edges {
        if f < n && t < n && f != t {
            out_adj[f].push(t);
        }
    }
    // Iterative DFS: an edge to a node still on the stack is a back edge and is dropped.
    let mut state = vec![0u8; n]; // 0 new, 1 on stack, 2 done
    let mut order = Vec::with_capacity(n); // post-order
    let mut keep: Vec<Vec<usize>> = vec![Vec::new(); n];
    for root in 0..n {
        if state[root] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        state[root] = 1;
        while let Some(&mut (v, ref mut next)) = stack.last_mut() {
            if let Some(&w) = out_adj[v].get(*next) {
                *next += 1;
                match state[w] {
                    0 => {
                        keep[v].push(w);
                        state[w] = 1;
                        stack.push((w, 0));
                    }
                    1 => {} // back edge: cycle, ignored for ranking
                    _ => keep[v].push(w),
                }
            } else {
                state[v] = 2;
                order.push(v);
                stack.pop();
            }
        }
    }
    let mut rank = vec![0usize; n];
    // Reverse post-order is a topological order of the kept edges.
    for &v in order.iter().rev() {
        for &w in &keep[v] {
            rank[w] = rank[w].max(rank[v] + 1);
        }
    }
    rank
}

/// Ranks and in-rank order (barycentre heuristic, alternating sweeps).
pub fn place(g: &Graph) -> Placement {
    let n = g.nodes.len();
    let rank = ranks(n, &g.edges);
    let max_rank = rank.iter().copied().max().unwrap_or(0);
    let mut columns: Vec<Vec<usize>> = vec![Vec::new(); max_rank + 1];
    let mut initial: Vec<usize> = (0..n).collect();
    initial.sort_by(|&a, &b| g.nodes[a].kind.cmp(&g.nodes[b].kind).then(g.nodes[a].label.cmp(&g.nodes[b].label)));
    for v in initial {
        columns[rank[v]].push(v);
    }
    let mut preds: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut succs: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(f, t, _) in &g.edges {
        if f < n && t < n && f != t {
            succs[f].push(t);
            preds[t].push(f);
        }
    }
    let mut pos = vec![0usize; n];
    let index = |columns: &Vec<Vec<usize>>, pos: &mut Vec<usize>| {
        for col in columns {
            for (i, &v) in col.iter().enumerate() {
                pos[v] = i;
            }
        }
    };
    index(&columns, &mut pos);
    for sweep in 0..8 {
        let forward = sweep % 2 == 0;
        let cols: Vec<usize> = if forward { (1..=max_rank).collect() } else { (0..max_rank).rev().collect() };
        for c in cols {
            let neighbours = if forward { &preds } else { &succs };
            let mut keyed: Vec<(f64, usize, usize)> = columns[c]
                .iter()
                .enumerate()
                .map(|(i, &v)| {
                    let ns = &neighbours[v];
                    let bary = if ns.is_empty() {
                        i as f64
                    } else {
                        ns.iter().map(|&u| pos[u] as f64).sum::<f64>() / ns.len() as f64
                    };
                    (bary, i, v)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            columns[c] = keyed.into_iter().map(|(_, _, v)| v).collect();
            for (i, &v) in columns[c].iter().enumerate() {
                pos[v] = i;
            }
        }
    }
    Placement { rank, pos }
}

/// Fill and stroke for a classification rank on a scale of `n` levels (lowest green, highest
/// red); grey when unknown.
pub fn colours(level_rank: Option<(usize, usize)>) -> (&'static str, &'static str) {
    match ramp_index(level_rank) {
        Some(i) => RAMP[i],
        None => ("#f5f5f5", "#616161"),
    }
}

/// Fill and stroke, lowest level first.
pub const RAMP: [(&str, &str); 4] =
    [("#e8f5e9", "#2e7d32"), ("#e3f2fd", "#1565c0"), ("#fff3e0", "#e65100"), ("#ffebee", "#c62828")];

/// Which [`RAMP`] colour a rank on a scale of `n` levels gets.
pub fn ramp_index(level_rank: Option<(usize, usize)>) -> Option<usize> {
    match level_rank {
        Some((r, n)) if n > 1 => Some(((r.min(n - 1)) * (RAMP.len() - 1) + (n - 1) / 2) / (n - 1)),
        Some(_) => Some(0),
        None => None,
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max { s.to_owned() } else { s.chars().take(max - 1).collect::<String>() + "…" }
}

/// The graph as a standalone `<svg>` element (no script, no external reference), with a
/// legend of the scale. Nodes link to `#anchor`.
pub fn svg(g: &Graph, levels: &[String], title: &str) -> String {
    let p = place(g);
    let max_rank = p.rank.iter().copied().max().unwrap_or(0);
    let mut col_len: BTreeMap<usize, usize> = BTreeMap::new();
    for &r in &p.rank {
        *col_len.entry(r).or_default() += 1;
    }
    let rows = col_len.values().copied().max().unwrap_or(0);
    let width = MARGIN * 2.0 + (max_rank as f64 + 1.0) * NODE_W + max_rank as f64 * COL_GAP;
    let width = width.max(560.0);
    let height = MARGIN * 2.0 + LEGEND_H + rows as f64 * (NODE_H + ROW_GAP);
    let xy = |v: usize| -> (f64, f64) {
        let x = MARGIN + p.rank[v] as f64 * (NODE_W + COL_GAP);
        let y = MARGIN + LEGEND_H + p.pos[v] as f64 * (NODE_H + ROW_GAP);
        (x, y)
    };
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{}" viewBox="0 0 {width:.0} {height:.0}" width="{width:.0}" height="{height:.0}" font-family="system-ui, sans-serif" font-size="11">"#,
        escape(title)
    );
    let _ = write!(
        s,
        r##"<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#78909c"/></marker></defs>"##
    );
    // Legend: the scale, lowest first, then "unknown".
    let mut lx = MARGIN;
    let n = levels.len();
    let legend: Vec<(String, Option<(usize, usize)>)> = levels
        .iter()
        .enumerate()
        .map(|(i, l)| (l.clone(), Some((i, n))))
        .chain(std::iter::once(("unclassified".to_owned(), None)))
        .collect();
    for (name, lr) in legend {
        let (fill, stroke) = colours(lr);
        let _ = write!(
            s,
            r##"<rect x="{lx:.0}" y="{:.0}" width="14" height="14" rx="3" fill="{fill}" stroke="{stroke}"/><text x="{:.0}" y="{:.0}" fill="#37474f">{}</text>"##,
            MARGIN,
            lx + 18.0,
            MARGIN + 11.0,
            escape(&name)
        );
        lx += 30.0 + name.chars().count() as f64 * 6.5;
    }
    for &(f, t, kind) in &g.edges {
        if f >= g.nodes.len() || t >= g.nodes.len() {
            continue;
        }
        let (fx, fy) = xy(f);
        let (tx, ty) = xy(t);
        let (x1, y1) = (fx + NODE_W, fy + NODE_H / 2.0);
        let (x2, y2) = (tx, ty + NODE_H / 2.0);
        let dx = ((x2 - x1).abs() / 2.0).max(30.0);
        let dash = if kind == RelationKind::Calls { r#" stroke-dasharray="5 3""# } else { "" };
        let _ = write!(
            s,
            r##"<path d="M{x1:.1},{y1:.1} C{:.1},{y1:.1} {:.1},{y2:.1} {x2:.1},{y2:.1}" fill="none" stroke="#90a4ae" stroke-width="1.2"{dash} marker-end="url(#arrow)"><title>{}</title></path>"##,
            x1 + dx,
            x2 - dx,
            kind.as_str()
        );
    }
    for (v, node) in g.nodes.iter().enumerate() {
        let (x, y) = xy(v);
        let (fill, stroke) = colours(node.level_rank);
        let level = node.level.as_deref().unwrap_or("unclassified");
        let _ = write!(
            s,
            r##"<a href="#{}"><g><title>{} ({}, {})</title><rect x="{x:.0}" y="{y:.0}" width="{NODE_W:.0}" height="{NODE_H:.0}" rx="6" fill="{fill}" stroke="{stroke}" stroke-width="1.5"/><text x="{:.0}" y="{:.0}" font-weight="600" fill="#212121">{}</text><text x="{:.0}" y="{:.0}" fill="#546e7a">{} · {}</text></g></a>"##,
            escape(&node.anchor),
            escape(&node.label),
            escape(&node.kind),
            escape(level),
            x + 8.0,
            y + 17.0,
            escape(&truncate(&node.label, 30)),
            x + 8.0,
            y + 33.0,
            escape(&truncate(&node.kind, 18)),
            escape(level)
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(label: &str) -> Node {
        Node { label: label.into(), kind: "model".into(), level: None, level_rank: None, anchor: "a".into() }
    }

    fn graph(n: usize, edges: &[(usize, usize)]) -> Graph {
        Graph {
            nodes: (0..n).map(|i| node(&format!("n{i}"))).collect(),
            edges: edges.iter().map(|&(f, t)| (f, t, RelationKind::Uses)).collect(),
        }
    }

    #[test]
    fn a_chain_goes_left_to_right() {
        // data → job → model → endpoint
        let p = place(&graph(4, &[(0, 1), (1, 2), (2, 3)]));
        assert_eq!(p.rank, vec![0, 1, 2, 3]);
    }

    #[test]
    fn longest_path_decides_the_column() {
        // 0 → 1 → 2 and 0 → 2: node 2 sits after 1, not next to 0.
        let p = place(&graph(3, &[(0, 1), (1, 2), (0, 2)]));
        assert_eq!(p.rank, vec![0, 1, 2]);
    }

    #[test]
    fn cycles_terminate_and_every_node_is_placed() {
        let p = place(&graph(3, &[(0, 1), (1, 2), (2, 0)]));
        assert_eq!(p.rank.len(), 3);
        assert!(p.rank.iter().all(|&r| r <= 2));
    }

    #[test]
    fn no_two_nodes_share_a_slot() {
        let edges: Vec<(usize, usize)> = (1..60).map(|i| (i / 3, i)).collect();
        let p = place(&graph(60, &edges));
        let mut slots: Vec<(usize, usize)> = p.rank.iter().copied().zip(p.pos.iter().copied()).collect();
        slots.sort_unstable();
        slots.dedup();
        assert_eq!(slots.len(), 60);
    }

    #[test]
    fn barycentre_uncrosses_two_parallel_chains() {
        // a0 → b1, a2 → b3, with initial order putting b3 above b1 (labels sort "n1" < "n3",
        // so force it by naming). After sweeps, each b sits level with its a.
        let mut g = graph(4, &[(0, 3), (2, 1)]);
        g.nodes[0].label = "a".into();
        g.nodes[2].label = "b".into();
        g.nodes[1].label = "y".into();
        g.nodes[3].label = "x".into();
        let p = place(&g);
        assert_eq!(p.pos[3], p.pos[0], "x follows a");
        assert_eq!(p.pos[1], p.pos[2], "y follows b");
    }

    #[test]
    fn colours_span_the_scale() {
        assert_eq!(colours(Some((0, 4))).1, "#2e7d32");
        assert_eq!(colours(Some((3, 4))).1, "#c62828");
        assert_eq!(colours(Some((2, 3))).1, "#c62828");
        assert_eq!(colours(None).1, "#616161");
    }

    #[test]
    fn svg_escapes_labels_and_links_nodes() {
        let mut g = graph(2, &[(0, 1)]);
        g.nodes[0].label = "<script>alert(1)</script>".into();
        let s = svg(&g, &["public".into()], "t");
        assert!(!s.contains("<script>"));
        assert!(s.contains("&lt;script&gt;"));
        assert!(s.contains(r##"href="#a""##));
    }
}
