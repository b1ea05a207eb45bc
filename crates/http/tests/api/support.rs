//! Shared arrangements: workspaces, tokens, mocked ports, an app with a few test-only
//! routes, and a captured reply.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::http::header::HeaderMap;
use actix_web::middleware::from_fn;
use actix_web::test::{TestRequest, call_service, init_service, read_body};
use actix_web::{App, HttpResponse, web};
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use metrics_exporter_prometheus::PrometheusHandle;
use posthawk_domain::ports::{
    DomainId, DomainRecord, DomainState, MockClock, MockDomainStore, MockFindingStore,
    MockMailSender, MockProvisioningStore, MockTenantAdmin, MockTenantStore,
};
use posthawk_domain::use_cases::{
    DomainService, EventDestinationBackfill, LifecycleConfig, ReputationQueries, SendingService,
    TenantLifecycle,
};
use posthawk_domain::{DomainName, Region, SendingStatus, ServedRegions, WorkspaceId};
use posthawk_http::envelope;
use posthawk_http::observability::{prometheus_recorder, record_request_metrics};
use posthawk_http::{
    AdminCaller, ApiState, AuthConfig, Caller, GaugeSource, JwtVerifier, Readiness, TokenIssuer,
    configure,
};
use serde_json::{Value, json};

/// The HS256 secret of the test service.
pub const SECRET: &str = "a-test-secret-of-at-least-32-bytes!";

/// The workspace of the seed's example.
pub fn workspace_a() -> WorkspaceId {
    WorkspaceId::parse("1f3a8c2d-6f4b-4c1e-9a2b-3c4d5e6f7a8b").unwrap()
}

/// Another workspace, whose rows A must never see.
pub fn workspace_b() -> WorkspaceId {
    WorkspaceId::parse("9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d").unwrap()
}

/// `2026-04-28T10:00:00Z`, or any other RFC 3339 text.
pub fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

/// A domain of `workspace`, with the id, name and region as given, added at
/// `2026-04-28T10:00:00Z`.
pub fn domain(
    workspace: WorkspaceId,
    id: &str,
    name: &str,
    region: &str,
    state: DomainState,
) -> DomainRecord {
    DomainRecord {
        id: DomainId(uuid::Uuid::parse_str(id).unwrap()),
        workspace,
        name: DomainName::parse(name).unwrap(),
        region: Region::parse(region).unwrap(),
        state,
        created_at: at("2026-04-28T10:00:00Z"),
    }
}

/// Seconds since the epoch, as JWT claims count time.
pub fn now() -> i64 {
    Utc::now().timestamp()
}

/// A valid HS256 token for `workspace`, minted as the CLI does.
pub fn token(workspace: WorkspaceId) -> String {
    TokenIssuer::hs256(SECRET, None, None)
        .mint(workspace, false, Duration::from_secs(600))
        .unwrap()
}

/// A valid HS256 admin token for `workspace`.
pub fn admin_token(workspace: WorkspaceId) -> String {
    TokenIssuer::hs256(SECRET, None, None)
        .mint(workspace, true, Duration::from_secs(600))
        .unwrap()
}

/// `claims`, signed with `algorithm` and `key`: for tokens the issuer would never mint.
pub fn sign(algorithm: Algorithm, key: &EncodingKey, claims: &Value) -> String {
    jsonwebtoken::encode(&Header::new(algorithm), claims, key).unwrap()
}

/// `claims`, signed with the test service's secret.
pub fn sign_hs256(claims: &Value) -> String {
    sign(
        Algorithm::HS256,
        &EncodingKey::from_secret(SECRET.as_bytes()),
        claims,
    )
}

/// Well-formed claims for workspace A, valid for ten minutes.
pub fn claims() -> Value {
    json!({
        "sub": "user:42",
        "workspace_id": workspace_a().to_string(),
        "iat": now(),
        "exp": now() + 600,
    })
}

/// A PEM file from `tests/fixtures` (keys made with the `openssl` CLI, for tests only).
pub fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// The SNS topics the test backfill puts.
pub const TOPIC_US: &str = "arn:aws:sns:us-east-1:123456789012:ses-events";
pub const TOPIC_EU: &str = "arn:aws:sns:eu-north-1:123456789012:ses-events";

/// A readiness probe with a fixed answer.
pub struct Probe(pub bool);

