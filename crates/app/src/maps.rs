//! Finding, importing and caching road graphs: `--graph FILE` loads a graph file, `--map PBF`
//! imports on the fly and caches the graph beside the map, keyed by the map's checksum.

use anyhow::{bail, Result};
use corridor_roads::{file, import, Profile, RoadGraph, Snapper};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Instant;

/// A loaded graph with the identity every result reports.
pub struct LoadedMap {
    pub graph: RoadGraph,
    /// The file the user named (map or graph).
    pub file: PathBuf,
    /// The graph file actually read.
    pub graph_file: PathBuf,
    /// Per profile, the snapping index: built on first use, then shared by every query of the
    /// process.
    snappers: [OnceLock<Snapper>; 2],
}

/// `"map"` in every JSON result: which data the answer rests on.
#[derive(Serialize)]
pub struct MapIdentity {
    pub file: String,
    pub source: String,
    pub sha256: String,
    pub graph: String,
}

impl LoadedMap {
    fn new(graph: RoadGraph, file: &Path, graph_file: &Path) -> LoadedMap {
        LoadedMap {
            graph,
            file: file.to_path_buf(),
            graph_file: graph_file.to_path_buf(),
            snappers: Default::default(),
        }
    }

    /// The snapping index of one profile, built on first use.
    pub fn snapper(&self, p: Profile) -> &Snapper {
        self.snappers[p.index()]
            .get_or_init(|| Snapper::new(self.graph.profile(p), self.graph.meta.bbox))
    }

    pub fn identity(&self) -> MapIdentity {
        MapIdentity {
            file: self.file.display().to_string(),
            source: self.graph.meta.source_file.clone(),
            sha256: self.graph.meta.source_sha256.clone(),
            graph: self.graph_file.display().to_string(),
        }
    }
}

/// `corridor import MAP -o GRAPH`.
pub fn import_command(map: &Path, output: &Path) -> Result<()> {
    let t = Instant::now();
    let g = import::import_pbf(map)?;
    file::save(&g, output)?;
    let size = std::fs::metadata(output).map(|m| m.len()).unwrap_or(0);
    eprintln!(
        "corridor: wrote {} ({:.1} MB) in {:.2} s",
        output.display(),
        size as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Loads from `--graph` or `--map` (exactly one must be given).
pub fn load(graph: Option<&Path>, map: Option<&Path>) -> Result<LoadedMap> {
    match (graph, map) {
        (Some(g), None) => Ok(LoadedMap::new(file::load(g)?, g, g)),
        (None, Some(m)) => load_map_cached(m),
        (Some(_), Some(_)) => bail!("give either --graph or --map, not both"),
        (None, None) => bail!("no map given: use --graph FILE.graph or --map FILE.osm.pbf"),
    }
}

fn cache_dirs(map: &Path) -> Vec<PathBuf> {
    let mut dirs = vec![map
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf()];
    if let Some(x) = std::env::var_os("XDG_CACHE_HOME") {
        dirs.push(PathBuf::from(x).join("corridor"));
    } else if let Some(h) = std::env::var_os("HOME") {
        dirs.push(PathBuf::from(h).join(".cache").join("corridor"));
    }
    dirs.push(std::env::temp_dir().join("corridor-cache"));
    dirs
}

/// Imports `map` unless a graph file for exactly these bytes is cached. The cache key is the
/// map's SHA-256, so an edited map is never answered from a stale graph.
pub fn load_map_cached(map: &Path) -> Result<LoadedMap> {
    let bytes = std::fs::read(map).map_err(|e| {
        anyhow::anyhow!(
            "{}: {}",
            map.display(),
            if e.kind() == std::io::ErrorKind::NotFound {
                "no such file".to_string()
            } else {
                e.to_string()
            }
        )
    })?;
    let sha = import::sha256_hex(&bytes);
    let stem = map
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "map".into());
    let stem = stem.trim_end_matches(".pbf").trim_end_matches(".osm");
    let cache_name = format!("{stem}.{}.graph", &sha[..12]);
    for dir in cache_dirs(map) {
        let p = dir.join(&cache_name);
        if p.exists() {
            match file::load(&p) {
                Ok(g) if g.meta.source_sha256 == sha => return Ok(LoadedMap::new(g, map, &p)),
                Ok(_) => eprintln!("corridor: ignoring {}: built from other data", p.display()),
                Err(e) => eprintln!("corridor: ignoring cached graph: {e}"),
            }
        }
    }
    let name = map
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let g = import::import_pbf_bytes(&bytes, &name, map)?;
    for dir in cache_dirs(map) {
        let _ = std::fs::create_dir_all(&dir);
        // A folder without write bits (a shared, read-only data set) is left alone even when
        // root could write into it.
        if std::fs::metadata(&dir).is_ok_and(|m| m.permissions().readonly()) {
            continue;
        }
        let p = dir.join(&cache_name);
        match file::save(&g, &p) {
            Ok(()) => {
                eprintln!("corridor: cached graph in {}", p.display());
                return Ok(LoadedMap::new(g, map, &p));
            }
            Err(e) => eprintln!("corridor: cannot cache the imported graph: {e}"),
        }
    }
    // Nowhere writable: answer anyway; the next run imports again.
    eprintln!(
        "corridor: warning: no writable cache folder for {}; the graph is not cached",
        map.display()
    );
    Ok(LoadedMap::new(
        g,
        map,
        Path::new("(imported in memory, not cached)"),
    ))
}

/// Parses `LAT,LON` as users type it (as map apps show it) into `[lon, lat]`.
pub fn parse_lat_lon(arg: &str, what: &str) -> Result<[f64; 2]> {
    let bad = || {
        anyhow::anyhow!("{what} '{arg}': expected LAT,LON in decimal degrees, e.g. 42.5078,1.5211")
    };
    let (a, b) = arg.split_once(',').ok_or_else(bad)?;
    let lat: f64 = a.trim().parse().map_err(|_| bad())?;
    let lon: f64 = b.trim().parse().map_err(|_| bad())?;
    if !lat.is_finite() || !lon.is_finite() {
        return Err(bad());
    }
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
        bail!("{what} '{arg}': latitude must be within ±90 and longitude within ±180");
    }
    Ok([lon, lat])
}

#[cfg(test)]
mod tests {
    use super::parse_lat_lon;

    #[test]
    fn coordinates_are_lat_lon() {
        assert_eq!(parse_lat_lon("42.5, 1.52", "--from").unwrap(), [1.52, 42.5]);
        for bad in ["36.2,", "abc", "1;2", "91,0", "0,181", "NaN,1", ""] {
            let e = parse_lat_lon(bad, "--from").unwrap_err().to_string();
            assert!(e.starts_with("--from"), "{e}");
        }
    }
}
