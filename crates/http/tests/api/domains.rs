//! `POST /domains`, `GET /domains` and `DELETE /domains/{id}`: the exact shapes, each
//! token touching only its own workspace's domains, and every error's status and code.

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use posthawk_domain::ports::{
    AddedDomain, DomainId, DomainState, MockDomainStore, MockTenantStore, ProvisioningState,
    StoreError, TenantId, TenantRecord,
};
use posthawk_domain::{ConfigurationSetName, SendingStatus, TenantName, WorkspaceId};
use serde_json::{Value, json};

use crate::support::{
    TestApp, assert_error, assert_unauthorized, at, bearer, domain, token, workspace_a, workspace_b,
};

const DOMAINS: &str = "/domains";
const ID: &str = "0b6e1f0e-7c1a-4d0b-9b7e-2f1d3c4b5a69";
const OTHER_ID: &str = "5d2c9a41-3e8b-4f6a-a1c7-9e0b8d7f6a52";

fn domain_id(id: &str) -> DomainId {
    DomainId(uuid::Uuid::parse_str(id).unwrap())
}

fn add_body() -> Value {
    json!({"name": "mail.example.com", "region": "us-east-1"})
}

/// A tenant store for adding a domain to `workspace` in us-east-1: the short name is free.
fn free_name(workspace: WorkspaceId) -> MockTenantStore {
    let mut tenants = MockTenantStore::new();
    tenants
        .expect_owner_of_name()
        .withf(move |region, name| {
            region.as_str() == "us-east-1" && *name == TenantName::for_workspace(workspace)
        })
        .times(1)
        .return_once(|_, _| Ok(None));
    tenants
}

fn tenant(workspace: WorkspaceId) -> TenantRecord {
    let name = TenantName::for_workspace(workspace);
    TenantRecord {
        id: TenantId(7),
        workspace,
        region: posthawk_domain::Region::parse("us-east-1").unwrap(),
        configuration_set: ConfigurationSetName::for_tenant(&name),
        name,
        arn: None,
        provisioning: ProvisioningState::Ready,
        sending_status: SendingStatus::Enabled,
        last_checked_at: Some(at("2026-04-28T10:00:00Z")),
    }
}

#[actix_web::test]
async fn added_domain_is_201_with_its_exact_shape() {
    let tenants = free_name(workspace_a());
    let mut domains = MockDomainStore::new();
    domains
        .expect_add_domain()
        .withf(|workspace, name, region, tenant| {
            *workspace == workspace_a()
                && name.as_str() == "mail.example.com"
                && region.as_str() == "us-east-1"
                && *tenant == TenantName::for_workspace(workspace_a())
        })
        .times(1)
        .return_once(|workspace, _, _, _| {
            Ok(AddedDomain {
                domain: domain(
                    workspace,
                    ID,
                    "mail.example.com",
                    "us-east-1",
                    DomainState::Provisioning,
                ),
                tenant: TenantId(7),
            })
        });
    // After trying to provision, the service re-reads the domain for its current state.
    domains
        .expect_list_domains()
        .withf(|workspace| *workspace == workspace_a())
        .times(1)
        .return_once(|workspace| {
            Ok(vec![domain(
                workspace,
                ID,
                "mail.example.com",
                "us-east-1",
                DomainState::Provisioning,
            )])
        });

    let reply = TestApp {
        tenants,
        domains,
        ..TestApp::default()
    }
    .post_with_token(
        DOMAINS,
        &token(workspace_a()),
        &json!({"name": "Mail.Example.COM.", "region": "us-east-1"}),
    )
    .await;

    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    assert_eq!(
        reply.json(),
        json!({
            "success": true,
            "data": {
                "id": ID,
                "name": "mail.example.com",
                "region": "us-east-1",
                "status": "provisioning",
                "created_at": "2026-04-28T10:00:00Z"
            }
        })
    );
    let fields = [
        "\"id\"",
        "\"name\"",
        "\"region\"",
        "\"status\"",
        "\"created_at\"",
    ];
    let positions: Vec<usize> = fields
        .iter()
        .map(|field| reply.body.find(field).unwrap())
        .collect();
    assert!(positions.is_sorted(), "{}", reply.body);
}

