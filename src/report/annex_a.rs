//! The controls of ISO/IEC 42001:2023 Annex A, by id, with short titles in our own words (the
//! standard's text is not reproduced). The Statement of Applicability lists every one of them.

/// One Annex A control.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Control {
    pub id: &'static str,
    pub title: &'static str,
}

const fn c(id: &'static str, title: &'static str) -> Control {
    Control { id, title }
}

/// Every control, in the standard's order.
pub const CONTROLS: &[Control] = &[
    c("A.2.2", "A documented policy for AI"),
    c("A.2.3", "AI policy aligned with the organisation's other policies"),
    c("A.2.4", "Planned review of the AI policy"),
    c("A.3.2", "Roles and responsibilities for AI defined and allocated"),
    c("A.3.3", "A way to report concerns about AI systems"),
    c("A.4.2", "Resources of each AI system identified and documented"),
    c("A.4.3", "Data resources documented"),
    c("A.4.4", "Tooling resources documented"),
    c("A.4.5", "System and computing resources documented"),
    c("A.4.6", "Human resources and competences documented"),
    c("A.5.2", "A process for assessing AI system impacts"),
    c("A.5.3", "Impact assessments documented and retained"),
    c("A.5.4", "Impacts on individuals and groups assessed"),
    c("A.5.5", "Societal impacts assessed"),
    c("A.6.1.2", "Objectives for responsible development"),
    c("A.6.1.3", "Processes for responsible design and development"),
    c("A.6.2.2", "Requirements and specification of AI systems"),
    c("A.6.2.3", "Design and development documented"),
    c("A.6.2.4", "Verification and validation"),
    c("A.6.2.5", "Deployment planned and controlled"),
    c("A.6.2.6", "Operation and monitoring"),
    c("A.6.2.7", "Technical documentation kept"),
    c("A.6.2.8", "Event logs recorded"),
    c("A.7.2", "Data for development and enhancement managed"),
    c("A.7.3", "Acquisition of data"),
    c("A.7.4", "Quality of data"),
    c("A.7.5", "Data provenance recorded"),
    c("A.7.6", "Data preparation"),
    c("A.8.2", "Documentation and information for users"),
    c("A.8.3", "External reporting of adverse impacts"),
    c("A.8.4", "Communication of incidents"),
    c("A.8.5", "Information for interested parties"),
    c("A.9.2", "Processes for responsible use"),
    c("A.9.3", "Objectives for responsible use"),
    c("A.9.4", "Use according to intended purpose"),
    c("A.10.2", "Responsibilities allocated across the supply chain"),
    c("A.10.3", "Suppliers of AI services and components"),
    c("A.10.4", "Obligations towards customers"),
];

/// The Annex A group a control belongs to (`A.6.2.3` → `A.6`).
pub fn group(id: &str) -> &str {
    let mut dots = id.match_indices('.').map(|(i, _)| i);
    match (dots.next(), dots.next()) {
        (Some(_), Some(second)) => &id[..second],
        _ => id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thirty_eight_controls_each_once() {
        let mut ids: Vec<&str> = CONTROLS.iter().map(|c| c.id).collect();
        assert_eq!(ids.len(), 38);
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 38);
    }

    #[test]
    fn every_policy_rule_names_real_controls() {
        for rule in crate::policy::RULES {
            for c in rule.controls {
                assert!(CONTROLS.iter().any(|k| k.id == *c), "rule {} names unknown control {c}", rule.id);
            }
        }
    }

    #[test]
    fn groups() {
        assert_eq!(group("A.6.2.3"), "A.6");
        assert_eq!(group("A.10.3"), "A.10");
        assert_eq!(group("A.2"), "A.2");
    }
}
