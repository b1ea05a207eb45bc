//! Configuration sets and their event destinations.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{RegionState, rules};
use crate::error::SesError;
use crate::pagination::{Page, PageRequest, STANDARD_PAGES, paginate};
use crate::shapes::{ConfigurationSetSettings, EventDestinationDefinition, Tag, VdmOptions};

/// SES's default quota of configuration sets per region.
const MAX_CONFIGURATION_SETS: usize = 10_000;
/// SES allows ten event destinations per configuration set.
const MAX_EVENT_DESTINATIONS: usize = 10;

/// An SES configuration set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConfigurationSet {
    /// The name, unique in the region.
    pub name: String,
    /// `arn:aws:ses:{region}:{account}:configuration-set/{name}`
    pub arn: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// Its tags.
    pub tags: Vec<Tag>,
    /// Its settings (VDM options among them), in SES's spelling.
    pub settings: ConfigurationSetSettings,
    /// Its event destinations, oldest first.
    pub event_destinations: Vec<EventDestination>,
}

impl ConfigurationSet {
    /// Whether sends through this configuration set are allowed.
    pub fn sending_enabled(&self) -> bool {
        self.settings
            .sending_options
            .as_ref()
            .and_then(|options| options.sending_enabled)
            .unwrap_or(true)
    }

    fn event_destination_index(&self, name: &str) -> Result<usize, SesError> {
        self.event_destinations
            .iter()
            .position(|destination| destination.name == name)
            .ok_or_else(|| {
                SesError::NotFound(format!(
                    "Event destination {name} does not exist in configuration set {}.",
                    self.name
                ))
            })
    }
}

/// A named event destination of a configuration set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventDestination {
    /// The name, unique in its configuration set.
    pub name: String,
    /// What is published where, in SES's spelling.
    pub definition: EventDestinationDefinition,
}

impl RegionState {
    /// `CreateConfigurationSet`.
    ///
    /// # Errors
    /// `BadRequestException` for a bad name or tags, `AlreadyExistsException` when the name
    /// is taken, `LimitExceededException` at the region's quota.
    pub(crate) fn create_configuration_set(
        &mut self,
        name: &str,
        tags: Vec<Tag>,
        settings: ConfigurationSetSettings,
    ) -> Result<(), SesError> {
        rules::resource_name("ConfigurationSetName", name)?;
        rules::tags(&tags)?;
        if self.configuration_sets.contains_key(name) {
            return Err(SesError::AlreadyExists(format!(
                "Configuration set {name} already exists."
            )));
        }
        if self.configuration_sets.len() >= MAX_CONFIGURATION_SETS {
            return Err(SesError::LimitExceeded(format!(
                "The maximum number of configuration sets ({MAX_CONFIGURATION_SETS}) has been \
                 reached."
            )));
        }
        let configuration_set = ConfigurationSet {
            name: name.to_owned(),
            arn: self.scope.configuration_set_arn(name),
            created_at: Utc::now(),
            tags,
            settings,
            event_destinations: Vec::new(),
        };
        self.configuration_sets
            .insert(name.to_owned(), configuration_set);
        Ok(())
    }

    /// `GetConfigurationSet`.
    ///
    /// # Errors
    /// `NotFoundException` for an unknown configuration set.
    pub(crate) fn configuration_set(&self, name: &str) -> Result<&ConfigurationSet, SesError> {
        self.configuration_sets
            .get(name)
            .ok_or_else(|| configuration_set_not_found(name))
    }

    fn configuration_set_mut(&mut self, name: &str) -> Result<&mut ConfigurationSet, SesError> {
        self.configuration_sets
            .get_mut(name)
            .ok_or_else(|| configuration_set_not_found(name))
    }

