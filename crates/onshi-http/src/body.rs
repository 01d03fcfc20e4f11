//! Reading a JSON request body with the contract's error codes:
//! malformed JSON → 400 `malformed_json`; an unknown field → 422 `unknown_field`; a missing required field →
//! 422 `missing_field`; a value of the wrong type or spelling → 422 `invalid_value`; each with the JSON path.
//! (Dates and identifiers arrive as strings; the use-cases give them their own codes.)

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use onshi_service::{ErrorKind, ServiceError};
use serde::de::DeserializeOwned;

use crate::{ApiError, MAX_BODY};

/// A JSON body of type `T`, read with the contract's error codes.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError(
                    ServiceError::new(
                        ErrorKind::TooLarge,
                        "payload_too_large",
                        format!("the request body is larger than {MAX_BODY} bytes"),
                    )
                    .next("send one record per request, or use a bulk file tool"),
                )
            } else {
                // the body could not be read to its end (a broken connection, a bad transfer encoding)
                ApiError(
                    ServiceError::new(
                        ErrorKind::BadRequest,
                        "malformed_json",
                        format!("the request body could not be read: {}", e.body_text()),
                    )
                    .because("unreadable_body")
                    .next("send the whole body again, as one JSON object in UTF-8"),
                )
            }
        })?;
        parse(&bytes).map(JsonBody).map_err(ApiError)
    }
}

/// Parses `bytes` as a `T`, classifying every failure.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ServiceError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize::<_, T>(&mut de).map_err(|e| {
        let path = e.path().to_string();
        classify(e.into_inner(), &path)
    })?;
    de.end().map_err(|e| classify(e, "."))?;
    Ok(value)
}

/// The name between the first pair of backticks of a serde message (`unknown field `x``).
fn quoted(msg: &str) -> Option<&str> {
    let start = msg.find('`')? + 1;
    let len = msg[start..].find('`')?;
    Some(&msg[start..start + len])
}

fn join(path: &str, name: &str) -> String {
    if path == "." || path.is_empty() { name.to_owned() } else { format!("{path}.{name}") }
}

fn classify(e: serde_json::Error, path: &str) -> ServiceError {
    use serde_json::error::Category;
    let msg = e.to_string();
    match e.classify() {
        Category::Syntax | Category::Eof | Category::Io => {
            ServiceError::new(ErrorKind::BadRequest, "malformed_json", format!("the body is not valid JSON: {msg}"))
                .next("send a JSON object in UTF-8")
        }
        Category::Data if msg.starts_with("unknown field") => {
            let name = quoted(&msg).unwrap_or("?");
            // serde_path_to_error already ends the path with the unknown field's name.
            let field = if path.ends_with(name) { path.to_owned() } else { join(path, name) };
            ServiceError::invalid("unknown_field", &field, format!("unknown field `{name}`"))
                .next("remove the field or correct its spelling (see GET /openapi.json)")
        }
        Category::Data if msg.starts_with("missing field") => {
            let name = quoted(&msg).unwrap_or("?");
            ServiceError::invalid("missing_field", &join(path, name), format!("missing field `{name}`"))
                .next("add the field named in `field`: GET /openapi.json lists each body's required fields")
        }
        Category::Data => {
            let field = if path == "." { "$".to_owned() } else { path.to_owned() };
            let (reason, next) = if path == "." {
                ("not_an_object", "send a JSON object, {\"field\": value, …}, not an array or a bare value")
            } else if msg.starts_with("invalid type") {
                ("wrong_type", "give the field the JSON type GET /openapi.json names (a string, a number …)")
            } else {
                ("not_accepted", "give one of the values the message lists (GET /openapi.json has them all)")
            };
            ServiceError::invalid("invalid_value", &field, msg).because(reason).next(next)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use onshi_service::api::{EnrolBody, LossBody};

    #[test]
    fn classifies_each_kind_of_bad_body() {
        let e = parse::<LossBody>(b"{").err().map(|e| e.code);
        assert_eq!(e, Some("malformed_json"));
        let e = parse::<LossBody>(b"").err().map(|e| e.code);
        assert_eq!(e, Some("malformed_json"));
        let e = parse::<LossBody>(br#"{"lost_on": "2024-01-01"} x"#).err().map(|e| e.code);
        assert_eq!(e, Some("malformed_json"));
        let e = parse::<LossBody>(br#"{"lost_on": "2024-01-01", "why": 1}"#).err();
        assert_eq!(e.as_ref().map(|e| e.code), Some("unknown_field"));
        assert_eq!(e.and_then(|e| e.field), Some("why".to_owned()));
        let e = parse::<LossBody>(br#"{}"#).err();
        assert_eq!(e.as_ref().map(|e| e.code), Some("missing_field"));
        assert_eq!(e.and_then(|e| e.field), Some("lost_on".to_owned()));
        let e = parse::<LossBody>(br#"{"lost_on": 5}"#).err();
        assert_eq!(e.as_ref().map(|e| e.code), Some("invalid_value"));
        assert_eq!(e.and_then(|e| e.field), Some("lost_on".to_owned()));
        let e = parse::<LossBody>(br#"[]"#).err().map(|e| e.code);
        assert_eq!(e, Some("invalid_value"));
        let body = br#"{"insurer_number":"01130012","number":"1","branch":"00","relationship":"cousin",
            "name":"a","name_kana":"a","birth_date":"2000-01-01","sex":"male","address":"a","acquired_on":"2024-01-01"}"#;
        let e = parse::<EnrolBody>(body).err();
        assert_eq!(e.as_ref().map(|e| e.code), Some("invalid_value"));
        assert_eq!(e.and_then(|e| e.field), Some("relationship".to_owned()));
    }

    #[test]
    fn reads_a_good_body() {
        let b = parse::<LossBody>(br#"{"lost_on": "2024-11-01"}"#).map(|b| b.lost_on);
        assert_eq!(b.ok().as_deref(), Some("2024-11-01"));
    }
}
