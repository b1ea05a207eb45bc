//! Who is calling: bearer-JWT verification with one pinned algorithm, the claims this
//! service reads, the [`Caller`] and [`AdminCaller`] extractors, and [`TokenIssuer`], which
//! mints tokens for the CLI and for tests.
//!
//! A token carries `sub` (string), `workspace_id` (UUID), `exp` (number, required),
//! optionally `role` (`"admin"` for platform operators; any other value is an ordinary
//! user), `iat`, `nbf`, `iss` and `aud`. `iss` and `aud` are checked (and then required)
//! only when configured. Every refusal is a 401 whose body says only "missing bearer
//! token" or "invalid token"; the precise reason goes to the log.

use std::fmt;
use std::future::{Ready, ready};
use std::str::FromStr;
use std::time::Duration;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use posthawk_domain::{InvalidWorkspaceId, WorkspaceId};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;

/// Clock skew tolerated on `exp` and `nbf` unless configured otherwise.
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(30);

/// The `role` claim of platform operators.
const ADMIN_ROLE: &str = "admin";

/// HMAC secrets shorter than this are accepted but logged: RFC 7518 §3.2 asks for a key
/// at least as long as the hash (256 bits).
const RECOMMENDED_SECRET_LEN: usize = 32;

/// The one signature algorithm this service accepts; tokens signed any other way
/// (including `none`) are refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JwtAlgorithm {
    /// HMAC with SHA-256 and a shared secret (the default).
    Hs256,
    /// RSA PKCS#1 v1.5 with SHA-256, verified with an RSA public key.
    Rs256,
    /// ECDSA on P-256 with SHA-256, verified with an EC public key.
    Es256,
}

impl JwtAlgorithm {
    /// The JOSE name: `HS256`, `RS256` or `ES256`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Hs256 => "HS256",
            Self::Rs256 => "RS256",
            Self::Es256 => "ES256",
        }
    }

    const fn to_jsonwebtoken(self) -> Algorithm {
        match self {
            Self::Hs256 => Algorithm::HS256,
            Self::Rs256 => Algorithm::RS256,
            Self::Es256 => Algorithm::ES256,
        }
    }

    const fn key_kind(self) -> &'static str {
        match self {
            Self::Hs256 => "a shared secret",
            Self::Rs256 => "an RSA public key in PEM form",
            Self::Es256 => "an EC P-256 public key in PEM form",
        }
    }
}

impl fmt::Display for JwtAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text names no supported algorithm.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unsupported JWT algorithm {0:?}: expected HS256, RS256 or ES256")]
pub struct UnknownAlgorithm(String);

impl FromStr for JwtAlgorithm {
    type Err = UnknownAlgorithm;

    /// Parses `HS256`, `RS256` or `ES256`, in any case.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        [Self::Hs256, Self::Rs256, Self::Es256]
            .into_iter()
            .find(|algorithm| algorithm.as_str().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| UnknownAlgorithm(text.to_owned()))
    }
}

/// The key tokens are verified with.
#[derive(Clone, PartialEq, Eq)]
pub enum JwtKey {
    /// The shared secret, for HS256.
    Secret(String),
    /// A PEM public key (`-----BEGIN PUBLIC KEY-----`), for RS256 and ES256.
    PublicKeyPem(String),
}

impl fmt::Debug for JwtKey {
    /// Never prints the secret, so a logged configuration cannot leak it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Secret(_) => f.write_str("Secret([redacted])"),
            Self::PublicKeyPem(pem) => f.debug_tuple("PublicKeyPem").field(pem).finish(),
        }
    }
}

/// How bearer tokens are verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthConfig {
    /// The only algorithm accepted.
    pub algorithm: JwtAlgorithm,
    /// The key that fits it.
    pub key: JwtKey,
    /// When set, tokens must carry exactly this `iss`.
    pub issuer: Option<String>,
    /// When set, tokens must carry this `aud` (alone or in a list).
    pub audience: Option<String>,
    /// Clock skew tolerated on `exp` and `nbf`, in whole seconds.
    pub leeway: Duration,
}

impl AuthConfig {
    /// HS256 with `secret`, no issuer or audience checks, and the default leeway.
    #[must_use]
    pub fn hs256(secret: impl Into<String>) -> Self {
        Self {
            algorithm: JwtAlgorithm::Hs256,
            key: JwtKey::Secret(secret.into()),
            issuer: None,
            audience: None,
            leeway: DEFAULT_LEEWAY,
        }
    }
}

