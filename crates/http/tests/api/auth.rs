//! Bearer-token authentication: every way a token can be missing or wrong is a 401 that
//! tells the client nothing more, and only valid tokens of the pinned algorithm pass.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use jsonwebtoken::{Algorithm, EncodingKey};
use posthawk_http::{
    AuthConfig, AuthConfigError, JwtAlgorithm, JwtKey, JwtVerifier, MintError, TokenIssuer,
};
use serde_json::{Value, json};

use crate::support::{
    SECRET, TestApp, admin_token, assert_error, assert_unauthorized, claims, fixture, now, sign,
    sign_hs256, token, workspace_a,
};

const WHOAMI: &str = "/test/whoami";

fn config(algorithm: JwtAlgorithm, key: JwtKey) -> AuthConfig {
    AuthConfig {
        algorithm,
        key,
        ..AuthConfig::hs256(SECRET)
    }
}

fn rs256_config() -> AuthConfig {
    config(
        JwtAlgorithm::Rs256,
        JwtKey::PublicKeyPem(fixture("rsa-public.pem")),
    )
}

fn es256_config() -> AuthConfig {
    config(
        JwtAlgorithm::Es256,
        JwtKey::PublicKeyPem(fixture("ec-public.pem")),
    )
}

fn rsa_private_key() -> EncodingKey {
    EncodingKey::from_rsa_pem(fixture("rsa-private.pem").as_bytes()).unwrap()
}

fn with_claim(name: &str, value: Value) -> Value {
    let mut claims = claims();
    claims[name] = value;
    claims
}

fn without_claim(name: &str) -> Value {
    let mut claims = claims();
    claims.as_object_mut().unwrap().remove(name);
    claims
}

async fn whoami(token: &str) -> crate::support::Reply {
    TestApp::default().get_with_token(WHOAMI, token).await
}

async fn whoami_with(auth: AuthConfig, token: &str) -> crate::support::Reply {
    TestApp {
        auth,
        ..TestApp::default()
    }
    .get_with_token(WHOAMI, token)
    .await
}

fn assert_accepted_as_workspace_a(reply: &crate::support::Reply) {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        reply.json(),
        json!({"success": true,
               "data": {"workspace_id": workspace_a().to_string(), "admin": false}})
    );
}

#[actix_web::test]
async fn valid_token_identifies_its_workspace() {
    let reply = whoami(&token(workspace_a())).await;

    assert_accepted_as_workspace_a(&reply);
}

#[actix_web::test]
async fn missing_authorization_header_is_rejected_with_401() {
    let reply = TestApp::default()
        .send(TestRequest::get().uri(WHOAMI))
        .await;

    assert_unauthorized(&reply, "missing bearer token");
    assert_eq!(reply.header("www-authenticate"), Some("Bearer"));
}

#[actix_web::test]
async fn basic_credentials_instead_of_a_bearer_token_are_rejected_with_401() {
    let reply = TestApp::default()
        .send(
            TestRequest::get()
                .uri(WHOAMI)
                .insert_header(("Authorization", "Basic dXNlcjpwYXNzd29yZA==")),
        )
        .await;

    assert_unauthorized(&reply, "missing bearer token");
}

#[actix_web::test]
async fn bearer_scheme_without_a_token_is_rejected_with_401() {
    let reply = TestApp::default()
        .send(
            TestRequest::get()
                .uri(WHOAMI)
                .insert_header(("Authorization", "Bearer ")),
        )
        .await;

    assert_unauthorized(&reply, "missing bearer token");
}

#[actix_web::test]
async fn bearer_scheme_is_matched_in_any_case() {
    let reply = TestApp::default()
        .send(
            TestRequest::get()
                .uri(WHOAMI)
                .insert_header(("Authorization", format!("bearer {}", token(workspace_a())))),
        )
        .await;

    assert_accepted_as_workspace_a(&reply);
}

