//! Configuration set operations: create, get, list, delete and VDM options.

use std::collections::BTreeMap;

use actix_web::web::Path;
use serde::{Deserialize, Serialize};

use crate::pagination::PageRequest;
use crate::protocol::{Empty, Input, Region, Reply};
use crate::shapes::{ConfigurationSetSettings, Tag, VdmOptions};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct CreateConfigurationSetRequest {
    configuration_set_name: String,
    #[serde(default)]
    tags: Vec<Tag>,
    #[serde(flatten)]
    settings: ConfigurationSetSettings,
}

pub(crate) async fn create_configuration_set(
    region: Region,
    Input(request): Input<CreateConfigurationSetRequest>,
) -> Reply<Empty> {
    region.run(|ses| {
        ses.create_configuration_set(
            &request.configuration_set_name,
            request.tags,
            request.settings,
        )
        .map(|()| Empty {})
    })
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct GetConfigurationSetResponse {
    configuration_set_name: String,
    tags: Vec<Tag>,
    #[serde(flatten)]
    settings: ConfigurationSetSettings,
}

pub(crate) async fn get_configuration_set(
    region: Region,
    name: Path<String>,
) -> Reply<GetConfigurationSetResponse> {
    region.run(|ses| {
        let set = ses.configuration_set(&name)?;
        Ok(GetConfigurationSetResponse {
            configuration_set_name: set.name.clone(),
            tags: set.tags.clone(),
            settings: set.settings.clone(),
        })
    })
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum ConfigurationSetFilterKey {
    ConfigurationSetNameContains,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ListConfigurationSetsRequest {
    #[serde(default)]
    filter: BTreeMap<ConfigurationSetFilterKey, String>,
    #[serde(flatten)]
    page: PageRequest,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ListConfigurationSetsResponse {
    configuration_sets: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

pub(crate) async fn list_configuration_sets(
    region: Region,
    Input(request): Input<ListConfigurationSetsRequest>,
) -> Reply<ListConfigurationSetsResponse> {
    let name_contains = request
        .filter
        .get(&ConfigurationSetFilterKey::ConfigurationSetNameContains);
    region.run(|ses| {
        let page = ses
            .list_configuration_sets(name_contains.map(String::as_str), &request.page)?
            .map(|set| set.name.clone());
        Ok(ListConfigurationSetsResponse {
            configuration_sets: page.items,
            next_token: page.next_token,
        })
    })
}

pub(crate) async fn delete_configuration_set(region: Region, name: Path<String>) -> Reply<Empty> {
    region.run(|ses| ses.delete_configuration_set(&name).map(|()| Empty {}))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct PutConfigurationSetVdmOptionsRequest {
    vdm_options: Option<VdmOptions>,
}

pub(crate) async fn put_configuration_set_vdm_options(
    region: Region,
    name: Path<String>,
    Input(request): Input<PutConfigurationSetVdmOptionsRequest>,
) -> Reply<Empty> {
    region.run(|ses| {
        ses.put_configuration_set_vdm_options(&name, request.vdm_options)
            .map(|()| Empty {})
    })
}
