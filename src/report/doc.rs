//! The report as a small document tree, written once and rendered by both [`super::html`] and
//! [`super::markdown`], so the two formats cannot drift apart.

use aimscope_core::Severity;

use super::{Report, SECTIONS, gap_scope};

#[derive(Debug, Clone, PartialEq)]
pub enum Inline {
    Text(String),
    Strong(String),
    Code(String),
    /// A link to an anchor in this document.
    Link {
        text: String,
        anchor: String,
    },
    /// A coloured label: a severity or classification level.
    Badge {
        text: String,
        class: String,
    },
    /// Secondary detail on a line of its own within a cell.
    Note(String),
}

pub type Cell = Vec<Inline>;

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// Level 2 is a section (with its anchor), 3 a subsection.
    Heading {
        level: u8,
        text: String,
        anchor: Option<String>,
    },
    Para(Vec<Inline>),
    /// Bullet list.
    List(Vec<Vec<Inline>>),
    /// A table; `anchors` gives a row an id to link to.
    Table {
        head: Vec<String>,
        rows: Vec<Vec<Cell>>,
        anchors: Vec<Option<String>>,
    },
    /// Inline SVG (HTML), with a text form for Markdown.
    Figure {
        svg: String,
        text: Vec<String>,
        caption: String,
    },
    /// A collapsed group (HTML `<details>`; Markdown shows it expanded).
    Details {
        summary: Vec<Inline>,
        blocks: Vec<Block>,
    },
}