#[actix_web::test]
async fn garbage_token_is_rejected_with_401() {
    let reply = whoami("not.a.jwt").await;

    assert_unauthorized(&reply, "invalid token");
    assert_eq!(
        reply.header("www-authenticate"),
        Some("Bearer error=\"invalid_token\"")
    );
}

#[actix_web::test]
async fn expired_token_is_rejected_with_401() {
    let expired = sign_hs256(&with_claim("exp", json!(now() - 3600)));

    assert_unauthorized(&whoami(&expired).await, "invalid token");
}

#[actix_web::test]
async fn token_expired_within_the_leeway_is_still_accepted() {
    let just_expired = sign_hs256(&with_claim("exp", json!(now() - 5)));

    assert_accepted_as_workspace_a(&whoami(&just_expired).await);
}

#[actix_web::test]
async fn token_not_yet_valid_is_rejected_with_401() {
    let early = sign_hs256(&with_claim("nbf", json!(now() + 3600)));

    assert_unauthorized(&whoami(&early).await, "invalid token");
}

#[actix_web::test]
async fn token_signed_with_another_secret_is_rejected_with_401() {
    let forged = sign(
        Algorithm::HS256,
        &EncodingKey::from_secret(b"someone-elses-secret-of-32-bytes!!"),
        &claims(),
    );

    assert_unauthorized(&whoami(&forged).await, "invalid token");
}

#[actix_web::test]
async fn rs256_token_presented_to_an_hs256_service_is_rejected_with_401() {
    let rs256 = sign(Algorithm::RS256, &rsa_private_key(), &claims());

    assert_unauthorized(&whoami(&rs256).await, "invalid token");
}

#[actix_web::test]
async fn hs256_token_keyed_with_the_public_key_is_rejected_by_an_rs256_service() {
    // The classic algorithm confusion: the public key used as an HMAC secret.
    let confused = sign(
        Algorithm::HS256,
        &EncodingKey::from_secret(fixture("rsa-public.pem").as_bytes()),
        &claims(),
    );

    assert_unauthorized(
        &whoami_with(rs256_config(), &confused).await,
        "invalid token",
    );
}

#[actix_web::test]
async fn unsigned_alg_none_token_is_rejected_with_401() {
    // base64url of {"alg":"none","typ":"JWT"}; an unsigned token has an empty signature.
    let header = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0";
    let signed = sign_hs256(&claims());
    let payload = signed.split('.').nth(1).unwrap();
    let unsigned = format!("{header}.{payload}.");

    assert_unauthorized(&whoami(&unsigned).await, "invalid token");
}

#[actix_web::test]
async fn token_without_workspace_id_is_rejected_with_401() {
    let anonymous = sign_hs256(&without_claim("workspace_id"));

    assert_unauthorized(&whoami(&anonymous).await, "invalid token");
}

#[actix_web::test]
async fn token_with_a_malformed_workspace_id_is_rejected_with_401() {
    for malformed in [json!("workspace-1"), json!(""), json!(42)] {
        let token = sign_hs256(&with_claim("workspace_id", malformed.clone()));

        assert_unauthorized(&whoami(&token).await, "invalid token");
    }
}

#[actix_web::test]
async fn token_whose_exp_is_a_string_is_rejected_with_401() {
    let token = sign_hs256(&with_claim("exp", json!((now() + 600).to_string())));

    assert_unauthorized(&whoami(&token).await, "invalid token");
}

#[actix_web::test]
async fn token_without_exp_is_rejected_with_401() {
    let everlasting = sign_hs256(&without_claim("exp"));

    assert_unauthorized(&whoami(&everlasting).await, "invalid token");
}

#[actix_web::test]
async fn token_without_sub_is_rejected_with_401() {
    let token = sign_hs256(&without_claim("sub"));

    assert_unauthorized(&whoami(&token).await, "invalid token");
}

fn with_audience_and_issuer() -> AuthConfig {
    AuthConfig {
        issuer: Some("https://auth.posthawk.dev".into()),
        audience: Some("posthawk-tenants".into()),
        ..AuthConfig::hs256(SECRET)
    }
}

