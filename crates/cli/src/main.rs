//! `corridor`: the command-line front of the corridor engine. A thin layer: parse arguments,
//! load files, call the library crates, print JSON to stdout and logs to stderr.

mod access_cmd;
mod bench;
mod brief;
mod convoy_cmd;
mod demo;
mod dimacs;
mod evacuate_cmd;
mod maps;
mod route;
mod scenario_cmd;
mod serve_cmd;
mod siege_cmd;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "corridor",
    version,
    about = "Planning and monitoring humanitarian corridors and access on real road data",
    long_about = None
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Import an OpenStreetMap .osm.pbf extract into a road graph file (foot and car profiles),
    /// or, with `--dimacs`, prepare a DIMACS/PACE topology into a topology file with its
    /// contraction order and CCH (for `bench --dimacs`).
    Import {
        /// The OSM PBF extract to read (with `--dimacs`: the `.gr` or `.gr.xz` topology).
        map: PathBuf,
        /// Where to write the graph file (written to a temporary file, then renamed).
        #[arg(short, long)]
        output: PathBuf,
        /// The input is a DIMACS/PACE `.gr` / `.gr.xz` topology (no coordinates): order it
        /// (METIS), contract it, and store graph, order and CCH.
        #[arg(long)]
        dimacs: bool,
    },
    /// The shortest (or, with a scenario, the safest) route between two points.
    Route(route::RouteArgs),
    /// Check and summarise a scenario.
    #[command(subcommand)]
    Scenario(scenario_cmd::ScenarioCommand),
    /// Is an enclave besieged, which roads feed it, which cut would close it, when food runs out.
    Siege(siege_cmd::SiegeArgs),
    /// Plan an evacuation through the declared corridors, with its gap to a lower bound.
    Evacuate(evacuate_cmd::EvacuateArgs),
    /// The convoy plan through an aid crossing: safest truck route, backup, timing, deliveries
    /// against the need, and what each road's closure does.
    Convoy(convoy_cmd::ConvoyArgs),
    /// A one-page situation brief (OCHA flash-update form) as HTML, printable to A4, with the
    /// tables as HXL-tagged CSV beside it; the figures as JSON on stdout.
    Brief(brief::BriefArgs),
    /// Who can still reach a working health facility, and what the strikes changed.
    Access(access_cmd::AccessArgs),
    /// The area reachable within given minutes, respecting front lines and closures.
    Isochrone(access_cmd::IsochroneArgs),
    /// Run the main job on the bundled real map: routes, and the example siege scenario (safest
    /// routes, siege, evacuation, health access).
    Demo,
    /// Measure import, queries, scenario updates, evacuation and access on a map.
    Bench(bench::BenchArgs),
    /// Serve the analyses over HTTP: OSRM-compatible routing, scenarios, the incident log.
    Serve(serve_cmd::ServeArgs),
    /// Create, list and revoke the server's access tokens.
    #[command(subcommand)]
    Token(serve_cmd::TokenCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Import {
            map,
            output,
            dimacs: false,
        } => maps::import_command(&map, &output),
        Command::Import {
            map,
            output,
            dimacs: true,
        } => dimacs::import_command(&map, &output),
        Command::Route(args) => route::run(&args),
        Command::Scenario(cmd) => scenario_cmd::run(&cmd),
        Command::Siege(args) => siege_cmd::run(&args),
        Command::Evacuate(args) => evacuate_cmd::run(&args),
        Command::Convoy(args) => convoy_cmd::run(&args),
        Command::Brief(args) => brief::run(&args),
        Command::Access(args) => access_cmd::run_access(&args),
        Command::Isochrone(args) => access_cmd::run_isochrone(&args),
        Command::Demo => demo::run(),
        Command::Bench(args) => bench::run(&args),
        Command::Serve(args) => serve_cmd::serve(&args),
        Command::Token(cmd) => serve_cmd::token(&cmd),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("corridor: error: {e:#}");
            ExitCode::from(1)
        }
    }
}
