//! Where cloud regions sit: country and EU membership, for the scope statement's jurisdictions.
//! Kept by hand from the providers' published region lists; an unknown region says so rather
//! than guessing from its name.

use aimscope_core::Cloud;

/// A region's jurisdiction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Jurisdiction {
    /// ISO 3166-1 alpha-2 code (`US`, `IE`, ...); `None` for global / multi-country locations.
    pub country: Option<&'static str>,
    pub country_name: &'static str,
    pub eu: bool,
}

const fn j(country: &'static str, country_name: &'static str, eu: bool) -> Jurisdiction {
    Jurisdiction { country: Some(country), country_name, eu }
}

const US: Jurisdiction = j("US", "United States", false);
const CA: Jurisdiction = j("CA", "Canada", false);
const BR: Jurisdiction = j("BR", "Brazil", false);
const MX: Jurisdiction = j("MX", "Mexico", false);
const CL: Jurisdiction = j("CL", "Chile", false);
const IE: Jurisdiction = j("IE", "Ireland", true);
const GB: Jurisdiction = j("GB", "United Kingdom", false);
const FR: Jurisdiction = j("FR", "France", true);
const DE: Jurisdiction = j("DE", "Germany", true);
const NL: Jurisdiction = j("NL", "Netherlands", true);
const BE: Jurisdiction = j("BE", "Belgium", true);
const SE: Jurisdiction = j("SE", "Sweden", true);
const FI: Jurisdiction = j("FI", "Finland", true);
const IT: Jurisdiction = j("IT", "Italy", true);
const ES: Jurisdiction = j("ES", "Spain", true);
const PL: Jurisdiction = j("PL", "Poland", true);
const AT: Jurisdiction = j("AT", "Austria", true);
const CH: Jurisdiction = j("CH", "Switzerland", false);
const NO: Jurisdiction = j("NO", "Norway", false);
const BH: Jurisdiction = j("BH", "Bahrain", false);
const AE: Jurisdiction = j("AE", "United Arab Emirates", false);
const QA: Jurisdiction = j("QA", "Qatar", false);
const SA: Jurisdiction = j("SA", "Saudi Arabia", false);
const IL: Jurisdiction = j("IL", "Israel", false);
const ZA: Jurisdiction = j("ZA", "South Africa", false);
const HK: Jurisdiction = j("HK", "Hong Kong", false);
const TW: Jurisdiction = j("TW", "Taiwan", false);
const IN: Jurisdiction = j("IN", "India", false);
const SG: Jurisdiction = j("SG", "Singapore", false);
const ID: Jurisdiction = j("ID", "Indonesia", false);
const MY: Jurisdiction = j("MY", "Malaysia", false);
const TH: Jurisdiction = j("TH", "Thailand", false);
const AU: Jurisdiction = j("AU", "Australia", false);
const NZ: Jurisdiction = j("NZ", "New Zealand", false);
const JP: Jurisdiction = j("JP", "Japan", false);
const KR: Jurisdiction = j("KR", "South Korea", false);
const CN: Jurisdiction = j("CN", "China", false);
const GLOBAL: Jurisdiction = Jurisdiction { country: None, country_name: "global (no single jurisdiction)", eu: false };
const EU_MULTI: Jurisdiction = Jurisdiction { country: None, country_name: "EU multi-region", eu: true };

#[rustfmt::skip]
const AWS: &[(&str, Jurisdiction)] = &[
    ("us-east-1", US), ("us-east-2", US), ("us-west-1", US), ("us-west-2", US),
    ("us-gov-east-1", US), ("us-gov-west-1", US),
    ("ca-central-1", CA), ("ca-west-1", CA), ("mx-central-1", MX), ("sa-east-1", BR),
    ("eu-west-1", IE), ("eu-west-2", GB), ("eu-west-3", FR), ("eu-central-1", DE), ("eu-central-2", CH),
    ("eu-north-1", SE), ("eu-south-1", IT), ("eu-south-2", ES),
    ("me-south-1", BH), ("me-central-1", AE), ("il-central-1", IL), ("af-south-1", ZA),
    ("ap-east-1", HK), ("ap-east-2", TW), ("ap-south-1", IN), ("ap-south-2", IN),
    ("ap-southeast-1", SG), ("ap-southeast-2", AU), ("ap-southeast-3", ID), ("ap-southeast-4", AU),
    ("ap-southeast-5", MY), ("ap-southeast-6", NZ), ("ap-southeast-7", TH),
    ("ap-northeast-1", JP), ("ap-northeast-2", KR), ("ap-northeast-3", JP),
    ("cn-north-1", CN), ("cn-northwest-1", CN),
];