fn claims_for(issuer: Value, audience: Value) -> Value {
    let mut claims = claims();
    claims["iss"] = issuer;
    claims["aud"] = audience;
    claims
}

#[actix_web::test]
async fn token_with_the_configured_issuer_and_audience_is_accepted() {
    let right = sign_hs256(&claims_for(
        json!("https://auth.posthawk.dev"),
        json!(["dashboard", "posthawk-tenants"]),
    ));

    assert_accepted_as_workspace_a(&whoami_with(with_audience_and_issuer(), &right).await);
}

#[actix_web::test]
async fn token_for_another_audience_is_rejected_with_401() {
    let wrong = sign_hs256(&claims_for(
        json!("https://auth.posthawk.dev"),
        json!("billing"),
    ));

    assert_unauthorized(
        &whoami_with(with_audience_and_issuer(), &wrong).await,
        "invalid token",
    );
}

#[actix_web::test]
async fn token_from_another_issuer_is_rejected_with_401() {
    let wrong = sign_hs256(&claims_for(
        json!("https://evil.example"),
        json!("posthawk-tenants"),
    ));

    assert_unauthorized(
        &whoami_with(with_audience_and_issuer(), &wrong).await,
        "invalid token",
    );
}

#[actix_web::test]
async fn token_without_issuer_or_audience_is_rejected_when_they_are_configured() {
    for missing in ["iss", "aud"] {
        let mut claims = claims_for(
            json!("https://auth.posthawk.dev"),
            json!("posthawk-tenants"),
        );
        claims.as_object_mut().unwrap().remove(missing);

        assert_unauthorized(
            &whoami_with(with_audience_and_issuer(), &sign_hs256(&claims)).await,
            "invalid token",
        );
    }
}

#[actix_web::test]
async fn issuer_and_audience_are_not_checked_when_not_configured() {
    let token = sign_hs256(&claims_for(json!("anyone"), json!("anything")));

    assert_accepted_as_workspace_a(&whoami(&token).await);
}

#[actix_web::test]
async fn minted_token_carries_the_configured_issuer_and_audience() {
    let config = with_audience_and_issuer();
    let token = TokenIssuer::for_config(&config)
        .unwrap()
        .mint(workspace_a(), false, Duration::from_secs(60))
        .unwrap();

    assert_accepted_as_workspace_a(&whoami_with(config, &token).await);
}

#[actix_web::test]
async fn rs256_token_is_accepted_when_configured_with_the_public_key() {
    let token = sign(Algorithm::RS256, &rsa_private_key(), &claims());

    assert_accepted_as_workspace_a(&whoami_with(rs256_config(), &token).await);
}

#[actix_web::test]
async fn es256_token_is_accepted_when_configured_with_the_public_key() {
    let key = EncodingKey::from_ec_pem(fixture("ec-private.pem").as_bytes()).unwrap();
    let token = sign(Algorithm::ES256, &key, &claims());

    assert_accepted_as_workspace_a(&whoami_with(es256_config(), &token).await);
}

#[actix_web::test]
async fn hs256_token_presented_to_an_es256_service_is_rejected_with_401() {
    assert_unauthorized(
        &whoami_with(es256_config(), &token(workspace_a())).await,
        "invalid token",
    );
}

#[actix_web::test]
async fn valid_token_without_the_admin_role_on_an_admin_route_is_forbidden_with_403() {
    for role in [None, Some("user"), Some("Admin")] {
        let mut claims = claims();
        if let Some(role) = role {
            claims["role"] = json!(role);
        }

        let reply = TestApp::default()
            .get_with_token("/test/admin", &sign_hs256(&claims))
            .await;

        assert_error(
            &reply,
            StatusCode::FORBIDDEN,
            "forbidden",
            "this endpoint needs an admin token",
        );
    }
}

