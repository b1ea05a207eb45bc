//! The SES v2 operations: one table of name, HTTP method, URI and handler, straight from
//! the SES service model. Each handler module holds the JSON shapes of its requests and
//! responses and translates between them and the model.

mod account;
mod configuration_sets;
mod event_destinations;
mod identities;
mod reputation;
mod sending;
mod tenants;
mod vdm;

use actix_web::body::BoxBody;
use actix_web::dev::ServiceRequest;
use actix_web::http::Method;
use actix_web::middleware::{Next, from_fn};
use actix_web::{FromRequest, Handler, Responder, guard, web};

use crate::faults;

/// Declares [`Operation`] and [`register`] from one table, so that an operation's name,
/// route and handler cannot drift apart.
macro_rules! operations {
    ($($name:ident: $method:ident $uri:literal => $handler:path,)+) => {
        /// An SES v2 operation the emulator serves, named as in the SES model (the name
        /// faults and call counts use).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Operation {
            $(
                #[doc = concat!("`", stringify!($method), " ", $uri, "`")]
                $name,
            )+
        }

        impl Operation {
            /// Every operation, in the order of the SES API reference's sections.
            pub const ALL: &'static [Operation] = &[$(Operation::$name,)+];

            /// The operation's name in the SES model, e.g. `CreateTenant`.
            pub fn name(self) -> &'static str {
                match self {
                    $(Operation::$name => stringify!($name),)+
                }
            }

            /// The HTTP method SES serves the operation on.
            pub fn method(self) -> Method {
                match self {
                    $(Operation::$name => Method::$method,)+
                }
            }

            /// The URI template SES serves the operation on, in actix's pattern syntax
            /// (which is the model's).
            pub fn uri(self) -> &'static str {
                match self {
                    $(Operation::$name => $uri,)+
                }
            }
        }

        /// Registers every operation's route.
        pub(crate) fn register(config: &mut web::ServiceConfig) {
            $(route(config, Operation::$name, $handler);)+
        }
    };
}

operations! {
    CreateTenant: POST "/v2/email/tenants" => tenants::create_tenant,
    GetTenant: POST "/v2/email/tenants/get" => tenants::get_tenant,
    ListTenants: POST "/v2/email/tenants/list" => tenants::list_tenants,
    DeleteTenant: POST "/v2/email/tenants/delete" => tenants::delete_tenant,
    CreateTenantResourceAssociation: POST "/v2/email/tenants/resources"
        => tenants::create_tenant_resource_association,
    DeleteTenantResourceAssociation: POST "/v2/email/tenants/resources/delete"
        => tenants::delete_tenant_resource_association,
    ListTenantResources: POST "/v2/email/tenants/resources/list"
        => tenants::list_tenant_resources,
    ListResourceTenants: POST "/v2/email/resources/tenants/list"
        => tenants::list_resource_tenants,
    PutTenantSuppressionAttributes: POST "/v2/email/tenant/suppression"
        => tenants::put_tenant_suppression_attributes,

    CreateConfigurationSet: POST "/v2/email/configuration-sets"
        => configuration_sets::create_configuration_set,
    GetConfigurationSet: GET "/v2/email/configuration-sets/{ConfigurationSetName}"
        => configuration_sets::get_configuration_set,
    ListConfigurationSets: POST "/v2/email/list-configuration-sets"
        => configuration_sets::list_configuration_sets,
    DeleteConfigurationSet: DELETE "/v2/email/configuration-sets/{ConfigurationSetName}"
        => configuration_sets::delete_configuration_set,
    PutConfigurationSetVdmOptions:
        PUT "/v2/email/configuration-sets/{ConfigurationSetName}/vdm-options"
        => configuration_sets::put_configuration_set_vdm_options,

    CreateConfigurationSetEventDestination:
        POST "/v2/email/configuration-sets/{ConfigurationSetName}/event-destinations"
        => event_destinations::create_event_destination,
    UpdateConfigurationSetEventDestination:
        PUT "/v2/email/configuration-sets/{ConfigurationSetName}/event-destinations/{EventDestinationName}"
        => event_destinations::update_event_destination,
    DeleteConfigurationSetEventDestination:
        DELETE "/v2/email/configuration-sets/{ConfigurationSetName}/event-destinations/{EventDestinationName}"
        => event_destinations::delete_event_destination,
    GetConfigurationSetEventDestinations:
        GET "/v2/email/configuration-sets/{ConfigurationSetName}/event-destinations"
        => event_destinations::get_event_destinations,

    CreateEmailIdentity: POST "/v2/email/identities" => identities::create_email_identity,
    GetEmailIdentity: GET "/v2/email/identities/{EmailIdentity}"
        => identities::get_email_identity,
    DeleteEmailIdentity: DELETE "/v2/email/identities/{EmailIdentity}"
        => identities::delete_email_identity,
    PutEmailIdentityConfigurationSetAttributes:
        PUT "/v2/email/identities/{EmailIdentity}/configuration-set"
        => identities::put_email_identity_configuration_set_attributes,

    GetAccount: GET "/v2/email/account" => account::get_account,
    PutAccountVdmAttributes: PUT "/v2/email/account/vdm" => account::put_account_vdm_attributes,

    GetReputationEntity:
        GET "/v2/email/reputation/entities/{ReputationEntityType}/{ReputationEntityReference}"
        => reputation::get_reputation_entity,
    ListReputationEntities: POST "/v2/email/reputation/entities"
        => reputation::list_reputation_entities,
    UpdateReputationEntityCustomerManagedStatus:
        PUT "/v2/email/reputation/entities/{ReputationEntityType}/{ReputationEntityReference}/customer-managed-status"
        => reputation::update_customer_managed_status,
    UpdateReputationEntityPolicy:
        PUT "/v2/email/reputation/entities/{ReputationEntityType}/{ReputationEntityReference}/policy"
        => reputation::update_reputation_entity_policy,

    ListRecommendations: POST "/v2/email/vdm/recommendations" => vdm::list_recommendations,
    BatchGetMetricData: POST "/v2/email/metrics/batch" => vdm::batch_get_metric_data,

    SendEmail: POST "/v2/email/outbound-emails" => sending::send_email,
}

impl Operation {
    /// The operation with this SES name, e.g. `"CreateTenant"`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|operation| operation.name() == name)
    }
}

/// One resource per operation. The method is a guard on the resource rather than on a
/// route, so that `GET` and `DELETE` of one path are two operations, and a method no
/// operation has falls through to the unknown-operation answer.
fn route<F, Args>(config: &mut web::ServiceConfig, operation: Operation, handler: F)
where
    F: Handler<Args>,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    config.service(
        web::resource(operation.uri())
            .guard(guard::Method(operation.method()))
            .wrap(from_fn(move |req: ServiceRequest, next: Next<BoxBody>| {
                faults::intercept(operation, req, next)
            }))
            .to(handler),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_are_found_by_their_ses_name() {
        assert_eq!(
            Operation::from_name("SendEmail"),
            Some(Operation::SendEmail)
        );
        assert_eq!(Operation::from_name("sendEmail"), None);
        assert_eq!(Operation::ALL.len(), 31);
    }

    #[test]
    fn every_operation_has_a_distinct_route() {
        let mut routes: Vec<(Method, &str)> = Operation::ALL
            .iter()
            .map(|operation| (operation.method(), operation.uri()))
            .collect();
        routes.sort_by(|a, b| (a.0.as_str(), a.1).cmp(&(b.0.as_str(), b.1)));
        routes.dedup();
        assert_eq!(routes.len(), Operation::ALL.len());
    }
}