#[actix_web::test]
async fn listed_domains_have_the_same_shape_and_only_the_callers_workspace_is_asked() {
    let mut domains = MockDomainStore::new();
    domains
        .expect_list_domains()
        .withf(|workspace| *workspace == workspace_a())
        .times(1)
        .return_once(|workspace| {
            Ok(vec![
                domain(
                    workspace,
                    ID,
                    "mail.example.com",
                    "us-east-1",
                    DomainState::Active,
                ),
                domain(
                    workspace,
                    OTHER_ID,
                    "news.example.com",
                    "eu-north-1",
                    DomainState::Deleting,
                ),
            ])
        });

    let reply = TestApp {
        domains,
        ..TestApp::default()
    }
    .get_with_token(DOMAINS, &token(workspace_a()))
    .await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        reply.json(),
        json!({
            "success": true,
            "data": [
                {
                    "id": ID,
                    "name": "mail.example.com",
                    "region": "us-east-1",
                    "status": "active",
                    "created_at": "2026-04-28T10:00:00Z"
                },
                {
                    "id": OTHER_ID,
                    "name": "news.example.com",
                    "region": "eu-north-1",
                    "status": "deleting",
                    "created_at": "2026-04-28T10:00:00Z"
                }
            ]
        })
    );
}

#[actix_web::test]
async fn workspace_without_domains_lists_an_empty_list() {
    let mut domains = MockDomainStore::new();
    domains
        .expect_list_domains()
        .withf(|workspace| *workspace == workspace_b())
        .times(1)
        .return_once(|_| Ok(vec![]));

    let reply = TestApp {
        domains,
        ..TestApp::default()
    }
    .get_with_token(DOMAINS, &token(workspace_b()))
    .await;

    assert_eq!(reply.json(), json!({"success": true, "data": []}));
}

#[actix_web::test]
async fn domain_registered_already_is_409() {
    let tenants = free_name(workspace_a());
    let mut domains = MockDomainStore::new();
    domains
        .expect_add_domain()
        .times(1)
        .return_once(|_, _, _, _| Err(StoreError::AlreadyExists { what: "domain" }));

    let reply = TestApp {
        tenants,
        domains,
        ..TestApp::default()
    }
    .post_with_token(DOMAINS, &token(workspace_a()), &add_body())
    .await;

    assert_error(
        &reply,
        StatusCode::CONFLICT,
        "domain_already_registered",
        "domain mail.example.com is already registered",
    );
}

#[actix_web::test]
async fn invalid_domain_name_is_422_saying_why_without_a_write() {
    // No store expectations: any look-up or write would fail the test.
    let reply = TestApp::default()
        .post_with_token(
            DOMAINS,
            &token(workspace_a()),
            &json!({"name": "localhost", "region": "us-east-1"}),
        )
        .await;

    assert_error(
        &reply,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_domain",
        "\"localhost\" is not a valid domain name: it needs at least two labels, like example.com",
    );
}

#[actix_web::test]
async fn region_not_served_is_400_without_a_write() {
    let reply = TestApp::default()
        .post_with_token(
            DOMAINS,
            &token(workspace_a()),
            &json!({"name": "mail.example.com", "region": "ap-south-1"}),
        )
        .await;

    assert_error(
        &reply,
        StatusCode::BAD_REQUEST,
        "region_not_served",
        "region \"ap-south-1\" is not served",
    );
}

#[actix_web::test]
async fn unreadable_add_domain_bodies_are_400() {
    let shape = "request body does not have the expected fields and types";
    let cases = [
        (
            "{\"name\": \"mail.example.com\",",
            "request body is not valid JSON",
        ),
        (
            "{\"name\": \"mail.example.com\", \"region\": \"us-east-1\", \"tenant\": \"ph-x\"}",
            shape,
        ),
        ("{\"name\": \"mail.example.com\"}", shape),
        ("{\"name\": 42, \"region\": \"us-east-1\"}", shape),
        ("\"mail.example.com\"", shape),
    ];
    for (body, message) in cases {
        let reply = TestApp::default()
            .send(
                TestRequest::post()
                    .uri(DOMAINS)
                    .insert_header(bearer(&token(workspace_a())))
                    .insert_header(("Content-Type", "application/json"))
                    .set_payload(body),
            )
            .await;

        assert_error(&reply, StatusCode::BAD_REQUEST, "bad_request", message);
    }
}

#[actix_web::test]
async fn adding_while_the_store_is_down_is_503() {
    let mut tenants = MockTenantStore::new();
    tenants.expect_owner_of_name().return_once(|_, _| {
        Err(StoreError::Unavailable(anyhow::anyhow!(
            "pool timed out after 5s"
        )))
    });

    let reply = TestApp {
        tenants,
        ..TestApp::default()
    }
    .post_with_token(DOMAINS, &token(workspace_a()), &add_body())
    .await;

    assert_error(
        &reply,
        StatusCode::SERVICE_UNAVAILABLE,
        "service_unavailable",
        "service unavailable, try again later",
    );
}

