//! The built page (`web/dist/`), embedded at compile time.
//!
//! `web/build.mjs` writes exactly these files; `web/tests/dist_matches_source.test.mjs` (run by
//! `.ci/run`) rebuilds them into a temporary folder and fails if they differ from the committed
//! ones, so the binary always carries what the source says.

use sha2::{Digest, Sha256};

/// One embedded file.
pub struct Asset {
    pub bytes: &'static [u8],
    pub content_type: &'static str,
}

impl Asset {
    /// A strong ETag: the SHA-256 of the bytes, so a browser revalidates cheaply.
    pub fn etag(&self) -> String {
        let digest = Sha256::digest(self.bytes);
        let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
        format!("\"{hex}\"")
    }
}

const INDEX_HTML: &[u8] = include_bytes!("../../../web/dist/index.html");
const APP_JS: &[u8] = include_bytes!("../../../web/dist/app.js");
const APP_CSS: &[u8] = include_bytes!("../../../web/dist/app.css");
const WORKER_JS: &[u8] = include_bytes!("../../../web/dist/worker.js");

/// The file served at `path` (one of `PATHS`), if any.
pub fn get(path: &str) -> Option<Asset> {
    let (bytes, content_type) = match path {
        "/" | "/index.html" => (INDEX_HTML, "text/html; charset=utf-8"),
        "/app.js" => (APP_JS, "text/javascript; charset=utf-8"),
        "/app.css" => (APP_CSS, "text/css; charset=utf-8"),
        "/worker.js" => (WORKER_JS, "text/javascript; charset=utf-8"),
        _ => return None,
    };
    Some(Asset {
        bytes,
        content_type,
    })
}

/// Every path `get` answers, for the server's router.
pub const PATHS: [&str; 5] = ["/", "/index.html", "/app.js", "/app.css", "/worker.js"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_path_has_an_asset_and_the_page_links_the_bundle() {
        for p in PATHS {
            let a = get(p).unwrap_or_else(|| panic!("{p}"));
            assert!(!a.bytes.is_empty(), "{p} is empty");
        }
        let html = std::str::from_utf8(get("/").unwrap().bytes).unwrap();
        assert!(html.contains("app.js") && html.contains("app.css"));
        assert!(!html.contains("http://") && !html.contains("https://"));
        assert!(get("/missing.js").is_none());
        assert_ne!(
            get("/app.js").unwrap().etag(),
            get("/app.css").unwrap().etag()
        );
    }
}