/// A time as an auditor reads it: to the second, in UTC.
pub fn stamp(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

fn t(s: impl Into<String>) -> Inline {
    Inline::Text(s.into())
}

fn code(s: impl Into<String>) -> Inline {
    Inline::Code(s.into())
}

fn cell(s: impl Into<String>) -> Cell {
    vec![t(s)]
}

/// The date of an RFC 3339 time (what a register reader needs), or "—".
fn day(s: &Option<String>) -> String {
    match s.as_deref() {
        Some(s) if s.len() >= 10 && s.is_char_boundary(10) => s[..10].to_owned(),
        Some(s) => s.to_owned(),
        None => "—".into(),
    }
}

fn opt(s: &Option<String>) -> Cell {
    cell(s.clone().unwrap_or_else(|| "—".into()))
}

fn sev(s: Severity) -> Inline {
    Inline::Badge { text: s.as_str().into(), class: format!("sev-{}", s.as_str()) }
}

fn level(report: &Report, l: &Option<String>) -> Cell {
    match l {
        None => cell("—"),
        Some(l) => {
            let rank = report.levels.iter().position(|x| x.eq_ignore_ascii_case(l));
            let class = match super::layout::ramp_index(rank.map(|r| (r, report.levels.len()))) {
                Some(i) => format!("lvl lvl-{i}"),
                None => "lvl lvl-u".to_owned(),
            };
            vec![Inline::Badge { text: l.clone(), class }]
        }
    }
}

fn section(id: &str) -> Block {
    let title = SECTIONS.iter().find(|(a, _)| *a == id).map(|(_, t)| *t).unwrap_or(id);
    Block::Heading { level: 2, text: title.into(), anchor: Some(id.into()) }
}

fn plain(rows: Vec<Vec<Cell>>, head: &[&str]) -> Block {
    let n = rows.len();
    Block::Table { head: head.iter().map(|s| s.to_string()).collect(), rows, anchors: vec![None; n] }
}

fn asset_link(r: &Report, i: usize) -> Inline {
    let row = &r.register[i];
    Inline::Link { text: row.name.clone(), anchor: row.anchor.clone() }
}

/// The whole report as blocks, section by section in [`SECTIONS`] order.
pub fn blocks(r: &Report) -> Vec<Block> {
    let mut b = Vec::new();
    let c = &r.control;
    let ai_count = r.register.iter().filter(|x| x.is_ai).count();

    // 1. Document control.
    b.push(section("control"));
    let mut rows = vec![
        vec![cell("Organisation"), cell(&c.organisation)],
        vec![cell("AI management system"), cell(&c.aims_name)],
        vec![cell("Document version (scan run id)"), vec![code(&c.version)]],
        vec![cell("Scan started / finished"), cell(format!("{} / {}", stamp(c.scanned_at), stamp(c.finished_at)))],
        vec![cell("Inventory SHA-256"), vec![code(&c.inventory_sha256)]],
        vec![
            cell("Inventory schema / tool"),
            cell(format!("schema {} · aimscope {}", c.schema_version, c.tool_version)),
        ],
        vec![
            cell("Scan complete"),
            cell(if c.complete && r.gaps.is_empty() {
                "yes".to_owned()
            } else {
                format!("no: {} (scope, collector) pairs not fully read, see §11", r.gaps.len())
            }),
        ],
    ];
    match &c.previous {
        Some(p) => {
            rows.push(vec![
                cell("Supersedes"),
                vec![code(&p.run_id), t(p.at.as_deref().map(|a| format!(" ({a})")).unwrap_or_default())],
            ]);
            rows.push(vec![
                cell("Changes since"),
                cell(format!(
                    "{} added, {} changed, {} removed, {} not seen this time (kept, not removed)",
                    p.added, p.changed, p.removed, p.unseen
                )),
            ]);
        }
        None => rows.push(vec![cell("Supersedes"), cell("— (no earlier version in the history given)")]),
    }
    b.push(plain(rows, &["", ""]));

    // 2. Scope statement.
    b.push(section("scope"));
    let clouds: Vec<&str> = r.boundary.clouds.iter().map(|c| c.as_str()).collect();
    b.push(Block::Para(vec![
        t("This draft scope covers the AI found by aimscope in "),
        Inline::Strong(if clouds.is_empty() { "no cloud".into() } else { clouds.join(", ") }),
        t(format!(
            ": {} accounts / subscriptions / projects, {} AI assets in {} AI systems. ",
            r.boundary.scopes.len(),
            ai_count,
            r.systems.iter().filter(|s| s.id.is_some()).count()
        )),
    ]));
    let mut declared = Vec::new();
    if r.boundary.declared_accounts.is_empty() {
        declared.extend([
            t("No accounts are declared in "),
            code("policy.scope_accounts"),
            t(": every scope scanned is treated as in scope. "),
        ]);
    } else {
        declared.push(t(format!("Declared in scope: {}. ", r.boundary.declared_accounts.join(", "))));
    }
    if r.boundary.declared_regions.is_empty() {
        declared.extend([t("No regions are declared in "), code("policy.scope_regions"), t(".")]);
    } else {
        declared.push(t(format!("Declared regions: {}.", r.boundary.declared_regions.join(", "))));
    }
    b.push(Block::Para(declared));
    b.push(Block::Heading { level: 3, text: "Boundary".into(), anchor: None });
    b.push(plain(
        r.boundary
            .scopes
            .iter()
            .map(|s| {
                vec![
                    cell(s.cloud.as_str()),
                    vec![code(&s.account)],
                    cell(if s.regions.is_empty() { "—".into() } else { s.regions.join(", ") }),
                    cell(if s.in_declared_scope { "in scope" } else { "outside declared scope" }),
                    cell(s.ai_assets.to_string()),
                    cell(s.coverage.as_str()),
                ]
            })
            .collect(),
        &["cloud", "account / subscription / project", "regions", "declared", "AI assets", "coverage"],
    ));
    b.push(Block::Heading { level: 3, text: "AI systems".into(), anchor: None });
    b.push(plain(
        r.systems
            .iter()
            .map(|s| {
                let roles: Vec<Inline> = if s.roles.is_empty() {
                    vec![t("— (no training and no model use seen)")]
                } else {
                    s.roles
                        .iter()
                        .enumerate()
                        .flat_map(|(i, (role, why))| {
                            let mut v = vec![Inline::Strong(role.as_str().into()), t(format!(": {why}"))];
                            if i + 1 < s.roles.len() {
                                v.push(t("; "));
                            }
                            v
                        })
                        .collect()
                };
                let stages: Vec<&str> = s.stages.iter().map(|x| x.as_str()).collect();
                vec![
                    vec![Inline::Strong(s.label().into())],
                    opt(&s.purpose),
                    roles,
                    cell(if stages.is_empty() { "—".into() } else { stages.join(", ").replace('_', " ") }),
                    cell(s.assets.len().to_string()),
                    level(r, &s.classification),
                ]
            })
            .collect(),
        &[
            "AI system",
            "intended purpose",
            "ISO/IEC 42001 role (inferred)",
            "life-cycle stages (ISO/IEC 22989)",
            "assets",
            "highest classification",
        ],
    ));
    b.push(Block::Heading { level: 3, text: "Jurisdictions".into(), anchor: None });
    b.push(plain(
        r.boundary
            .jurisdictions
            .iter()
            .map(|j| {
                vec![
                    cell(j.cloud.as_str()),
                    vec![code(&j.region)],
                    cell(&j.country),
                    cell(match j.eu {
                        Some(true) => "yes",
                        Some(false) => "no",
                        None => "unknown",
                    }),
                    cell(j.ai_assets.to_string()),
                ]
            })
            .collect(),
        &["cloud", "region", "country", "EU", "AI assets"],
    ));
    b.push(Block::Heading { level: 3, text: "Exclusions".into(), anchor: None });
    if r.shadow.is_empty() && r.gaps.is_empty() {
        b.push(Block::Para(vec![t(
            "None: no AI outside the declared scope or register, and every scope was read in full.",
        )]));
    }
    if !r.shadow.is_empty() {
        b.push(Block::Para(vec![
            Inline::Strong(format!("Shadow AI ({}).", r.shadow.len())),
            t(" AI found outside the declared scope or the sanctioned register: in the estate, not yet in the AIMS."),
        ]));
        b.push(plain(
            r.shadow
                .iter()
                .map(|s| {
                    let row = &r.register[s.asset];
                    vec![
                        vec![asset_link(r, s.asset)],
                        cell(row.kind.as_str().replace('_', " ")),
                        cell(format!("{} {} {}", row.cloud, row.account, row.region.as_deref().unwrap_or(""))),
                        cell(s.reasons.join("; ")),
                    ]
                })
                .collect(),
            &["asset", "kind", "where", "why"],
        ));
    }
    if !r.gaps.is_empty() {
        b.push(Block::Para(vec![
            Inline::Strong(format!("Not seen ({}).", r.gaps.len())),
            t(" Scopes this scan could not read in full. What they hold is unknown, not absent: see §11."),
        ]));
    }

    // 3. Interested parties.
    b.push(section("parties"));
    let mut items: Vec<Vec<Inline>> = r
        .parties
        .clouds
        .iter()
        .map(|(c, vendor)| vec![Inline::Strong((*vendor).into()), t(format!(" — cloud provider ({c})"))])
        .collect();
    for (provider, consumers) in &r.parties.outside {
        let list: Vec<&str> = consumers.iter().map(String::as_str).collect();
        items.push(vec![
            Inline::Strong(provider.clone()),
            t(format!(" — outside AI provider, called by {}", list.join(", "))),
        ]);
    }
    if !r.parties.data_categories.is_empty() {
        let cats: Vec<String> = r.parties.data_categories.iter().map(|(l, n)| format!("{l} ({n})")).collect();
        items.push(vec![
            Inline::Strong("Data subjects and owners".into()),
            t(format!(" of the data categories found: {}", cats.join(", "))),
        ]);
    }
    b.push(Block::List(items));

    // 4. Register.
    b.push(section("register"));
    b.push(Block::Para(vec![t(format!(
        "{} assets ({} AI). Effective classification is the highest of the asset's own label and everything it was trained on or serves, with the path that explains it.",
        r.register.len(),
        ai_count
    ))]));
    let rows: Vec<&super::RegisterRow> = r.register.iter().collect();
    b.push(Block::Table {
        // Eight columns, secondary facts under the main one, so the register reads on a screen
        // without scrolling sideways and still prints on one page width.
        head: [
            "asset",
            "kind · stage",
            "where",
            "owner · AI system",
            "classification (declared → effective, why)",
            "base model / provider",
            "registry · network",
            "first seen · last changed",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        rows: rows
            .iter()
            .map(|x| {
                let mut class = vec![t(format!("{} → ", x.declared.as_deref().unwrap_or("—")))];
                class.extend(level(r, &x.effective));
                class.extend(x.explanation.clone().map(Inline::Note));
                let mut gov = vec![t(match x.registry {
                    Some(true) => "in model registry",
                    Some(false) => "not in a model registry",
                    None => "—",
                })];
                gov.extend(x.exposure.clone().map(Inline::Note));
                vec![
                    vec![Inline::Strong(x.name.clone()), t(" "), code(&x.id)],
                    vec![
                        t(x.kind.as_str().replace('_', " ")),
                        Inline::Note(x.stage.map(|s| s.as_str().replace('_', " ")).unwrap_or_else(|| "—".into())),
                    ],
                    vec![
                        t(format!("{} ", x.cloud)),
                        code(&x.account),
                        Inline::Note(x.region.clone().unwrap_or_else(|| "—".into())),
                    ],
                    vec![
                        t(x.owner.clone().unwrap_or_else(|| "—".into())),
                        Inline::Note(match &x.system {
                            Some(s) => format!("system: {s}"),
                            None => "no AI system tag".into(),
                        }),
                    ],
                    class,
                    opt(&x.base),
                    gov,
                    vec![t(day(&x.first_seen)), Inline::Note(day(&x.last_changed))],
                ]
            })
            .collect(),
        anchors: rows.iter().map(|x| Some(x.anchor.clone())).collect(),
    });

    // 5. Data resources.
    b.push(section("data"));
    if r.data.is_empty() {
        b.push(Block::Para(vec![t("No data resources found.")]));
    } else {
        b.push(plain(
            r.data
                .iter()
                .map(|d| {
                    let x = &r.register[d.asset];
                    let mut users: Vec<Inline> = Vec::new();
                    for (k, &u) in d.used_by.iter().enumerate() {
                        if k > 0 {
                            users.push(t(", "));
                        }
                        users.push(asset_link(r, u));
                    }
                    if users.is_empty() {
                        users.push(t("—"));
                    }
                    vec![
                        vec![asset_link(r, d.asset)],
                        cell(x.kind.as_str().replace('_', " ")),
                        cell(format!("{} {} {}", x.cloud, x.account, x.region.as_deref().unwrap_or(""))),
                        opt(&x.declared),
                        level(r, &x.effective),
                        users,
                    ]
                })
                .collect(),
            &["data resource", "kind", "where", "declared", "effective", "used by"],
        ));
    }

    // 6. Lineage.
    b.push(section("lineage"));
    if r.lineage.is_empty() {
        b.push(Block::Para(vec![t("No lineage relations found.")]));
    }
    for l in &r.lineage {
        b.push(Block::Heading { level: 3, text: format!("AI system {}", l.system), anchor: None });
        let g = &l.graph;
        let text: Vec<String> = g
            .edges
            .iter()
            .map(|&(f, to, kind)| {
                format!(
                    "{} ({}) → {} ({}) [{}]",
                    g.nodes[f].label,
                    g.nodes[f].kind,
                    g.nodes[to].label,
                    g.nodes[to].kind,
                    kind.as_str()
                )
            })
            .collect();
        b.push(Block::Figure {
            svg: super::layout::svg(g, &r.levels, &format!("Lineage of AI system {}", l.system)),
            text,
            caption: format!(
                "{} assets, {} relations; colour = effective classification",
                g.nodes.len(),
                g.edges.len()
            ),
        });
    }

    // 7. Third-party AI.
    b.push(section("third-party"));
    if r.third_party.is_empty() {
        b.push(Block::Para(vec![t(
            "No use of outside AI services found by secret, setting, connection or image names.",
        )]));
    } else {
        let sensitive: Vec<String> = r
            .third_party
            .iter()
            .filter(|x| x.sensitive)
            .map(|x| format!("{} ({}, via {})", x.provider, x.classification.as_deref().unwrap_or("?"), x.consumer))
            .collect();
        if !sensitive.is_empty() {
            b.push(Block::Para(vec![
                Inline::Strong("Outside providers receiving sensitive data: ".into()),
                t(sensitive.join("; ")),
                t(". Check that each contract stops the provider from training on or retaining this data."),
            ]));
        }
        b.push(plain(
            r.third_party
                .iter()
                .map(|x| {
                    vec![
                        vec![Inline::Strong(x.provider.clone())],
                        cell(x.signals.join("; ")),
                        vec![asset_link(r, x.usage), t(format!(" ({})", x.consumer))],
                        cell(match x.approved {
                            Some(true) => "approved",
                            Some(false) => "NOT approved",
                            None => "no approved list",
                        }),
                        level(r, &x.classification),
                    ]
                })
                .collect(),
            &["provider", "signal (names only, never values)", "consumer", "approved", "data that flows to it"],
        ));
    }

    // 8. Findings.
    b.push(section("findings"));
    b.push(Block::Para(
        r.findings.by_severity.iter().flat_map(|(s, n)| vec![sev(*s), t(format!(" {n}   "))]).collect(),
    ));
    for g in &r.findings.rules {
        let mut hits: Vec<Vec<Inline>> = Vec::new();
        for (a, msg) in &g.hits {
            let mut line = Vec::new();
            if let Some(i) = a {
                line.push(asset_link(r, *i));
                line.push(t(": "));
            }
            line.push(t(msg.clone()));
            hits.push(line);
        }
        b.push(Block::Details {
            summary: vec![
                sev(g.severity),
                t(" "),
                code(&g.rule_id),
                t(format!(" — {} ({} asset(s); {})", g.title, g.hits.len(), g.controls.join(", "))),
            ],
            blocks: vec![Block::List(hits)],
        });
    }
    if r.findings.rules.is_empty() {
        b.push(Block::Para(vec![t("No findings.")]));
    }

    // 9. Statement of Applicability.
    b.push(section("soa"));
    b.push(Block::Para(vec![t(
        "Every Annex A control, with what this scan offers as evidence. \"Manual\" controls need evidence a cloud scan cannot give (policies, processes, assessments). Applicability and justification are for the organisation to decide.",
    )]));
    b.push(plain(
        r.soa
            .iter()
            .map(|s| {
                vec![
                    vec![code(s.control.id)],
                    cell(s.control.title),
                    if s.evidence.is_empty() {
                        vec![Inline::Badge { text: "manual".into(), class: "manual".into() }]
                    } else {
                        cell(s.evidence.join("; "))
                    },
                ]
            })
            .collect(),
        &["control", "subject", "evidence from this scan"],
    ));

    // 10. RACI.
    b.push(section("raci"));
    let join = |s: &std::collections::BTreeSet<String>| -> Cell {
        if s.is_empty() { cell("—") } else { cell(s.iter().cloned().collect::<Vec<_>>().join(", ")) }
    };
    b.push(plain(
        r.systems
            .iter()
            .map(|s| {
                let mut acc = join(&s.raci.accountable);
                if s.raci.accountable.is_empty() {
                    acc = vec![Inline::Badge { text: "no accountable owner".into(), class: "sev-high".into() }];
                }
                vec![
                    vec![Inline::Strong(s.label().into())],
                    join(&s.raci.responsible),
                    acc,
                    join(&s.raci.consulted),
                    join(&s.raci.informed),
                ]
            })
            .collect(),
        &["AI system", "responsible", "accountable", "consulted", "informed"],
    ));

    // 11. Coverage.
    b.push(section("coverage"));
    if r.gaps.is_empty() {
        b.push(Block::Para(vec![t("Every (scope, collector) pair was read in full.")]));
    } else {
        b.push(plain(
            r.gaps
                .iter()
                .map(|g| vec![cell(gap_scope(g)), vec![code(&g.collector)], cell(g.status.as_str()), cell(&g.reason)])
                .collect(),
            &["scope", "collector", "status", "reason"],
        ));
    }
    b
}
