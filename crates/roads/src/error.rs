use std::path::PathBuf;

/// Everything that can go wrong reading maps and graph files. Each message is one line that
/// names the file and the problem, because it is what a user sees.
#[derive(Debug, thiserror::Error)]
pub enum RoadsError {
    #[error("{}: {msg}", path.display())]
    Io { path: PathBuf, msg: String },
    #[error("{}: {msg}", path.display())]
    Pbf { path: PathBuf, msg: String },
    #[error("{}: the map contains no roads usable on foot or by car", path.display())]
    NoRoads { path: PathBuf },
    #[error("{}: {msg}", path.display())]
    Graph { path: PathBuf, msg: String },
    #[error("{}: not a corridor graph file ({msg})", path.display())]
    NotAGraph { path: PathBuf, msg: String },
    #[error("{}: graph file format version {found}, this corridor reads version {expected}: re-run `corridor import`", path.display())]
    Version {
        path: PathBuf,
        found: u32,
        expected: u32,
    },
    #[error("{}: graph file is corrupted ({msg}): re-run `corridor import`", path.display())]
    Corrupt { path: PathBuf, msg: String },
}

impl RoadsError {
    pub(crate) fn io(path: &std::path::Path, e: std::io::Error) -> RoadsError {
        let msg = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".to_string(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            _ => e.to_string(),
        };
        RoadsError::Io {
            path: path.to_path_buf(),
            msg,
        }
    }
}
