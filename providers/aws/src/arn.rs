//! ARN and S3 URI helpers. SageMaker lowercases resource names in its ARNs; ids and references
//! built here follow the same rule so lineage edges meet their targets.

/// `arn:{partition}:sagemaker:{region}:{account}:{kind}/{name}` with the name lowercased.
pub fn sagemaker(partition: &str, region: &str, account: &str, kind: &str, name: &str) -> String {
    format!("arn:{partition}:sagemaker:{region}:{account}:{kind}/{}", name.to_ascii_lowercase())
}

/// Normalises an ARN returned by SageMaker (lowercase after the resource type).
pub fn sagemaker_id(arn: &str) -> String {
    match arn.split_once('/') {
        Some((head, rest)) => format!("{head}/{}", rest.to_ascii_lowercase()),
        None => arn.to_owned(),
    }
}

/// The bucket ARN of an `s3://bucket/key` URI (or an `arn:aws:s3:::bucket/...` ARN).
pub fn s3_bucket_arn(partition: &str, uri: &str) -> Option<String> {
    let bucket = if let Some(rest) = uri.strip_prefix("s3://") {
        rest.split('/').next()?
    } else if let Some((_, rest)) = uri.split_once(":s3:::") {
        rest.split('/').next()?
    } else {
        return None;
    };
    (!bucket.is_empty()).then(|| format!("arn:{partition}:s3:::{bucket}"))
}

/// The bucket name of an S3 bucket ARN.
pub fn bucket_name(arn: &str) -> Option<&str> {
    arn.split_once(":s3:::").map(|(_, b)| b).filter(|b| !b.is_empty() && !b.contains('/'))
}

/// The partition of a region.
pub fn partition_of(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else if region.starts_with("us-isof-") {
        "aws-iso-f"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else if region.starts_with("eusc-") {
        "aws-eusc"
    } else {
        "aws"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_uris_map_to_bucket_arns() {
        assert_eq!(s3_bucket_arn("aws", "s3://claims-pii/train/x.csv").as_deref(), Some("arn:aws:s3:::claims-pii"));
        assert_eq!(s3_bucket_arn("aws", "arn:aws:s3:::kb-docs").as_deref(), Some("arn:aws:s3:::kb-docs"));
        assert_eq!(s3_bucket_arn("aws", "https://x"), None);
        assert_eq!(bucket_name("arn:aws:s3:::b1"), Some("b1"));
    }

    #[test]
    fn sagemaker_names_are_lowercased() {
        assert_eq!(
            sagemaker("aws", "us-east-1", "1", "model", "Claims-V3"),
            "arn:aws:sagemaker:us-east-1:1:model/claims-v3"
        );
        assert_eq!(
            sagemaker_id("arn:aws:sagemaker:us-east-1:1:model/Claims-V3"),
            "arn:aws:sagemaker:us-east-1:1:model/claims-v3"
        );
        assert_eq!(partition_of("cn-north-1"), "aws-cn");
    }
}

#[cfg(test)]
mod fuzz {
    use proptest::prelude::*;

    fn text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("arn:".to_owned()),
            Just("aws".to_owned()),
            Just(":s3:::".to_owned()),
            Just("s3://".to_owned()),
            Just("/".to_owned()),
            Just(":".to_owned()),
            "[a-z0-9-]{0,20}",
            any::<String>(),
        ];
        prop::collection::vec(piece, 0..8).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]
        #[test]
        fn reference_parsers_never_panic(s in text()) {
            let _ = super::s3_bucket_arn("aws", &s);
            let _ = super::bucket_name(&s);
            let _ = super::sagemaker_id(&s);
            let _ = super::partition_of(&s);
            let _ = crate::error::kind_of(&s);
        }

        #[test]
        fn every_s3_uri_names_its_bucket(bucket in "[a-z0-9][a-z0-9.-]{2,40}", key in "[A-Za-z0-9/._-]{0,40}") {
            let arn = super::s3_bucket_arn("aws", &format!("s3://{bucket}/{key}"));
            prop_assert_eq!(arn.as_deref().and_then(super::bucket_name), Some(bucket.as_str()));
        }
    }
}
