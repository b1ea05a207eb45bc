//! The restJson1 mechanics every operation shares: the caller's region (from the SigV4
//! credential scope), JSON request bodies that fail as `BadRequestException`, epoch-second
//! timestamps, request ids, and the answer to an unknown path.

use std::future::{Future, Ready, ready};
use std::pin::Pin;

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{AUTHORIZATION, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web::{self, Json};
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError};
use chrono::{DateTime, TimeZone, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::SesError;
use crate::model::RegionState;
use crate::state::EmulatorState;

/// The region of a request that carries no SigV4 `Authorization` header.
pub const DEFAULT_REGION: &str = "us-east-1";

/// What an operation handler returns: the JSON output, or the SES error.
pub(crate) type Reply<T> = Result<Json<T>, SesError>;

/// The region a request addresses, with the state to run it against.
///
/// SES is regional and the SDK says which region it means only in the SigV4 credential
/// scope (`Credential=AKID/20261204/us-east-1/ses/aws4_request`), so that is where the
/// region comes from. The signature itself is not checked.
pub(crate) struct Region {
    state: EmulatorState,
    name: String,
}

impl Region {
    /// Runs `operation` against this region's state, under the state lock.
    pub(crate) fn run<T>(
        &self,
        operation: impl FnOnce(&mut RegionState) -> Result<T, SesError>,
    ) -> Reply<T> {
        self.state.with_region(&self.name, operation).map(Json)
    }
}

impl FromRequest for Region {
    type Error = SesError;
    type Future = Ready<Result<Self, SesError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let name = req
            .headers()
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(region_from_authorization)
            .unwrap_or(DEFAULT_REGION)
            .to_owned();
        ready(emulator_state(req).map(|state| Region { state, name }))
    }
}

/// The shared state, registered as app data by the server.
pub(crate) fn emulator_state(req: &HttpRequest) -> Result<EmulatorState, SesError> {
    req.app_data::<EmulatorState>()
        .cloned()
        .ok_or_else(|| SesError::Internal("The emulator state is not registered.".into()))
}

/// Control API handlers take the state as an extractor.
impl FromRequest for EmulatorState {
    type Error = SesError;
    type Future = Ready<Result<Self, SesError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(emulator_state(req))
    }
}

/// The region in the credential scope of a SigV4 `Authorization` header.
fn region_from_authorization(header: &str) -> Option<&str> {
    let credential = header.split_once("Credential=")?.1;
    let credential = credential.split([',', ' ']).next()?;
    // AKID/date/region/service/aws4_request
    let region = credential.split('/').nth(2)?;
    let well_formed = !region.is_empty()
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    well_formed.then_some(region)
}

/// A JSON request body.
///
/// Unlike `web::Json` it accepts a missing body as `{}` (restJson1 clients omit the body
/// when no member is set), ignores the content type, and fails with a
/// `BadRequestException` carrying serde's explanation rather than actix's plain-text 400.
pub(crate) struct Input<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for Input<T> {
    type Error = SesError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, SesError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let body = body.await.map_err(|error| {
                SesError::BadRequest(format!("Unreadable request body: {error}"))
            })?;
            let json: &[u8] = if body.trim_ascii().is_empty() {
                b"{}"
            } else {
                &body
            };
            serde_json::from_slice(json)
                .map(Input)
                .map_err(|error| SesError::BadRequest(format!("Invalid request body: {error}")))
        })
    }
}

/// A timestamp in the restJson1 default format: seconds since the epoch, as a JSON number
/// with millisecond precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct EpochSeconds(pub DateTime<Utc>);

impl Serialize for EpochSeconds {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Millisecond counts stay far below 2^53, so the f64 is exact to the millisecond.
        let millis = self.0.timestamp_millis() as f64;
        serializer.serialize_f64(millis / 1000.0)
    }
}

impl<'de> Deserialize<'de> for EpochSeconds {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let seconds = f64::deserialize(deserializer)?;
        let millis = (seconds * 1000.0).round();
        // `as` saturates out-of-range and non-finite values; chrono or the finiteness
        // check below then rejects them.
        let millis = millis as i64;
        Utc.timestamp_millis_opt(millis)
            .single()
            .filter(|_| seconds.is_finite())
            .map(EpochSeconds)
            .ok_or_else(|| serde::de::Error::custom(format!("timestamp {seconds} is out of range")))
    }
}

impl From<DateTime<Utc>> for EpochSeconds {
    fn from(at: DateTime<Utc>) -> Self {
        Self(at)
    }
}

/// The output of operations that return nothing: SES answers `{}`.
#[derive(Debug, Serialize)]
pub(crate) struct Empty {}

/// Stamps every response with the `x-amzn-RequestId` header SES sends, which the SDK
/// records as the request id.
pub(crate) async fn stamp_request_id(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let mut response = next.call(req).await?;
    if let Ok(id) = HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()) {
        response
            .headers_mut()
            .insert(HeaderName::from_static("x-amzn-requestid"), id);
    }
    Ok(response)
}

/// The answer to a method and path no operation has.
pub(crate) async fn unknown_operation(req: HttpRequest) -> HttpResponse {
    SesError::UnknownOperation(format!(
        "No operation matches {} {}.",
        req.method(),
        req.path()
    ))
    .error_response()
}

/// Path extraction failures (a segment that is not valid percent-encoded UTF-8) answer as
/// a bad request, like every other malformed input.
pub(crate) fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|error, _| {
        SesError::BadRequest(format!("Invalid path parameter: {error}")).into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_region_comes_from_the_credential_scope() {
        let header = "AWS4-HMAC-SHA256 Credential=test/20261204/eu-north-1/ses/aws4_request, \
                      SignedHeaders=host;x-amz-date, Signature=abc";
        assert_eq!(region_from_authorization(header), Some("eu-north-1"));
    }

    #[test]
    fn a_malformed_authorization_header_has_no_region() {
        assert_eq!(region_from_authorization("Bearer token"), None);
        assert_eq!(region_from_authorization("Credential=AKID/20261204"), None);
        assert_eq!(
            region_from_authorization("Credential=AKID/20261204/EU WEST/ses/aws4_request"),
            None
        );
    }

    #[test]
    fn timestamps_are_epoch_seconds_with_milliseconds() {
        let at = Utc.timestamp_millis_opt(1_733_300_000_123).unwrap();
        let json = serde_json::to_string(&EpochSeconds(at)).unwrap();
        assert_eq!(json, "1733300000.123");
        let back: EpochSeconds = serde_json::from_str(&json).unwrap();
        assert_eq!(back.0, at);
        let whole: EpochSeconds = serde_json::from_str("1733300000").unwrap();
        assert_eq!(whole.0.timestamp(), 1_733_300_000);
    }

    #[test]
    fn an_absurd_timestamp_is_rejected() {
        assert!(serde_json::from_str::<EpochSeconds>("1e300").is_err());
    }
}
