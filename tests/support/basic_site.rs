//! A tiny site on 127.0.0.1 that guards /admin with Basic auth (realm "staff"), for tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;

/// The only user the site accepts.
pub const USER: &str = "alice";
pub const PASSWORD: &str = "correct horse";

async fn admin(headers: HeaderMap) -> impl IntoResponse {
    use base64::Engine as _;
    let good = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"))
    );
    if headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        == Some(good.as_str())
    {
        (StatusCode::OK, [(header::WWW_AUTHENTICATE, "")], "welcome").into_response()
    } else {
        (
            StatusCode::UNAUTHORIZED,
            [(
                header::WWW_AUTHENTICATE,
                "Basic realm=\"staff\", charset=\"UTF-8\"",
            )],
            "who are you?",
        )
            .into_response()
    }
}

/// Serves the site in a background thread; returns its base URL (`http://127.0.0.1:PORT`).
pub fn start() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let app = axum::Router::new()
                .route("/admin", get(admin))
                .route("/open", get(|| async { "open" }));
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    format!("http://{addr}")
}