#[async_trait::async_trait]
impl Readiness for Probe {
    async fn check(&self) -> anyhow::Result<()> {
        if self.0 {
            Ok(())
        } else {
            Err(anyhow::anyhow!("database ping failed: connection refused"))
        }
    }
}

/// Database gauges with fixed answers; `None` fails that read.
#[derive(Clone, Default)]
pub struct Gauges {
    pub refresh_lag: Option<Duration>,
    pub tenants: Option<HashMap<SendingStatus, u64>>,
    pub backlog: Option<u64>,
}

#[async_trait::async_trait]
impl GaugeSource for Gauges {
    async fn refresh_lag(&self) -> anyhow::Result<Duration> {
        self.refresh_lag
            .ok_or_else(|| anyhow::anyhow!("refresh lag query failed"))
    }

    async fn tenants_by_status(&self) -> anyhow::Result<HashMap<SendingStatus, u64>> {
        self.tenants
            .clone()
            .ok_or_else(|| anyhow::anyhow!("tenant count query failed"))
    }

    async fn reconciler_backlog(&self) -> anyhow::Result<u64> {
        self.backlog
            .ok_or_else(|| anyhow::anyhow!("backlog query failed"))
    }
}

/// What the test app is built from; defaults to mocks that expect no call at all, so
/// any port call a test does not arrange fails it. As in the server, one store of each
/// kind is shared by every use case that needs it.
pub struct TestApp {
    pub tenants: MockTenantStore,
    pub findings: MockFindingStore,
    pub domains: MockDomainStore,
    pub sender: MockMailSender,
    /// The SES side of the event-destination backfill.
    pub admin: MockTenantAdmin,
    pub auth: AuthConfig,
    pub ready: bool,
    pub gauges: Gauges,
}

impl Default for TestApp {
    fn default() -> Self {
        Self {
            tenants: MockTenantStore::new(),
            findings: MockFindingStore::new(),
            domains: MockDomainStore::new(),
            sender: MockMailSender::new(),
            admin: MockTenantAdmin::new(),
            auth: AuthConfig::hs256(SECRET),
            ready: true,
            gauges: Gauges::default(),
        }
    }
}

/// A lifecycle whose every claim finds the tenant held by another worker: provisioning is
/// somebody else's job in these tests, so a request never touches SES.
fn busy_lifecycle() -> TenantLifecycle {
    let mut store = MockProvisioningStore::new();
    store.expect_claim().returning(|_, _, _| Ok(None));
    let mut clock = MockClock::new();
    clock.expect_now().returning(|| at("2026-04-28T10:00:00Z"));
    TenantLifecycle::new(
        Arc::new(store),
        Arc::new(MockTenantAdmin::new()),
        Arc::new(clock),
        LifecycleConfig::default(),
    )
}

/// A client's view of one response.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    /// The body, parsed.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|error| panic!("body is not JSON ({error}): {:?}", self.body))
    }

    /// A header's value, as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|value| value.to_str().unwrap())
    }
}

impl TestApp {
    /// The state the server would build, over the mocks, rendering `metrics`.
    fn state(self, metrics: PrometheusHandle) -> ApiState {
        let tenants = Arc::new(self.tenants);
        let domains = Arc::new(self.domains);
        ApiState {
            queries: ReputationQueries::new(
                tenants.clone(),
                Arc::new(self.findings),
                ServedRegions::default(),
            ),
            domains: DomainService::new(
                domains.clone(),
                tenants.clone(),
                busy_lifecycle(),
                ServedRegions::default(),
            ),
            sending: SendingService::new(domains, tenants.clone(), Arc::new(self.sender)),
            backfill: EventDestinationBackfill::new(
                tenants,
                Arc::new(self.admin),
                HashMap::from([
                    (Region::parse("us-east-1").unwrap(), TOPIC_US.to_owned()),
                    (Region::parse("eu-north-1").unwrap(), TOPIC_EU.to_owned()),
                ]),
                4,
            ),
            verifier: Arc::new(JwtVerifier::new(&self.auth).unwrap()),
            readiness: Arc::new(Probe(self.ready)),
            metrics,
            gauges: Arc::new(self.gauges),
        }
    }

    /// Sends `request` to a fresh app and captures the reply.
    pub async fn send(self, request: TestRequest) -> Reply {
        let [reply] = self.send_all([request]).await;
        reply
    }