#[actix_web::test]
async fn admin_token_on_an_admin_route_is_accepted() {
    let reply = TestApp::default()
        .get_with_token("/test/admin", &admin_token(workspace_a()))
        .await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        reply.json(),
        json!({"success": true, "data": {"subject": format!("workspace:{}", workspace_a())}})
    );
}

#[actix_web::test]
async fn invalid_token_on_an_admin_route_is_rejected_with_401_not_403() {
    let reply = TestApp::default()
        .get_with_token("/test/admin", "garbage")
        .await;

    assert_unauthorized(&reply, "invalid token");
}

#[test]
fn empty_secret_is_refused_at_start_up() {
    let error = JwtVerifier::new(&AuthConfig::hs256("")).unwrap_err();

    assert!(matches!(error, AuthConfigError::EmptySecret), "{error:?}");
}

#[test]
fn tokens_are_not_minted_with_an_empty_secret() {
    let error = TokenIssuer::hs256(" ", None, None)
        .mint(workspace_a(), false, Duration::from_secs(60))
        .unwrap_err();

    assert!(matches!(error, MintError::EmptySecret), "{error:?}");
}

#[test]
fn malformed_public_key_is_refused_at_start_up() {
    let garbage = "-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----\n";
    for algorithm in [JwtAlgorithm::Rs256, JwtAlgorithm::Es256] {
        let error =
            JwtVerifier::new(&config(algorithm, JwtKey::PublicKeyPem(garbage.into()))).unwrap_err();

        assert!(
            matches!(error, AuthConfigError::InvalidPublicKey { .. }),
            "{error:?}"
        );
    }
}

#[test]
fn public_key_of_the_other_kind_is_refused_at_start_up() {
    let error = JwtVerifier::new(&config(
        JwtAlgorithm::Es256,
        JwtKey::PublicKeyPem(fixture("rsa-public.pem")),
    ))
    .unwrap_err();

    assert!(
        matches!(error, AuthConfigError::InvalidPublicKey { .. }),
        "{error:?}"
    );
}

#[test]
fn private_key_in_place_of_the_public_key_is_refused_at_start_up() {
    let error = JwtVerifier::new(&config(
        JwtAlgorithm::Rs256,
        JwtKey::PublicKeyPem(fixture("rsa-private.pem")),
    ))
    .unwrap_err();

    assert!(
        matches!(error, AuthConfigError::PrivateKeyGiven(JwtAlgorithm::Rs256)),
        "{error:?}"
    );
}

#[test]
fn key_of_the_wrong_kind_for_the_algorithm_is_refused_at_start_up() {
    let secret_for_rs256 = config(JwtAlgorithm::Rs256, JwtKey::Secret(SECRET.into()));
    let pem_for_hs256 = config(
        JwtAlgorithm::Hs256,
        JwtKey::PublicKeyPem(fixture("rsa-public.pem")),
    );

    for wrong in [secret_for_rs256, pem_for_hs256] {
        let error = JwtVerifier::new(&wrong).unwrap_err();
        assert!(
            matches!(error, AuthConfigError::KeyDoesNotFit(_)),
            "{error:?}"
        );
    }
}

#[test]
fn tokens_cannot_be_minted_for_a_public_key_configuration() {
    let error = TokenIssuer::for_config(&rs256_config()).unwrap_err();

    assert!(
        matches!(error, AuthConfigError::CannotMint(JwtAlgorithm::Rs256)),
        "{error:?}"
    );
}

#[test]
fn algorithm_names_parse_in_any_case() {
    assert_eq!("hs256".parse(), Ok(JwtAlgorithm::Hs256));
    assert_eq!("RS256".parse(), Ok(JwtAlgorithm::Rs256));
    assert_eq!(" Es256 ".parse(), Ok(JwtAlgorithm::Es256));
    assert!("none".parse::<JwtAlgorithm>().is_err());
}

#[test]
fn configuration_debug_output_never_shows_the_secret() {
    let printed = format!("{:?}", AuthConfig::hs256(SECRET));

    assert!(!printed.contains(SECRET), "{printed}");
}
