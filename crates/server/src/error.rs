//! Every failure as a 4xx/5xx JSON body `{"code", "message"}`. The OSRM endpoints use OSRM's
//! codes (`InvalidUrl`, `InvalidQuery`, `InvalidValue`, `NoSegment`, `NoRoute`, all HTTP 400 as
//! osrm-routed answers); the `/v1` API uses its own (`Unauthorized`, `Forbidden`, `NotFound`,
//! `Conflict`, `InvalidInput`, `TooLarge`, `Internal`).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use corridor_store::StoreError;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// A machine-readable code (OSRM's on the OSRM endpoints).
    pub code: String,
    /// One line naming the problem (the argument, line or feature).
    pub message: String,
}

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            body: ErrorBody {
                code: code.to_string(),
                message: message.into(),
            },
        }
    }

    /// An OSRM error: HTTP 400 with OSRM's code.
    pub fn osrm(code: &str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn invalid(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "InvalidInput", message)
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "NotFound", message)
    }

    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "Internal", message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::NotFound(m) => ApiError::not_found(m),
            StoreError::Conflict(m) => ApiError::new(StatusCode::CONFLICT, "Conflict", m),
            StoreError::Backend(m) => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "StoreUnavailable",
                format!("{m} (nothing was written)"),
            ),
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