    /// Sends `requests` in turn to one fresh app and captures the replies. The app
    /// records its metrics into a recorder of this test's own (thread-local: actix test
    /// services run on the test's thread), so tests never see each other's requests.
    pub async fn send_all<const N: usize>(self, requests: [TestRequest; N]) -> [Reply; N] {
        let recorder = prometheus_recorder().unwrap();
        let _local = metrics::set_default_local_recorder(&recorder);
        let state = self.state(recorder.handle());
        let app = init_service(
            App::new()
                .wrap(from_fn(record_request_metrics))
                .configure(configure(state))
                .route("/test/whoami", web::get().to(whoami))
                .route("/test/admin", web::get().to(admin_only))
                .route("/test/items/{id}", web::get().to(item))
                .route("/test/search", web::get().to(search))
                .route("/test/echo", web::post().to(echo)),
        )
        .await;
        let mut replies = Vec::with_capacity(N);
        for request in requests {
            let response = call_service(&app, request.to_request()).await;
            let status = response.status();
            let headers = response.headers().clone();
            let body = String::from_utf8(read_body(response).await.to_vec()).unwrap();
            replies.push(Reply {
                status,
                headers,
                body,
            });
        }
        replies.try_into().unwrap()
    }

    /// Sends a GET of `path` with `Authorization: Bearer <token>`.
    pub async fn get_with_token(self, path: &str, token: &str) -> Reply {
        self.send(TestRequest::get().uri(path).insert_header(bearer(token)))
            .await
    }

    /// Sends a POST of `body` as JSON to `path` with `Authorization: Bearer <token>`.
    pub async fn post_with_token(self, path: &str, token: &str, body: &Value) -> Reply {
        self.send(
            TestRequest::post()
                .uri(path)
                .insert_header(bearer(token))
                .set_json(body),
        )
        .await
    }

    /// Sends a DELETE of `path` with `Authorization: Bearer <token>`.
    pub async fn delete_with_token(self, path: &str, token: &str) -> Reply {
        self.send(TestRequest::delete().uri(path).insert_header(bearer(token)))
            .await
    }
}

/// The `Authorization` header carrying `token`.
pub fn bearer(token: &str) -> (&'static str, String) {
    ("Authorization", format!("Bearer {token}"))
}

/// Test-only route: who the token says the caller is.
async fn whoami(caller: Caller) -> HttpResponse {
    envelope::success(
        StatusCode::OK,
        json!({"workspace_id": caller.workspace().to_string(), "admin": caller.is_admin()}),
    )
}

/// Test-only route behind the admin extractor.
async fn admin_only(admin: AdminCaller) -> HttpResponse {
    envelope::success(StatusCode::OK, json!({"subject": admin.caller().subject()}))
}

/// Test-only route with a typed path segment.
async fn item(id: web::Path<uuid::Uuid>) -> HttpResponse {
    envelope::success(StatusCode::OK, json!({"id": id.into_inner()}))
}

#[derive(serde::Deserialize)]
struct Search {
    limit: u32,
}

/// Test-only route with a typed query string.
async fn search(query: web::Query<Search>) -> HttpResponse {
    envelope::success(StatusCode::OK, json!({"limit": query.limit}))
}

#[derive(serde::Deserialize, serde::Serialize)]
struct Echo {
    name: String,
}

/// Test-only route with a typed JSON body.
async fn echo(body: web::Json<Echo>) -> HttpResponse {
    envelope::success(StatusCode::OK, body.into_inner())
}

/// Asserts the exact 401 a client gets, with `message`.
pub fn assert_unauthorized(reply: &Reply, message: &str) {
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.body);
    assert_eq!(
        reply.json(),
        json!({"success": false, "error": {"code": "unauthorized", "message": message}})
    );
    let challenge = reply.header("www-authenticate").unwrap_or_default();
    assert!(
        challenge.starts_with("Bearer"),
        "WWW-Authenticate: {challenge:?}"
    );
}

/// Asserts an error reply's status and exact body.
pub fn assert_error(reply: &Reply, status: StatusCode, code: &str, message: &str) {
    assert_eq!(reply.status, status, "{}", reply.body);
    assert_eq!(
        reply.json(),
        json!({"success": false, "error": {"code": code, "message": message}})
    );
}