/// The authentication configuration cannot work; reported at start-up, not per request.
#[derive(Debug, thiserror::Error)]
pub enum AuthConfigError {
    /// The HS256 secret is empty.
    #[error("the JWT secret is empty")]
    EmptySecret,
    /// The key is of the wrong kind for the algorithm.
    #[error("{0} needs {key}", key = .0.key_kind())]
    KeyDoesNotFit(JwtAlgorithm),
    /// A private key was configured where the public one belongs.
    #[error("the {0} key is a private key: configure its public half")]
    PrivateKeyGiven(JwtAlgorithm),
    /// The PEM text is not a public key of the algorithm's kind.
    #[error("the {algorithm} key is not {key}", key = .algorithm.key_kind())]
    InvalidPublicKey {
        /// The configured algorithm.
        algorithm: JwtAlgorithm,
        /// What the PEM decoder said.
        #[source]
        source: jsonwebtoken::errors::Error,
    },
    /// Tokens can only be minted with a shared secret; the private key of RS256/ES256
    /// never reaches this service.
    #[error("cannot mint {0} tokens: this service holds only the public key")]
    CannotMint(JwtAlgorithm),
}

/// Why a request carries no usable token. The `Display` text is the precise reason, for
/// the log; clients only ever see [`AuthError::public_message`].
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// No `Authorization` header.
    #[error("no Authorization header")]
    MissingHeader,
    /// The `Authorization` header is not `Bearer <token>`.
    #[error("the Authorization header is not `Bearer <token>`")]
    NotBearer,
    /// The signature, algorithm, shape or a registered claim (`exp`, `nbf`, `iss`, `aud`)
    /// was refused, or a claim has the wrong JSON type.
    #[error("token refused by JWT validation")]
    Refused(#[source] jsonwebtoken::errors::Error),
    /// The token has no `workspace_id` claim.
    #[error("the token has no workspace_id claim")]
    MissingWorkspace,
    /// The `workspace_id` claim is not a UUID.
    #[error("the token's workspace_id claim is malformed")]
    MalformedWorkspace(#[source] InvalidWorkspaceId),
}

impl AuthError {
    /// Whether no token was presented at all (as opposed to a bad one).
    #[must_use]
    pub const fn is_missing_token(&self) -> bool {
        matches!(self, Self::MissingHeader | Self::NotBearer)
    }

    /// What the client is told: "missing bearer token" or "invalid token", nothing more,
    /// so that probing tokens teaches an attacker nothing.
    #[must_use]
    pub const fn public_message(&self) -> &'static str {
        if self.is_missing_token() {
            "missing bearer token"
        } else {
            "invalid token"
        }
    }
}

/// The claims read from a verified token. `exp`, `nbf`, `iss` and `aud` are checked by
/// `jsonwebtoken` itself; `workspace_id` is optional here so that its absence gets its own
/// reason in the log.
#[derive(Debug, Deserialize)]
struct TokenClaims {
    sub: String,
    workspace_id: Option<String>,
    role: Option<String>,
}

/// Verifies bearer tokens against one [`AuthConfig`]. Build it once at start-up and
/// share it: it holds the parsed key.
#[derive(Debug)]
pub struct JwtVerifier {
    key: DecodingKey,
    validation: Validation,
}

impl JwtVerifier {
    /// A verifier for `config`.
    ///
    /// # Errors
    /// [`AuthConfigError`] when the key is empty, malformed, private, or of the wrong kind
    /// for the algorithm.
    pub fn new(config: &AuthConfig) -> Result<Self, AuthConfigError> {
        let key = decoding_key(config.algorithm, &config.key)?;

        let mut validation = Validation::new(config.algorithm.to_jsonwebtoken());
        validation.leeway = config.leeway.as_secs();
        validation.validate_nbf = true;
        // `jsonwebtoken` only checks `iss`/`aud` when the token has them, so a configured
        // one must also be required, or leaving it out would get a token past the check.
        let mut required = vec!["exp"];
        if let Some(issuer) = &config.issuer {
            validation.set_issuer(&[issuer]);
            required.push("iss");
        }
        match &config.audience {
            Some(audience) => {
                validation.set_audience(&[audience]);
                required.push("aud");
            }
            // Unconfigured means unchecked: tokens made for a shared identity provider
            // carry an `aud` this service need not know.
            None => validation.validate_aud = false,
        }
        validation.set_required_spec_claims(&required);

        Ok(Self { key, validation })
    }

