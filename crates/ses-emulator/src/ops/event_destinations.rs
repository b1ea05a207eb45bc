//! Configuration set event destination operations: create, update, delete and get.

use actix_web::web::Path;
use serde::{Deserialize, Serialize};

use crate::protocol::{Empty, Input, Region, Reply};
use crate::shapes::EventDestinationDefinition;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct CreateEventDestinationRequest {
    event_destination_name: String,
    event_destination: EventDestinationDefinition,
}

pub(crate) async fn create_event_destination(
    region: Region,
    configuration_set: Path<String>,
    Input(request): Input<CreateEventDestinationRequest>,
) -> Reply<Empty> {
    region.run(|ses| {
        ses.create_event_destination(
            &configuration_set,
            &request.event_destination_name,
            request.event_destination,
        )
        .map(|()| Empty {})
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct UpdateEventDestinationRequest {
    event_destination: EventDestinationDefinition,
}

pub(crate) async fn update_event_destination(
    region: Region,
    path: Path<(String, String)>,
    Input(request): Input<UpdateEventDestinationRequest>,
) -> Reply<Empty> {
    let (configuration_set, name) = path.into_inner();
    region.run(|ses| {
        ses.update_event_destination(&configuration_set, &name, request.event_destination)
            .map(|()| Empty {})
    })
}

pub(crate) async fn delete_event_destination(
    region: Region,
    path: Path<(String, String)>,
) -> Reply<Empty> {
    let (configuration_set, name) = path.into_inner();
    region.run(|ses| {
        ses.delete_event_destination(&configuration_set, &name)
            .map(|()| Empty {})
    })
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct GetEventDestinationsResponse {
    event_destinations: Vec<EventDestinationOutput>,
}

/// The `EventDestination` shape: the definition with its name, and `Enabled` and
/// `MatchingEventTypes` always present.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct EventDestinationOutput {
    name: String,
    #[serde(flatten)]
    definition: EventDestinationDefinition,
}

pub(crate) async fn get_event_destinations(
    region: Region,
    configuration_set: Path<String>,
) -> Reply<GetEventDestinationsResponse> {
    region.run(|ses| {
        let set = ses.configuration_set(&configuration_set)?;
        let event_destinations = set
            .event_destinations
            .iter()
            .map(|destination| {
                let mut definition = destination.definition.clone();
                definition.enabled = Some(definition.enabled.unwrap_or(false));
                definition.matching_event_types =
                    Some(definition.matching_event_types.unwrap_or_default());
                EventDestinationOutput {
                    name: destination.name.clone(),
                    definition,
                }
            })
            .collect();
        Ok(GetEventDestinationsResponse { event_destinations })
    })
}
