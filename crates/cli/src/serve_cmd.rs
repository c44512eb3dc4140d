//! `corridor serve` and `corridor token`: argument parsing and defaults; the server itself is
//! `corridor-server`, the store `corridor-store`.

use crate::demo::bundled;
use crate::maps;
use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use corridor_store::Role;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Args)]
pub struct StoreArgs {
    /// Folder of the SQLite database `corridor.sqlite3` (default: $XDG_DATA_HOME/corridor, else
    /// ~/.local/share/corridor).
    #[arg(long, conflicts_with = "database")]
    pub data_dir: Option<PathBuf>,
    /// A PostgreSQL URL instead of SQLite, e.g. postgres://user:pass@127.0.0.1/corridor. Several
    /// servers on one database behave as one service.
    #[arg(long)]
    pub database: Option<String>,
}

impl StoreArgs {
    fn open(&self) -> Result<Box<dyn corridor_store::Store>> {
        let dir = match &self.data_dir {
            Some(d) => d.clone(),
            None => default_data_dir()?,
        };
        corridor_store::open(self.database.as_deref(), &dir)
    }
}

fn default_data_dir() -> Result<PathBuf> {
    if let Some(x) = std::env::var_os("XDG_DATA_HOME") {
        return Ok(PathBuf::from(x).join("corridor"));
    }
    match std::env::var_os("HOME") {
        Some(h) => Ok(PathBuf::from(h).join(".local/share/corridor")),
        None => bail!("no --data-dir given and neither XDG_DATA_HOME nor HOME is set"),
    }
}

#[derive(Args)]
pub struct ServeArgs {
    /// An OSM .pbf extract to serve (imported on first use and cached by checksum). Default: the
    /// bundled Andorra map, with the example scenario.
    #[arg(long, conflicts_with = "graph")]
    pub map: Option<PathBuf>,
    /// A graph file written by `corridor import`.
    #[arg(long)]
    pub graph: Option<PathBuf>,
    /// A scenario manifest to serve (repeatable). Stored as a scenario named after its folder,
    /// or as a new version of it when its files changed. Scenarios already in the store are
    /// served too.
    #[arg(long = "scenario")]
    pub scenarios: Vec<PathBuf>,
    /// Address to listen on. Loopback by default: serving other machines is a decision (put a
    /// TLS proxy in front).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    #[command(flatten)]
    pub store: StoreArgs,
    /// Let anyone read (routes, analyses, incidents) without a token: for demos only. Writes
    /// still need an editor or admin token.
    #[arg(long)]
    pub public_read: bool,
}

pub fn serve(args: &ServeArgs) -> Result<()> {
    let (map, scenarios) = match (&args.map, &args.graph) {
        (None, None) => {
            let mut sc = args.scenarios.clone();
            if sc.is_empty() {
                sc.push(bundled("data/scenarios/andorra-siege/scenario.toml")?);
            }
            (
                maps::load_map_cached(&bundled("data/andorra.osm.pbf")?)?,
                sc,
            )
        }
        (map, graph) => (
            maps::load(graph.as_deref(), map.as_deref())?,
            args.scenarios.clone(),
        ),
    };
    let store: Arc<dyn corridor_store::Store> = Arc::from(args.store.open()?);
    if !args.addr.ip().is_loopback() {
        eprintln!(
            "corridor serve: listening on {} (not loopback): every endpoint but /health needs a token{}",
            args.addr,
            if args.public_read { ", except reads (--public-read)" } else { "" }
        );
    }
    corridor_server::run(corridor_server::ServeOptions {
        map,
        scenarios,
        addr: args.addr,
        store,
        public_read: args.public_read,
    })
}

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Create a token and print its secret (shown once; stored only as a hash).
    Create {
        /// viewer (reads), editor (adds and retracts incidents, new scenario versions) or admin
        /// (also manages tokens).
        #[arg(long)]
        role: String,
        /// Who holds it, for the token list.
        #[arg(long, default_value = "")]
        label: String,
        /// Last day it works (YYYY-MM-DD, UTC): it expires at the end of that day.
        #[arg(long, conflicts_with = "expires_in")]
        expires: Option<String>,
        /// Days it works from now (it expires this many times 24 h from now).
        #[arg(long)]
        expires_in: Option<u32>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// List tokens (never their secrets).
    List {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Revoke a token by id: it stops working at once.
    Revoke {
        id: i64,
        #[command(flatten)]
        store: StoreArgs,
    },
}

pub fn token(cmd: &TokenCommand) -> Result<()> {
    match cmd {
        TokenCommand::Create {
            role,
            label,
            expires,
            expires_in,
            store,
        } => {
            let r = Role::parse(role)
                .with_context(|| format!("--role '{role}': expected viewer, editor or admin"))?;
            let expires_at = corridor_server::auth::expiry(expires.as_deref(), *expires_in)
                .map_err(|e| anyhow::anyhow!("--{e}"))?;
            let (info, secret) =
                store
                    .open()?
                    .create_token_expiring(r, label, expires_at.as_deref(), None)?;
            eprintln!(
                "corridor: token {} ({}) created{}; the secret below is shown only now",
                info.id,
                r.name(),
                match &info.expires_at {
                    Some(at) if info.expired_at(&corridor_store::now()) =>
                        format!(", already expired (at {at})"),
                    Some(at) => format!(", expires at {at}"),
                    None => ", never expires".into(),
                }
            );
            println!("{secret}");
        }
        TokenCommand::List { store } => {
            let list = store.open()?.tokens()?;
            println!("{}", serde_json::to_string_pretty(&list)?);
        }
        TokenCommand::Revoke { id, store } => {
            let info = store.open()?.revoke_token(*id, None)?;
            println!("{}", serde_json::to_string_pretty(&info)?);
        }
    }
    Ok(())
}

/// The demo's last lines: how to start the server on the bundled map and example scenario.
pub fn how_to_start() -> &'static str {
    "Serve it over HTTP (OSRM-compatible /route/v1, scenarios, incidents; loopback only):\n  \
     cargo run --release -- token create --role admin      # prints a token, once\n  \
     cargo run --release -- serve                          # http://127.0.0.1:8080\n  \
     curl -H \"Authorization: Bearer TOKEN\" 'http://127.0.0.1:8080/route/v1/foot/1.5218,42.5063;1.5383,42.5114?scenario=andorra-siege&mode=safest'"
}
