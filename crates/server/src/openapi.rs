//! The OpenAPI 3.1 document at `/openapi.json`, generated from the handlers' annotations.

use crate::auth::require;
use crate::error::ApiResult;
use crate::state::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use corridor_store::Role;
use std::sync::Arc;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "corridor", description = "Humanitarian corridors and access on real road data: OSRM-compatible routing with front lines, closures and incident risk; scenarios, their incident log, and the siege, evacuation and access analyses."),
    paths(
        crate::health,
        document,
        crate::osrm::route, crate::osrm::nearest, crate::osrm::table,
        crate::api::list_scenarios, crate::api::create_scenario, crate::api::get_scenario,
        crate::api::new_version, crate::api::history,
        crate::api::list_incidents, crate::api::add_incidents, crate::api::retract_incident,
        crate::api::siege, crate::api::evacuate, crate::api::access, crate::api::isochrone,
        crate::api::list_tokens, crate::api::create_token, crate::api::revoke_token,
    ),
    components(schemas(crate::error::ErrorBody, crate::api::NewToken, crate::api::Retraction)),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// `GET /openapi.json` (viewer).
#[utoipa::path(get, path = "/openapi.json", tag = "service",
    responses((status = 200, description = "this document", body = Object)),
    security(("bearer" = [])))]
pub async fn document(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
) -> ApiResult<Json<utoipa::openapi::OpenApi>> {
    require(&st, &headers, Role::Viewer).await?;
    Ok(Json(ApiDoc::openapi()))
}