#[rustfmt::skip]
const AZURE: &[(&str, Jurisdiction)] = &[
    ("eastus", US), ("eastus2", US), ("westus", US), ("westus2", US), ("westus3", US), ("centralus", US),
    ("northcentralus", US), ("southcentralus", US), ("westcentralus", US),
    ("usgovvirginia", US), ("usgovarizona", US), ("usgovtexas", US),
    ("canadacentral", CA), ("canadaeast", CA), ("brazilsouth", BR), ("mexicocentral", MX), ("chilecentral", CL),
    ("northeurope", IE), ("westeurope", NL), ("uksouth", GB), ("ukwest", GB), ("francecentral", FR),
    ("francesouth", FR), ("germanywestcentral", DE), ("germanynorth", DE), ("swedencentral", SE),
    ("switzerlandnorth", CH), ("switzerlandwest", CH), ("norwayeast", NO), ("norwaywest", NO),
    ("italynorth", IT), ("polandcentral", PL), ("spaincentral", ES), ("austriaeast", AT),
    ("uaenorth", AE), ("uaecentral", AE), ("qatarcentral", QA), ("israelcentral", IL),
    ("southafricanorth", ZA), ("southafricawest", ZA),
    ("eastasia", HK), ("southeastasia", SG), ("centralindia", IN), ("southindia", IN), ("westindia", IN),
    ("indonesiacentral", ID), ("malaysiawest", MY), ("australiaeast", AU), ("australiasoutheast", AU),
    ("australiacentral", AU), ("newzealandnorth", NZ), ("japaneast", JP), ("japanwest", JP),
    ("koreacentral", KR), ("koreasouth", KR), ("chinanorth3", CN), ("chinaeast2", CN),
    ("global", GLOBAL),
];

#[rustfmt::skip]
const GCP: &[(&str, Jurisdiction)] = &[
    ("us-central1", US), ("us-east1", US), ("us-east4", US), ("us-east5", US), ("us-south1", US),
    ("us-west1", US), ("us-west2", US), ("us-west3", US), ("us-west4", US), ("us", US),
    ("northamerica-northeast1", CA), ("northamerica-northeast2", CA), ("northamerica-south1", MX),
    ("southamerica-east1", BR), ("southamerica-west1", CL),
    ("europe-west1", BE), ("europe-west2", GB), ("europe-west3", DE), ("europe-west4", NL),
    ("europe-west6", CH), ("europe-west8", IT), ("europe-west9", FR), ("europe-west10", DE),
    ("europe-west12", IT), ("europe-north1", FI), ("europe-north2", SE), ("europe-central2", PL),
    ("europe-southwest1", ES), ("eu", EU_MULTI),
    ("me-west1", IL), ("me-central1", QA), ("me-central2", SA), ("africa-south1", ZA),
    ("asia-east1", TW), ("asia-east2", HK), ("asia-northeast1", JP), ("asia-northeast2", JP),
    ("asia-northeast3", KR), ("asia-south1", IN), ("asia-south2", IN), ("asia-southeast1", SG),
    ("asia-southeast2", ID), ("australia-southeast1", AU), ("australia-southeast2", AU),
    ("global", GLOBAL),
];

/// The jurisdiction of `region` in `cloud`, if the map knows it.
pub fn jurisdiction(cloud: Cloud, region: &str) -> Option<Jurisdiction> {
    let table = match cloud {
        Cloud::Aws => AWS,
        Cloud::Azure => AZURE,
        Cloud::Gcp => GCP,
    };
    let r = region.trim().to_ascii_lowercase();
    table.iter().find(|(name, _)| *name == r).map(|(_, j)| *j)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_regions_resolve_and_unknown_ones_do_not_guess() {
        assert_eq!(jurisdiction(Cloud::Aws, "eu-west-1").map(|j| (j.country, j.eu)), Some((Some("IE"), true)));
        assert_eq!(jurisdiction(Cloud::Aws, "eu-west-2").map(|j| j.eu), Some(false), "the UK left the EU");
        assert_eq!(jurisdiction(Cloud::Azure, "WestEurope").map(|j| j.country), Some(Some("NL")));
        assert_eq!(jurisdiction(Cloud::Gcp, "europe-west4").map(|j| j.eu), Some(true));
        assert_eq!(jurisdiction(Cloud::Gcp, "global").map(|j| j.country), Some(None));
        assert!(jurisdiction(Cloud::Aws, "eu-moon-1").is_none());
    }

    #[test]
    fn tables_have_no_duplicate_regions() {
        for table in [AWS, AZURE, GCP] {
            let mut names: Vec<&str> = table.iter().map(|(n, _)| *n).collect();
            names.sort_unstable();
            let before = names.len();
            names.dedup();
            assert_eq!(before, names.len());
        }
    }
}
