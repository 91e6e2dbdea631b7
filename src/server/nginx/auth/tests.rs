use std::path::Path;

use super::*;

fn verdict(conf: &str, path: &str, header: Option<&str>) -> Verdict {
    let c = Config::parse_str(conf, Path::new("t.conf"), Path::new("/etc/nginx")).unwrap();
    evaluate(
        &c,
        &Request {
            host: None,
            path,
            auth_header: header,
            ..Request::default()
        },
    )
}

fn codes(v: &Verdict) -> Vec<&str> {
    v.problems.iter().map(|p| p.code).collect()
}

#[test]
fn inheritance_and_off() {
    let conf = "server { auth_basic \"Site\"; auth_basic_user_file htpasswd;\n\
                location /pub/ { auth_basic off; }\n\
                location /api/ { auth_request /auth; auth_basic off; }\n\
                location /both/ { auth_request /auth; } }";
    let v = verdict(conf, "/x", None);
    assert_eq!(v.effective.scheme, Scheme::Basic);
    assert_eq!(v.effective.realm.as_deref(), Some("Site"));
    assert_eq!(
        v.user_file.as_deref(),
        Some(Path::new("/etc/nginx/htpasswd"))
    );
    assert_eq!(codes(&v), ["user-file-relative"]);
    assert_eq!(verdict(conf, "/pub/a", None).effective.scheme, Scheme::Off);
    assert_eq!(
        verdict(conf, "/api/a", None).effective.scheme,
        Scheme::Request
    );
    let both = verdict(conf, "/both/", None);
    assert_eq!(both.effective.scheme, Scheme::Basic);
    assert!(
        both.effective
            .require
            .unwrap()
            .contains("auth_request /auth")
    );
}

#[test]
fn satisfy_any_with_allow_all_is_flagged() {
    let conf = "location / { satisfy any; allow all; auth_basic \"x\"; auth_basic_user_file /h; }";
    let v = verdict(conf, "/", None);
    assert_eq!(v.effective.satisfy, "any");
    assert_eq!(codes(&v), ["satisfy-any-allow-all"]);
}

#[test]
fn fastcgi_forwarding() {
    let hidden = verdict(
        "location ~ \\.php$ { fastcgi_param HTTP_AUTHORIZATION \"\"; fastcgi_pass unix:/s; }",
        "/a.php",
        None,
    );
    assert_eq!(codes(&hidden), ["auth-not-forwarded-to-app"]);
    let off = verdict(
        "location ~ \\.php$ { fastcgi_pass_request_headers off; fastcgi_pass unix:/s; }",
        "/a.php",
        None,
    );
    assert_eq!(codes(&off), ["auth-not-forwarded-to-app"]);
    // nginx passes every request header as HTTP_* by default.
    let default = verdict(
        "location ~ \\.php$ { include fastcgi_params; fastcgi_pass unix:/s; }"
            .replace("include fastcgi_params; ", "")
            .as_str(),
        "/a.php",
        None,
    );
    assert!(codes(&default).is_empty());
}

#[test]
fn inner_proxy_set_header_discards_the_outer_authorization_rule() {
    let conf = "proxy_set_header Authorization $http_x_token;\n\
                location /api/ { proxy_set_header Host $host; proxy_pass http://b; }";
    let v = verdict(conf, "/api/", None);
    assert_eq!(v.effective.forwards_authorization, Some(true));
    assert_eq!(codes(&v), ["proxy-set-header-discarded"]);
}

#[test]
fn incomplete_auth_basic_means_no_auth() {
    let v = verdict("location / { auth_basic \"x\"; }", "/", None);
    assert_eq!(v.effective.scheme, Scheme::None);
    assert_eq!(codes(&v), ["auth-config-incomplete"]);
}

#[test]
fn underscore_rule_needs_both_settings() {
    let base = "location / { }";
    assert_eq!(
        codes(&verdict(base, "/", Some("X_KEY"))),
        ["underscore-header-dropped"]
    );
    assert!(codes(&verdict(base, "/", Some("X-KEY"))).is_empty());
    assert!(
        codes(&verdict(
            &format!("ignore_invalid_headers off; {base}"),
            "/",
            Some("X_KEY")
        ))
        .is_empty()
    );
}

#[test]
fn user_file_in_root_is_served_unless_denied() {
    let open = "root /srv/www; auth_basic \"x\"; auth_basic_user_file /srv/www/.htpasswd;\n\
                location / { } location /.htpasswd { auth_basic off; }";
    assert!(verdict(open, "/", None).user_file_served);
    let denied = format!("{open}\nlocation ~ /\\.ht {{ deny all; }}");
    assert!(!verdict(&denied, "/", None).user_file_served);
}