    /// The caller a token stands for.
    ///
    /// # Errors
    /// [`AuthError::Refused`] for a bad signature, another algorithm, an expired or
    /// malformed token, or a wrong `iss`/`aud`; [`AuthError::MissingWorkspace`] and
    /// [`AuthError::MalformedWorkspace`] for a token without a usable `workspace_id`.
    pub fn verify(&self, token: &str) -> Result<Caller, AuthError> {
        let claims = jsonwebtoken::decode::<TokenClaims>(token, &self.key, &self.validation)
            .map_err(AuthError::Refused)?
            .claims;
        let workspace = claims
            .workspace_id
            .as_deref()
            .ok_or(AuthError::MissingWorkspace)?;
        let workspace = WorkspaceId::parse(workspace).map_err(AuthError::MalformedWorkspace)?;
        Ok(Caller {
            subject: claims.sub,
            workspace,
            admin: claims.role.as_deref() == Some(ADMIN_ROLE),
        })
    }
}

/// The verified caller of `request`: its bearer token checked by the verifier the app was
/// configured with.
fn authenticate(request: &HttpRequest) -> Result<Caller, ApiError> {
    let verifier = request
        .app_data::<web::Data<JwtVerifier>>()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no JwtVerifier in app data")))?;
    let token = bearer_token(request)?;
    Ok(verifier.verify(token)?)
}

fn decoding_key(algorithm: JwtAlgorithm, key: &JwtKey) -> Result<DecodingKey, AuthConfigError> {
    match (algorithm, key) {
        (JwtAlgorithm::Hs256, JwtKey::Secret(secret)) => {
            check_secret(secret)?;
            Ok(DecodingKey::from_secret(secret.as_bytes()))
        }
        (JwtAlgorithm::Rs256, JwtKey::PublicKeyPem(pem)) => {
            public_key(algorithm, pem, DecodingKey::from_rsa_pem)
        }
        (JwtAlgorithm::Es256, JwtKey::PublicKeyPem(pem)) => {
            public_key(algorithm, pem, DecodingKey::from_ec_pem)
        }
        (algorithm, _) => Err(AuthConfigError::KeyDoesNotFit(algorithm)),
    }
}

fn check_secret(secret: &str) -> Result<(), AuthConfigError> {
    if secret.trim().is_empty() {
        return Err(AuthConfigError::EmptySecret);
    }
    if secret.len() < RECOMMENDED_SECRET_LEN {
        tracing::warn!(
            length = secret.len(),
            recommended = RECOMMENDED_SECRET_LEN,
            "the HS256 secret is shorter than recommended"
        );
    }
    Ok(())
}

fn public_key(
    algorithm: JwtAlgorithm,
    pem: &str,
    parse: fn(&[u8]) -> jsonwebtoken::errors::Result<DecodingKey>,
) -> Result<DecodingKey, AuthConfigError> {
    // `jsonwebtoken` accepts an RSA private key here and would then fail every request;
    // refusing it at start-up is the kinder error.
    if pem.contains("PRIVATE KEY") {
        return Err(AuthConfigError::PrivateKeyGiven(algorithm));
    }
    parse(pem.as_bytes()).map_err(|source| AuthConfigError::InvalidPublicKey { algorithm, source })
}

/// The token in `Authorization: Bearer <token>` (scheme matched in any case, RFC 7235).
fn bearer_token(request: &HttpRequest) -> Result<&str, AuthError> {
    let value = request
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or(AuthError::MissingHeader)?;
    let value = value.to_str().map_err(|_| AuthError::NotBearer)?;
    let (scheme, token) = value.trim().split_once(' ').ok_or(AuthError::NotBearer)?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(AuthError::NotBearer);
    }
    Ok(token)
}

/// The verified caller of a request: any valid token. As an extractor it refuses the
/// request with 401 `unauthorized` when the token is missing or invalid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    subject: String,
    workspace: WorkspaceId,
    admin: bool,
}

impl Caller {
    /// The workspace the token belongs to: the only one it may see.
    #[must_use]
    pub const fn workspace(&self) -> WorkspaceId {
        self.workspace
    }

