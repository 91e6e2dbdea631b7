//! Any bytes: the nginx parser returns a tree or a positioned error, never panics; a tree
//! is then resolved for a few requests.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use why401::server::nginx::{Config, auth, parse::TreeParser};

fuzz_target!(|data: &[u8]| {
    // A prefix with nothing in it: includes resolve to nothing or to a missing file.
    let mut tree = TreeParser::new(Path::new("/nonexistent-why401-fuzz").to_path_buf());
    let Ok(root) = tree.text(data, Path::new("fuzz.conf")) else {
        return;
    };
    let config = Config { main: "fuzz.conf".into(), prefix: "/nonexistent-why401-fuzz".into(), root, files: Vec::new() };
    for path in ["/", "/admin/x", "/a.php", "/.htpasswd"] {
        let req = auth::Request { host: Some("example.com"), path, auth_header: Some("X_API_KEY"), client: None, port: None };
        let _ = auth::evaluate(&config, &req);
    }
});
