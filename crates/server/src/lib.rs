//! `corridor serve`: the analyses over HTTP. OSRM-compatible routing (`osrm`), scenarios and
//! their incident log (`api`), tokens and roles (`auth`), the OpenAPI document (`openapi`).
//! The server holds the map and the live scenarios (`state`, `live`) and keeps its durable
//! state in a `corridor_store::Store`; the analyses themselves stay in their crates.

pub mod api;
pub mod auth;
pub mod error;
pub mod live;
pub mod openapi;
pub mod osrm;
pub mod osrm_query;
pub mod osrm_shape;
pub mod state;
pub mod web;

use anyhow::{Context, Result};
use axum::extract::{DefaultBodyLimit, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use corridor_app::maps::LoadedMap;
use corridor_store::Store;
use serde_json::{json, Value};
use state::AppState;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// Largest request body (scenario upload, incident CSV): 32 MiB. Larger bodies get 413.
pub const UPLOAD_LIMIT_BYTES: usize = 32 * 1024 * 1024;

/// What `corridor serve` was asked to do (the CLI resolves defaults and paths).
pub struct ServeOptions {
    pub map: LoadedMap,
    /// Scenario manifests to store (as a new version when changed) and serve.
    pub scenarios: Vec<PathBuf>,
    pub addr: SocketAddr,
    pub store: Arc<dyn Store>,
    pub public_read: bool,
}

/// Every route of the service.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/openapi.json", get(openapi::document))
        .route("/route/v1/{profile}/{coordinates}", get(osrm::route))
        .route("/nearest/v1/{profile}/{coordinates}", get(osrm::nearest))
        .route("/table/v1/{profile}/{coordinates}", get(osrm::table))
        .route(
            "/v1/scenarios",
            get(api::list_scenarios).post(api::create_scenario),
        )
        .route("/v1/scenarios/{id}", get(api::get_scenario))
        .route("/v1/scenarios/{id}/versions", post(api::new_version))
        .route("/v1/scenarios/{id}/history", get(api::history))
        .route(
            "/v1/scenarios/{id}/incidents",
            get(api::list_incidents).post(api::add_incidents),
        )
        .route(
            "/v1/scenarios/{id}/incidents/{incident}/retract",
            post(api::retract_incident),
        )
        .route("/v1/scenarios/{id}/siege", get(api::siege))
        .route("/v1/scenarios/{id}/evacuate", get(api::evacuate))
        .route("/v1/scenarios/{id}/access", get(api::access))
        .route("/v1/scenarios/{id}/isochrone", get(api::isochrone))
        .route("/v1/tokens", get(api::list_tokens).post(api::create_token))
        .route("/v1/tokens/{token}/revoke", post(api::revoke_token))
        .merge(web::routes())
        .fallback(api::not_found)
        .layer(DefaultBodyLimit::max(UPLOAD_LIMIT_BYTES))
        .with_state(state)
}

/// `GET /health`: answers without a token once the map and scenarios are loaded.
#[utoipa::path(get, path = "/health", tag = "service",
    responses((status = 200, description = "ready: map checksum, scenarios, store", body = Object)))]
pub async fn health(State(st): State<Arc<AppState>>) -> Json<Value> {
    Json(json!({
        "status": "ok",
        "map": {"source": st.map.graph.meta.source_file, "sha256": st.map.graph.meta.source_sha256},
        "scenarios": st.scenario_ids(),
        "store": st.store.describe(),
    }))
}

/// Loads the scenarios into the store and the server, binds, serves until SIGTERM or Ctrl-C,
/// then drains the requests in flight and returns.
pub fn run(opts: ServeOptions) -> Result<()> {
    let state = Arc::new(AppState::new(opts.map, opts.store, opts.public_read));
    for path in &opts.scenarios {
        api::import_manifest(&state, path)?;
    }
    state.reload_all().context("loading the stored scenarios")?;
    watch_other_servers(&state)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(serve(state, opts.addr))
}

/// Reloads a scenario whenever another server changed it (PostgreSQL `NOTIFY`).
fn watch_other_servers(state: &Arc<AppState>) -> Result<()> {
    let st = state.clone();
    state.store.watch(Box::new(move |id: &str| {
        let result = if id == "*" {
            st.reload_all()
        } else {
            st.reload(id).map(|_| ())
        };
        if let Err(e) = result {
            eprintln!("corridor serve: reloading scenario '{id}' after a change elsewhere: {e:#}");
        }
    }))?;
    Ok(())
}

async fn serve(state: Arc<AppState>, addr: SocketAddr) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("--addr {addr}: cannot listen"))?;
    serve_listener(listener, state, shutdown_signal()).await
}

/// Serves on a bound listener until `shutdown` completes, then drains requests in flight. Tests
/// bind `127.0.0.1:0` and pass their own shutdown.
pub async fn serve_listener(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let bound = listener.local_addr()?;
    eprintln!(
        "corridor serve: listening on http://{bound} (map {}, scenarios: {}; store {})",
        state.map.graph.meta.source_file,
        state.scenario_ids().join(", "),
        state.store.describe()
    );
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
        .context("serving")?;
    eprintln!("corridor serve: stopped");
    Ok(())
}

/// SIGTERM (what service managers and `kill` send) or Ctrl-C.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    eprintln!("corridor serve: shutting down, draining requests in flight");
}
