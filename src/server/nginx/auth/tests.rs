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
    assert_eq!(
        v.effective
            .realm
            .as_ref()
            .map(crate::sanitize::Outside::raw),
        Some("Site")
    );
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
            .raw()
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

fn at_line(v: &Verdict, code: &str) -> Option<usize> {
    v.problems
        .iter()
        .find(|p| p.code == code)
        .and_then(|p| p.at.as_ref().map(|a| a.line))
}

#[test]
fn return_answers_before_the_access_phase() {
    let conf = "server {\n location ~ ^/admin {\n auth_basic \"a\"; auth_basic_user_file /h;\n return 200 \"hi\";\n }\n\
                location /fixed/ { add_header WWW-Authenticate 'Basic realm=\"x\"' always; return 401; }\n}";
    let v = verdict(conf, "/admin/x", None);
    assert_eq!(v.effective.returns, Some(200));
    assert_eq!(v.effective.status_anonymous, Some(200));
    assert_eq!(v.effective.scheme, Scheme::None);
    assert_eq!(at_line(&v, "return-before-auth"), Some(4));
    let fixed = verdict(conf, "/fixed/", None);
    assert_eq!(fixed.effective.status_anonymous, Some(401));
    assert!(
        fixed
            .effective
            .require
            .unwrap()
            .raw()
            .contains("WWW-Authenticate: Basic")
    );
}

#[test]
fn satisfy_any_is_either_and_all_is_both() {
    let any = verdict(
        "location / { satisfy any; auth_basic \"x\"; auth_basic_user_file /h; auth_request /auth; }",
        "/",
        None,
    );
    assert!(
        any.effective
            .require
            .unwrap()
            .raw()
            .starts_with("valid-user or auth_request")
    );
    let all = verdict(
        "location / { auth_basic \"x\"; auth_basic_user_file /h; auth_request /auth; }",
        "/",
        None,
    );
    assert!(
        all.effective
            .require
            .unwrap()
            .raw()
            .starts_with("valid-user and auth_request")
    );
}

#[test]
fn named_locations_are_followed_for_the_proxy() {
    let conf = "server {\n location / { try_files $uri $uri/index.html @gitlab; }\n\
                location @gitlab { proxy_set_header Authorization $http_authorization; proxy_pass http://127.0.0.1:8080; }\n}";
    let v = verdict(conf, "/group/project", None);
    assert_eq!(
        v.effective.proxy_target.as_ref().map(Outside::raw),
        Some("http://127.0.0.1:8080")
    );
    assert_eq!(v.effective.forwards_authorization, Some(true));
    // The matched location is the one the URI chose, at its own line.
    assert_eq!(v.effective.at.as_ref().map(|a| a.line), Some(2));
}

#[test]
fn authorization_from_auth_request_set_is_on_purpose() {
    let conf = "location /api/ { auth_request /auth; auth_request_set $token $upstream_http_x_token;\n\
                proxy_set_header Authorization $token; proxy_pass http://b; }";
    let v = verdict(conf, "/api/x", None);
    assert_eq!(codes(&v), ["authorization-from-auth-request"]);
    assert_eq!(v.problems[0].severity, crate::server::Severity::Note);
}

#[test]
fn credentials_in_config_values_are_not_printed() {
    let conf = "location /api/ { proxy_set_header Authorization \"Basic c2VjcmV0OnMzY3IzdA==\";\n\
                proxy_pass http://svc:hunter2@10.0.0.1:8080/; }";
    let v = verdict(conf, "/api/x", None);
    let text = format!("{:?} {:?}", v.problems, v.effective);
    assert!(
        !text.contains("c2VjcmV0") && !text.contains("hunter2"),
        "{text}"
    );
    assert_eq!(
        v.effective.proxy_target.as_ref().map(Outside::raw),
        Some("http://***@10.0.0.1:8080/")
    );
}

#[test]
fn variable_user_files_are_not_looked_up() {
    let v = verdict(
        "location / { auth_basic \"x\"; auth_basic_user_file conf/$arg_f; }",
        "/",
        None,
    );
    assert_eq!(v.user_file, None);
    assert_eq!(v.effective.status_anonymous, Some(401));
    assert_eq!(codes(&v), ["user-file-variable"]);
}

#[test]
fn regexes_that_cannot_match_are_not_reported() {
    // An invalid pattern even for PCRE: reported only where its literal start allows a match.
    let conf = "location ~ ^/admin/(?<broken { deny all; }";
    assert!(codes(&verdict(conf, "/public/", None)).is_empty());
    assert_eq!(
        codes(&verdict(conf, "/admin/x", None)),
        ["regex-not-evaluated"]
    );
}

#[test]
fn what_is_not_evaluated_is_said_with_its_line() {
    let conf = "server {\n if ($http_x_internal) { return 200; }\n location / {\n auth_jwt \"api\";\n\
                if ($request_method = OPTIONS) { add_header X-A 1; }\n }\n}";
    let v = verdict(conf, "/", None);
    let lines: Vec<(&str, usize)> = v
        .problems
        .iter()
        .map(|p| (p.code, p.at.as_ref().map_or(0, |a| a.line)))
        .collect();
    assert_eq!(
        lines,
        [("if-not-evaluated", 2), ("directive-not-evaluated", 4)]
    );
}

#[test]
fn limit_except_without_get_applies_to_get() {
    let conf = "location /a/ { limit_except POST { deny all; } }\n\
                location /b/ { limit_except GET { deny all; } }";
    assert_eq!(
        verdict(conf, "/a/", None).effective.status_anonymous,
        Some(403)
    );
    assert_eq!(
        verdict(conf, "/b/", None).effective.status_anonymous,
        Some(200)
    );
}