    /// Whether the token has the `admin` role of platform operators.
    #[must_use]
    pub const fn is_admin(&self) -> bool {
        self.admin
    }

    /// The token's `sub`, for logs and audit.
    #[must_use]
    pub fn subject(&self) -> &str {
        &self.subject
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authenticate(request))
    }
}

/// A verified caller with the `admin` role. As an extractor it refuses a missing or
/// invalid token with 401 `unauthorized`, and a valid token without the role with 403
/// `forbidden`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminCaller(Caller);

impl AdminCaller {
    /// The caller behind the admin token.
    #[must_use]
    pub const fn caller(&self) -> &Caller {
        &self.0
    }
}

impl FromRequest for AdminCaller {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authenticate(request).and_then(|caller| {
            if caller.is_admin() {
                Ok(Self(caller))
            } else {
                Err(ApiError::Forbidden {
                    subject: caller.subject,
                })
            }
        }))
    }
}

/// Why a token could not be minted.
#[derive(Debug, thiserror::Error)]
pub enum MintError {
    /// The issuer was built with an empty secret, which no verifier accepts.
    #[error("cannot mint tokens with an empty JWT secret")]
    EmptySecret,
    /// Signing failed, which HS256 does not do in practice.
    #[error("could not sign the token")]
    Signing(#[source] jsonwebtoken::errors::Error),
}

/// The claims [`TokenIssuer`] signs.
#[derive(Debug, Serialize)]
struct MintedClaims<'a> {
    sub: String,
    workspace_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    role: Option<&'a str>,
    iat: i64,
    exp: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    iss: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    aud: Option<&'a str>,
}

/// Mints HS256 tokens this service accepts: for the `posthawk-tenants token` CLI and for
/// tests.
pub struct TokenIssuer {
    /// `None` for an empty secret: refused when minting rather than signing with it.
    key: Option<EncodingKey>,
    issuer: Option<String>,
    audience: Option<String>,
}

impl fmt::Debug for TokenIssuer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenIssuer")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

impl TokenIssuer {
    /// An issuer signing with `secret`, stamping `iss`/`aud` when given.
    #[must_use]
    pub fn hs256(
        secret: impl AsRef<str>,
        issuer: Option<String>,
        audience: Option<String>,
    ) -> Self {
        let secret = secret.as_ref();
        let key = (!secret.trim().is_empty()).then(|| EncodingKey::from_secret(secret.as_bytes()));
        Self {
            key,
            issuer,
            audience,
        }
    }

    /// An issuer whose tokens the verifier built from `config` accepts.
    ///
    /// # Errors
    /// [`AuthConfigError::CannotMint`] unless `config` is HS256 (only the public key of
    /// RS256/ES256 is configured); [`AuthConfigError::KeyDoesNotFit`] for HS256 with a PEM.
    pub fn for_config(config: &AuthConfig) -> Result<Self, AuthConfigError> {
        match (config.algorithm, &config.key) {
            (JwtAlgorithm::Hs256, JwtKey::Secret(secret)) => Ok(Self::hs256(
                secret,
                config.issuer.clone(),
                config.audience.clone(),
            )),
            (JwtAlgorithm::Hs256, JwtKey::PublicKeyPem(_)) => {
                Err(AuthConfigError::KeyDoesNotFit(JwtAlgorithm::Hs256))
            }
            (algorithm, _) => Err(AuthConfigError::CannotMint(algorithm)),
        }
    }

    /// A token for `workspace`, with the admin role when `admin`, valid for `ttl` from now.
    /// Its `sub` is `workspace:<id>`.
    ///
    /// # Errors
    /// [`MintError::EmptySecret`] when the issuer has no secret.
    pub fn mint(
        &self,
        workspace: WorkspaceId,
        admin: bool,
        ttl: Duration,
    ) -> Result<String, MintError> {
        let key = self.key.as_ref().ok_or(MintError::EmptySecret)?;
        let now = chrono::Utc::now().timestamp();
        let ttl = i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX);
        let claims = MintedClaims {
            sub: format!("workspace:{workspace}"),
            workspace_id: workspace.to_string(),
            role: admin.then_some(ADMIN_ROLE),
            iat: now,
            exp: now.saturating_add(ttl),
            iss: self.issuer.as_deref(),
            aud: self.audience.as_deref(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, key)
            .map_err(MintError::Signing)
    }
}
