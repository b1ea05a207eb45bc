//! End to end: domains drive tenants in SES (the built-in emulator, through the real
//! aws-sdk-sesv2 client), and sends carry their tenant.
#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod support;

use posthawk_domain::TenantName;
use posthawk_ses_emulator::{Fault, SendingStatus};
use serde_json::json;
use support::{eventually, new_workspace, spawn_app};

#[tokio::test]
async fn a_new_workspace_has_no_tenant_status_rows() {
    let (app, _db) = spawn_app().await;
    let (status, body) = app.get(new_workspace(), "/tenants/status").await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({"success": true, "data": []}));
}

#[tokio::test]
async fn the_first_domain_in_a_region_provisions_the_whole_tenant() {
    let (app, _db) = spawn_app().await;
    let workspace = new_workspace();
    let name = TenantName::for_workspace(workspace).to_string();
    app.add_domain(workspace, "mail.first.example", "us-east-1")
        .await;
    app.settled(workspace).await;

    let inventory = app.inventory("us-east-1");
    assert!(
        inventory.vdm_attributes.is_some(),
        "VDM enabled in the region"
    );
    let [tenant] = inventory.tenants.as_slice() else {
        panic!("one tenant: {inventory:?}")
    };
    assert_eq!(tenant.name, name);
    assert!(
        tenant
            .tags
            .iter()
            .any(|t| t.key == "posthawk:workspace-id" && t.value == workspace.to_string())
    );
    let associated: Vec<&str> = tenant
        .resources
        .values()
        .map(|r| r.resource_arn.as_str())
        .collect();
    assert!(
        associated
            .iter()
            .any(|arn| arn.ends_with(&format!(":configuration-set/{name}"))),
        "{associated:?}"
    );
    assert!(
        associated
            .iter()
            .any(|arn| arn.ends_with(":identity/mail.first.example")),
        "{associated:?}"
    );
    let [configuration_set] = inventory.configuration_sets.as_slice() else {
        panic!("{inventory:?}")
    };
    assert_eq!(configuration_set.name, name);
    assert_eq!(configuration_set.event_destinations.len(), 1);
    assert_eq!(inventory.identities.len(), 1);
    assert!(
        app.inventory("eu-north-1").tenants.is_empty(),
        "other regions untouched"
    );

    let (status, body) = app.get(workspace, "/tenants/status").await;
    assert_eq!(status, 200);
    let row = &body["data"][0];
    assert_eq!(row["ses_region"], "us-east-1");
    assert_eq!(row["tenant_name"], name.as_str());
    assert_eq!(row["configuration_set_name"], name.as_str());
    assert_eq!(row["sending_status"], "ENABLED");
    assert_eq!(row["domain_count"], 1);
    assert!(row["last_checked_at"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn a_second_domain_in_the_region_only_adds_an_identity() {
    let (app, _db) = spawn_app().await;
    let workspace = new_workspace();
    app.add_domain(workspace, "a.second.example", "us-east-1")
        .await;
    app.settled(workspace).await;
    app.add_domain(workspace, "b.second.example", "us-east-1")
        .await;
    app.settled(workspace).await;

    assert_eq!(app.ses.call_count("CreateTenant"), 1);
    assert_eq!(app.ses.call_count("CreateConfigurationSet"), 1);
    let inventory = app.inventory("us-east-1");
    assert_eq!(inventory.identities.len(), 2);
    assert_eq!(
        inventory.tenants[0].resources.len(),
        3,
        "configuration set and two identities"
    );
    let (_, body) = app.get(workspace, "/tenants/status").await;
    assert_eq!(body["data"][0]["domain_count"], 2);
}

#[tokio::test]
async fn deleting_the_last_domain_leaves_nothing_in_ses() {
    let (app, _db) = spawn_app().await;
    let workspace = new_workspace();
    let first = app
        .add_domain(workspace, "a.last.example", "eu-north-1")
        .await;
    let second = app
        .add_domain(workspace, "b.last.example", "eu-north-1")
        .await;
    app.settled(workspace).await;

    let (status, _) = app.delete(workspace, &format!("/domains/{first}")).await;
    assert_eq!(status, 202);
    eventually(|| async { (app.inventory("eu-north-1").identities.len() == 1).then_some(()) })
        .await;
    assert_eq!(
        app.inventory("eu-north-1").tenants.len(),
        1,
        "the tenant stays for the other domain"
    );

    app.delete(workspace, &format!("/domains/{second}")).await;
    eventually(|| async { app.domains(workspace).await.is_empty().then_some(()) }).await;
    // The domain goes once its identity is gone; the tenant and its configuration set
    // follow (inline, or by a reconciler when one had the tenant claimed).
    let inventory = eventually(|| async {
        let inventory = app.inventory("eu-north-1");
        (inventory.tenants.is_empty() && inventory.configuration_sets.is_empty())
            .then_some(inventory)
    })
    .await;
    assert!(inventory.identities.is_empty(), "{inventory:?}");
    let (_, body) = app.get(workspace, "/tenants/status").await;
    assert_eq!(body["data"], json!([]), "the region drops out");
}

#[tokio::test]
async fn a_workspace_never_sees_or_touches_another_workspaces_domains() {
    let (app, _db) = spawn_app().await;
    let (ours, theirs) = (new_workspace(), new_workspace());
    let their_domain = app
        .add_domain(theirs, "theirs.isolation.example", "us-east-1")
        .await;

    assert!(app.domains(ours).await.is_empty());
    let (_, body) = app.get(ours, "/tenants/status").await;
    assert_eq!(body["data"], json!([]));
    let (status, _) = app.delete(ours, &format!("/domains/{their_domain}")).await;
    assert_eq!(status, 404);
    assert_eq!(app.domains(theirs).await.len(), 1);
}

#[tokio::test]
async fn a_send_through_a_provisioned_tenant_carries_the_tenant_and_configuration_set() {
    let (app, _db) = spawn_app().await;
    let workspace = new_workspace();
    let name = TenantName::for_workspace(workspace).to_string();
    app.add_domain(workspace, "mail.send.example", "us-east-1")
        .await;
    app.settled(workspace).await;

    let email = json!({
        "from": "Team <team@mail.send.example>",
        "to": "success@simulator.amazonses.com",
        "subject": "Hello",
        "text": "Hi there",
    });
    let (status, body) = app.post(workspace, "/emails", &email).await;
    assert_eq!(status, 202, "{body}");
    let message_id = body["data"]["message_id"].as_str().unwrap();

    let sent = app.ses.sent_messages("us-east-1");
    let [message] = sent.as_slice() else {
        panic!("{sent:?}")
    };
    assert_eq!(message.message_id, message_id);
    assert_eq!(message.tenant.as_deref(), Some(name.as_str()));
    assert_eq!(message.configuration_set.as_deref(), Some(name.as_str()));
}

#[tokio::test]
async fn sends_are_refused_without_calling_ses_for_a_foreign_or_unready_domain() {
    let (app, _db) = spawn_app().await;
    let (ours, theirs) = (new_workspace(), new_workspace());
    app.add_domain(theirs, "mail.refuse.example", "us-east-1")
        .await;
    app.settled(theirs).await;
    let email =
        |from: &str| json!({"from": from, "to": ["a@example.org"], "subject": "s", "text": "t"});

    let (status, body) = app
        .post(ours, "/emails", &email("x@mail.refuse.example"))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("domain_not_owned"))
    );
    let (status, body) = app.post(ours, "/emails", &email("x@unknown.example")).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("domain_not_owned"))
    );

    app.ses
        .inject_fault(
            "CreateTenant",
            Fault::latency(std::time::Duration::from_secs(60)),
        )
        .unwrap();
    app.add_domain(ours, "mail.slow.example", "eu-north-1")
        .await;
    let (status, body) = app
        .post(ours, "/emails", &email("x@mail.slow.example"))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("tenant_not_ready"))
    );
    assert_eq!(app.ses.call_count("SendEmail"), 0);
}

#[tokio::test]
async fn a_tenant_paused_by_ses_cannot_send() {
    let (app, _db) = spawn_app().await;
    let workspace = new_workspace();
    let name = TenantName::for_workspace(workspace).to_string();
    app.add_domain(workspace, "mail.paused.example", "us-east-1")
        .await;
    app.settled(workspace).await;
    app.ses
        .set_aws_managed_status(
            "us-east-1",
            &name,
            SendingStatus::Disabled,
            Some("Bounce rate too high"),
        )
        .unwrap();

    let email = json!({"from": "a@mail.paused.example", "to": "b@example.org", "subject": "s", "text": "t"});
    let (status, body) = app.post(workspace, "/emails", &email).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("tenant_not_enabled")),
        "{body}"
    );
    assert!(app.ses.sent_messages("us-east-1").is_empty());
}
