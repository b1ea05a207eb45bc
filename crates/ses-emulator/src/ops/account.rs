//! Account operations: `GetAccount` (a healthy production account with SES's usual
//! default quota) and `PutAccountVdmAttributes`.

use chrono::{TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::protocol::{Empty, Input, Region, Reply};
use crate::shapes::{FeatureStatus, VdmAttributes};

/// The daily quota and rate of a typical account out of the sandbox.
const MAX_24_HOUR_SEND: f64 = 50_000.0;
const MAX_SEND_RATE: f64 = 14.0;

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct GetAccountResponse {
    dedicated_ip_auto_warmup_enabled: bool,
    enforcement_status: &'static str,
    production_access_enabled: bool,
    sending_enabled: bool,
    send_quota: SendQuota,
    suppression_attributes: SuppressionAttributes,
    vdm_attributes: VdmAttributes,
    details: AccountDetails,
}

#[derive(Debug, Serialize)]
struct SendQuota {
    #[serde(rename = "Max24HourSend")]
    max_24_hour_send: f64,
    #[serde(rename = "MaxSendRate")]
    max_send_rate: f64,
    #[serde(rename = "SentLast24Hours")]
    sent_last_24_hours: f64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct SuppressionAttributes {
    suppressed_reasons: [&'static str; 2],
}

#[derive(Debug, Serialize)]
struct AccountDetails {
    #[serde(rename = "MailType")]
    mail_type: &'static str,
    #[serde(rename = "WebsiteURL")]
    website_url: &'static str,
    #[serde(rename = "ContactLanguage")]
    contact_language: &'static str,
    #[serde(rename = "ReviewDetails")]
    review_details: ReviewDetails,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct ReviewDetails {
    status: &'static str,
    case_id: &'static str,
}

pub(crate) async fn get_account(region: Region) -> Reply<GetAccountResponse> {
    region.run(|ses| {
        let sent = ses.recipients_sent_since(Utc::now() - TimeDelta::hours(24));
        Ok(GetAccountResponse {
            dedicated_ip_auto_warmup_enabled: false,
            enforcement_status: "HEALTHY",
            production_access_enabled: true,
            sending_enabled: true,
            send_quota: SendQuota {
                max_24_hour_send: MAX_24_HOUR_SEND,
                max_send_rate: MAX_SEND_RATE,
                // Exact: any realistic count is far below 2^53.
                sent_last_24_hours: sent as f64,
            },
            suppression_attributes: SuppressionAttributes {
                suppressed_reasons: ["BOUNCE", "COMPLAINT"],
            },
            // SES reports VDM as disabled until it is switched on.
            vdm_attributes: ses
                .account_vdm_attributes()
                .cloned()
                .unwrap_or(VdmAttributes {
                    vdm_enabled: FeatureStatus::Disabled,
                    dashboard_attributes: None,
                    guardian_attributes: None,
                }),
            details: AccountDetails {
                mail_type: "TRANSACTIONAL",
                website_url: "https://example.com",
                contact_language: "EN",
                review_details: ReviewDetails {
                    status: "GRANTED",
                    case_id: "emulator",
                },
            },
        })
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct PutAccountVdmAttributesRequest {
    vdm_attributes: VdmAttributes,
}

pub(crate) async fn put_account_vdm_attributes(
    region: Region,
    Input(request): Input<PutAccountVdmAttributesRequest>,
) -> Reply<Empty> {
    region.run(|ses| {
        ses.put_account_vdm_attributes(request.vdm_attributes);
        Ok(Empty {})
    })
}
