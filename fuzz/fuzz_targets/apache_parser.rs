//! Any bytes: the Apache parser returns directives or a positioned error, never panics; a
//! tree is then resolved as an .htaccess for a few requests.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use why401::server::apache::{Config, Kind, effective, parse::TreeParser};

fuzz_target!(|data: &[u8]| {
    let mut tree = TreeParser::new(Path::new("/nonexistent-why401-fuzz").to_path_buf());
    let Ok(root) = tree.text(data, Path::new("/nonexistent-why401-fuzz/.htaccess")) else {
        return;
    };
    let config = Config {
        kind: Kind::Htaccess,
        main: "/nonexistent-why401-fuzz/.htaccess".into(),
        server_root: "/nonexistent-why401-fuzz".into(),
        server_root_from: "fuzz",
        root,
        files: Vec::new(),
        skipped: Vec::new(),
    };
    for path in ["/", "/admin/index.php", "/.htpasswd"] {
        let req = effective::Request { host: Some("example.com"), path, client: None, user: Some("alice") };
        let _ = effective::evaluate(&config, &req);
    }
});
