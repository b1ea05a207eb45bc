//! Email identity operations: create, get, delete and the default configuration set. An
//! identity is reported verified, with Easy DKIM signing on for domains.

use std::collections::BTreeMap;

use actix_web::web::Path;
use serde::{Deserialize, Serialize};

use crate::model::EmailIdentity;
use crate::protocol::{Empty, EpochSeconds, Input, Region, Reply};
use crate::shapes::{IdentityType, Tag};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct CreateEmailIdentityRequest {
    email_identity: String,
    #[serde(default)]
    tags: Vec<Tag>,
    configuration_set_name: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct CreateEmailIdentityResponse {
    identity_type: IdentityType,
    verified_for_sending_status: bool,
    dkim_attributes: DkimAttributes,
}

/// Easy DKIM as SES reports it once the DNS records are found: signing with 2048-bit
/// keys for a domain, not started for an address.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct DkimAttributes {
    signing_enabled: bool,
    status: &'static str,
    tokens: Vec<String>,
    signing_attributes_origin: &'static str,
    current_signing_key_length: &'static str,
    next_signing_key_length: &'static str,
    last_key_generation_timestamp: EpochSeconds,
}

impl From<&EmailIdentity> for DkimAttributes {
    fn from(identity: &EmailIdentity) -> Self {
        let is_domain = identity.identity_type != IdentityType::EmailAddress;
        Self {
            signing_enabled: is_domain,
            status: if is_domain { "SUCCESS" } else { "NOT_STARTED" },
            tokens: identity.dkim_tokens.clone(),
            signing_attributes_origin: "AWS_SES",
            current_signing_key_length: "RSA_2048_BIT",
            next_signing_key_length: "RSA_2048_BIT",
            last_key_generation_timestamp: identity.created_at.into(),
        }
    }
}

pub(crate) async fn create_email_identity(
    region: Region,
    Input(request): Input<CreateEmailIdentityRequest>,
) -> Reply<CreateEmailIdentityResponse> {
    region.run(|ses| {
        let identity = ses.create_email_identity(
            &request.email_identity,
            request.tags,
            request.configuration_set_name,
        )?;
        Ok(CreateEmailIdentityResponse {
            identity_type: identity.identity_type,
            verified_for_sending_status: true,
            dkim_attributes: identity.into(),
        })
    })
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct GetEmailIdentityResponse {
    identity_type: IdentityType,
    feedback_forwarding_status: bool,
    verified_for_sending_status: bool,
    verification_status: &'static str,
    verification_info: VerificationInfo,
    dkim_attributes: DkimAttributes,
    policies: BTreeMap<String, String>,
    tags: Vec<Tag>,
    #[serde(skip_serializing_if = "Option::is_none")]
    configuration_set_name: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct VerificationInfo {
    last_checked_timestamp: EpochSeconds,
    last_success_timestamp: EpochSeconds,
}

pub(crate) async fn get_email_identity(
    region: Region,
    name: Path<String>,
) -> Reply<GetEmailIdentityResponse> {
    region.run(|ses| {
        let identity = ses.email_identity(&name)?;
        Ok(GetEmailIdentityResponse {
            identity_type: identity.identity_type,
            feedback_forwarding_status: true,
            verified_for_sending_status: true,
            verification_status: "SUCCESS",
            verification_info: VerificationInfo {
                last_checked_timestamp: identity.created_at.into(),
                last_success_timestamp: identity.created_at.into(),
            },
            dkim_attributes: identity.into(),
            policies: BTreeMap::new(),
            tags: identity.tags.clone(),
            configuration_set_name: identity.configuration_set.clone(),
        })
    })
}

pub(crate) async fn delete_email_identity(region: Region, name: Path<String>) -> Reply<Empty> {
    region.run(|ses| ses.delete_email_identity(&name).map(|()| Empty {}))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct PutEmailIdentityConfigurationSetRequest {
    configuration_set_name: Option<String>,
}

pub(crate) async fn put_email_identity_configuration_set_attributes(
    region: Region,
    name: Path<String>,
    Input(request): Input<PutEmailIdentityConfigurationSetRequest>,
) -> Reply<Empty> {
    region.run(|ses| {
        ses.put_email_identity_configuration_set(&name, request.configuration_set_name)
            .map(|()| Empty {})
    })
}