    /// `ListConfigurationSets`, ordered by name.
    pub(crate) fn list_configuration_sets(
        &self,
        name_contains: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<&ConfigurationSet>, SesError> {
        let matching = self
            .configuration_sets
            .values()
            .filter(|set| name_contains.is_none_or(|part| set.name.contains(part)));
        paginate(matching, |set| set.name.as_str(), page, STANDARD_PAGES)
    }

    /// `DeleteConfigurationSet`.
    ///
    /// # Errors
    /// `NotFoundException` for an unknown configuration set, `BadRequestException` while it
    /// is associated with a tenant.
    pub(crate) fn delete_configuration_set(&mut self, name: &str) -> Result<(), SesError> {
        let arn = self.configuration_set(name)?.arn.clone();
        self.ensure_unassociated(&arn)?;
        self.configuration_sets.remove(name);
        Ok(())
    }

    /// `PutConfigurationSetVdmOptions`: replaces the VDM options (`None` removes them).
    ///
    /// # Errors
    /// `NotFoundException` for an unknown configuration set.
    pub(crate) fn put_configuration_set_vdm_options(
        &mut self,
        name: &str,
        options: Option<VdmOptions>,
    ) -> Result<(), SesError> {
        self.configuration_set_mut(name)?.settings.vdm_options = options;
        Ok(())
    }

    /// `CreateConfigurationSetEventDestination`.
    ///
    /// # Errors
    /// `NotFoundException` for an unknown configuration set, `AlreadyExistsException` for a
    /// taken name, `LimitExceededException` beyond ten destinations, `BadRequestException`
    /// for a bad name or definition.
    pub(crate) fn create_event_destination(
        &mut self,
        configuration_set: &str,
        name: &str,
        definition: EventDestinationDefinition,
    ) -> Result<(), SesError> {
        rules::resource_name("EventDestinationName", name)?;
        check_definition(&definition)?;
        let set = self.configuration_set_mut(configuration_set)?;
        if set.event_destination_index(name).is_ok() {
            return Err(SesError::AlreadyExists(format!(
                "Event destination {name} already exists in configuration set \
                 {configuration_set}."
            )));
        }
        if set.event_destinations.len() >= MAX_EVENT_DESTINATIONS {
            return Err(SesError::LimitExceeded(format!(
                "A configuration set can have at most {MAX_EVENT_DESTINATIONS} event \
                 destinations."
            )));
        }
        set.event_destinations.push(EventDestination {
            name: name.to_owned(),
            definition,
        });
        Ok(())
    }

    /// `UpdateConfigurationSetEventDestination`: replaces the definition.
    ///
    /// # Errors
    /// `NotFoundException` for an unknown configuration set or destination,
    /// `BadRequestException` for a bad definition.
    pub(crate) fn update_event_destination(
        &mut self,
        configuration_set: &str,
        name: &str,
        definition: EventDestinationDefinition,
    ) -> Result<(), SesError> {
        check_definition(&definition)?;
        let set = self.configuration_set_mut(configuration_set)?;
        let index = set.event_destination_index(name)?;
        set.event_destinations[index].definition = definition;
        Ok(())
    }

    /// `DeleteConfigurationSetEventDestination`.
    ///
    /// # Errors
    /// `NotFoundException` for an unknown configuration set or destination.
    pub(crate) fn delete_event_destination(
        &mut self,
        configuration_set: &str,
        name: &str,
    ) -> Result<(), SesError> {
        let set = self.configuration_set_mut(configuration_set)?;
        let index = set.event_destination_index(name)?;
        set.event_destinations.remove(index);
        Ok(())
    }
}

/// SES wants at least one event type and exactly one destination.
fn check_definition(definition: &EventDestinationDefinition) -> Result<(), SesError> {
    if definition
        .matching_event_types
        .as_ref()
        .is_none_or(Vec::is_empty)
    {
        return Err(SesError::BadRequest(
            "An event destination needs at least one MatchingEventTypes entry.".into(),
        ));
    }
    if definition.destination_count() != 1 {
        return Err(SesError::BadRequest(
            "An event destination needs exactly one destination (SNS, EventBridge, Kinesis \
             Firehose, Pinpoint or CloudWatch)."
                .into(),
        ));
    }
    Ok(())
}

fn configuration_set_not_found(name: &str) -> SesError {
    SesError::NotFound(format!("Configuration set {name} does not exist."))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shapes::{EventType, SnsDestination};

    fn region() -> RegionState {
        let mut region = RegionState::new("us-east-1", "123456789012", 10);
        region
            .create_configuration_set("ph-1", Vec::new(), ConfigurationSetSettings::default())
            .unwrap();
        region
    }

    fn sns(topic: &str) -> EventDestinationDefinition {
        EventDestinationDefinition {
            enabled: Some(true),
            matching_event_types: Some(vec![EventType::Bounce]),
            sns_destination: Some(SnsDestination {
                topic_arn: topic.into(),
            }),
            event_bridge_destination: None,
            kinesis_firehose_destination: None,
            pinpoint_destination: None,
            cloud_watch_destination: None,
        }
    }

    #[test]
    fn an_event_destination_is_replaced_by_an_update() {
        let mut region = region();
        region
            .create_event_destination("ph-1", "sns", sns("a"))
            .unwrap();
        region
            .update_event_destination("ph-1", "sns", sns("b"))
            .unwrap();

        let set = region.configuration_set("ph-1").unwrap();
        assert_eq!(set.event_destinations.len(), 1);
        assert_eq!(set.event_destinations[0].definition, sns("b"));
    }

    #[test]
    fn an_event_destination_needs_event_types_and_one_destination() {
        let mut region = region();
        let mut no_types = sns("a");
        no_types.matching_event_types = Some(Vec::new());
        assert!(
            region
                .create_event_destination("ph-1", "x", no_types)
                .is_err()
        );

        let mut no_destination = sns("a");
        no_destination.sns_destination = None;
        assert!(
            region
                .create_event_destination("ph-1", "x", no_destination)
                .is_err()
        );
    }

    #[test]
    fn a_configuration_set_sends_unless_sending_is_switched_off() {
        let mut set = region().configuration_set("ph-1").unwrap().clone();
        assert!(set.sending_enabled());
        set.settings.sending_options = Some(crate::shapes::SendingOptions {
            sending_enabled: Some(false),
        });
        assert!(!set.sending_enabled());
    }
}
