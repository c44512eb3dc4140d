//! Bearer tokens and roles. Every endpoint but `/health` takes an `Authorization: Bearer …`
//! header; the token's role must reach what the endpoint needs. With `--public-read`, reads
//! (viewer endpoints) need no token.

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::http::{HeaderMap, StatusCode};
use chrono::Datelike;
use corridor_store::{Role, TokenInfo};
use std::sync::Arc;

/// Who is calling: the token (`None` only for public reads).
#[derive(Debug, Clone)]
pub struct Caller {
    pub token: Option<TokenInfo>,
}

impl Caller {
    /// The token id every write records.
    pub fn actor(&self) -> Option<i64> {
        self.token.as_ref().map(|t| t.id)
    }
}

/// Checks the request's token against `needed`: 401 when it is missing, malformed, unknown,
/// revoked or expired (`TokenExpired`); 403 when its role is below `needed`.
pub async fn require(
    state: &Arc<AppState>,
    headers: &HeaderMap,
    needed: Role,
) -> ApiResult<Caller> {
    let header = headers.get(axum::http::header::AUTHORIZATION);
    let Some(header) = header else {
        if state.public_read && needed == Role::Viewer {
            return Ok(Caller { token: None });
        }
        return Err(unauthorized(
            "no token: send 'Authorization: Bearer TOKEN' (see `corridor token create`)",
        ));
    };
    let secret = header
        .to_str()
        .ok()
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| unauthorized("the Authorization header must be 'Bearer TOKEN'"))?
        .to_string();
    let store = state.store.clone();
    let token = tokio::task::spawn_blocking(move || store.authenticate(&secret))
        .await
        .map_err(|e| ApiError::internal(format!("token check failed: {e}")))??
        .ok_or_else(|| unauthorized("unknown or revoked token"))?;
    refuse_expired(&token)?;
    if token.role < needed {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "Forbidden",
            format!(
                "this needs the {} role; the token has {}",
                needed.name(),
                token.role.name()
            ),
        ));
    }
    Ok(Caller { token: Some(token) })
}

/// A token's expiry from `expires` DATE (the end of that day, UTC) or `expires_in` DAYS (from
/// now), in the store's time format; neither: `None`, it never expires. (`token create
/// --expires/--expires-in`, `POST /v1/tokens`.) Errors start with the option's name.
pub fn expiry(date: Option<&str>, days: Option<u32>) -> Result<Option<String>, String> {
    const FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.3fZ";
    if let Some(d) = date {
        let day = chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .ok()
            .filter(|day| (0..=9998).contains(&day.year()))
            .ok_or_else(|| {
                format!("expires '{d}': expected a date YYYY-MM-DD (year 0000 to 9998)")
            })?;
        let end = day
            .succ_opt()
            .and_then(|n| n.and_hms_opt(0, 0, 0))
            .ok_or_else(|| format!("expires '{d}': out of range"))?;
        return Ok(Some(end.format(FORMAT).to_string()));
    }
    let Some(n) = days else { return Ok(None) };
    if n > MAX_EXPIRES_IN_DAYS {
        return Err(format!(
            "expires-in {n} days: at most {MAX_EXPIRES_IN_DAYS} (100 years); omit it for a token that never expires"
        ));
    }
    // Checked: the stored time is compared as a string, so it must stay a four-digit year.
    let end = chrono::Utc::now()
        .checked_add_signed(chrono::Duration::days(i64::from(n)))
        .ok_or_else(|| format!("expires-in {n} days: out of range"))?;
    Ok(Some(end.format(FORMAT).to_string()))
}

/// The longest `expires_in_days` accepted: 100 years. Longer is "never" in all but name, and a
/// bound keeps the stored time a four-digit year (a fuzzed 95,005,450 days overflowed the clock).
pub const MAX_EXPIRES_IN_DAYS: u32 = 36_525;

/// 401 `TokenExpired` once the token's `expires_at` has passed, saying when.
fn refuse_expired(token: &TokenInfo) -> ApiResult<()> {
    match &token.expires_at {
        Some(at) if token.expired_at(&corridor_store::now()) => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "TokenExpired",
            format!(
                "token {} expired at {at}: ask an admin for a new one (`corridor token create --expires-in DAYS`)",
                token.id
            ),
        )),
        _ => Ok(()),
    }
}

fn unauthorized(message: &str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "Unauthorized", message)
}