#[actix_web::test]
async fn unexpected_failure_while_adding_is_500_and_shows_nothing_of_its_cause() {
    let tenants = free_name(workspace_a());
    let mut domains = MockDomainStore::new();
    domains.expect_add_domain().return_once(|_, _, _, _| {
        Err(StoreError::Unexpected(anyhow::anyhow!(
            "relation \"domains\" does not exist"
        )))
    });

    let reply = TestApp {
        tenants,
        domains,
        ..TestApp::default()
    }
    .post_with_token(DOMAINS, &token(workspace_a()), &add_body())
    .await;

    assert_error(
        &reply,
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal_error",
        "internal error",
    );
}

#[actix_web::test]
async fn listing_while_the_store_is_down_is_503() {
    let mut domains = MockDomainStore::new();
    domains
        .expect_list_domains()
        .return_once(|_| Err(StoreError::Unavailable(anyhow::anyhow!("pool timed out"))));

    let reply = TestApp {
        domains,
        ..TestApp::default()
    }
    .get_with_token(DOMAINS, &token(workspace_a()))
    .await;

    assert_error(
        &reply,
        StatusCode::SERVICE_UNAVAILABLE,
        "service_unavailable",
        "service unavailable, try again later",
    );
}

#[actix_web::test]
async fn removed_domain_is_202_and_deleting() {
    let mut domains = MockDomainStore::new();
    domains
        .expect_remove_domain()
        .withf(|workspace, id| *workspace == workspace_a() && *id == domain_id(ID))
        .times(1)
        .return_once(|workspace, _| {
            Ok(Some(domain(
                workspace,
                ID,
                "mail.example.com",
                "us-east-1",
                DomainState::Deleting,
            )))
        });
    // The service then hands the region's tenant to the lifecycle (busy elsewhere here).
    let mut tenants = MockTenantStore::new();
    tenants
        .expect_tenant()
        .withf(|workspace, region| *workspace == workspace_a() && region.as_str() == "us-east-1")
        .times(1)
        .return_once(|workspace, _| Ok(Some(tenant(workspace))));

    let reply = TestApp {
        tenants,
        domains,
        ..TestApp::default()
    }
    .delete_with_token(&format!("/domains/{ID}"), &token(workspace_a()))
    .await;

    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.body);
    assert_eq!(
        reply.json(),
        json!({"success": true, "data": {"id": ID, "status": "deleting"}})
    );
}

#[actix_web::test]
async fn removing_an_unknown_domain_is_404() {
    let mut domains = MockDomainStore::new();
    domains
        .expect_remove_domain()
        .withf(|workspace, id| *workspace == workspace_a() && *id == domain_id(OTHER_ID))
        .times(1)
        .return_once(|_, _| Ok(None));

    let reply = TestApp {
        domains,
        ..TestApp::default()
    }
    .delete_with_token(&format!("/domains/{OTHER_ID}"), &token(workspace_a()))
    .await;

    assert_error(
        &reply,
        StatusCode::NOT_FOUND,
        "domain_not_found",
        "the workspace has no such domain",
    );
}

#[actix_web::test]
async fn removing_another_workspaces_domain_is_404_and_asks_only_for_the_callers() {
    // The domain `ID` is workspace B's; A's token may only ever ask about A's domains,
    // which the store answers as none. A call naming B would find no expectation.
    let mut domains = MockDomainStore::new();
    domains
        .expect_remove_domain()
        .withf(|workspace, id| *workspace == workspace_a() && *id == domain_id(ID))
        .times(1)
        .return_once(|_, _| Ok(None));

    let reply = TestApp {
        domains,
        ..TestApp::default()
    }
    .delete_with_token(&format!("/domains/{ID}"), &token(workspace_a()))
    .await;

    assert_error(
        &reply,
        StatusCode::NOT_FOUND,
        "domain_not_found",
        "the workspace has no such domain",
    );
}

#[actix_web::test]
async fn removing_with_a_malformed_id_is_400_without_a_lookup() {
    let reply = TestApp::default()
        .delete_with_token("/domains/mail.example.com", &token(workspace_a()))
        .await;

    assert_error(
        &reply,
        StatusCode::BAD_REQUEST,
        "bad_request",
        "malformed path parameter",
    );
}

#[actix_web::test]
async fn domain_endpoints_without_a_token_are_401_before_any_lookup() {
    for request in [
        TestRequest::get().uri(DOMAINS),
        TestRequest::post().uri(DOMAINS).set_json(add_body()),
        TestRequest::delete().uri(&format!("/domains/{ID}")),
    ] {
        let reply = TestApp::default().send(request).await;

        assert_unauthorized(&reply, "missing bearer token");
    }
}

#[actix_web::test]
async fn wrong_method_on_a_domain_is_405() {
    let reply = TestApp::default()
        .send(
            TestRequest::put()
                .uri(&format!("/domains/{ID}"))
                .insert_header(bearer(&token(workspace_a()))),
        )
        .await;

    assert_error(
        &reply,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "method not allowed on this endpoint",
    );
}
