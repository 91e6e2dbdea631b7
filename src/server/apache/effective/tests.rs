use std::path::Path;

use super::*;
use crate::server::Scheme;

fn verdict(text: &str, kind: Kind, path: &str) -> Verdict {
    let c = Config::parse_str(text, Path::new("/srv/site/.htaccess"), kind).unwrap();
    evaluate(
        &c,
        &Request {
            host: Some("www.example.com"),
            path,
            ..Request::default()
        },
    )
}

fn codes(v: &Verdict) -> Vec<&str> {
    v.problems.iter().map(|p| p.code).collect()
}

const AUTH: &str = "AuthType Basic\nAuthName \"M\"\nAuthUserFile /etc/apache2/.htpasswd\n";

#[test]
fn require_forms() {
    let v = verdict(
        &format!("{AUTH}<RequireAll>\nRequire valid-user\nRequire ip 10.0.0.0/8\n</RequireAll>"),
        Kind::Htaccess,
        "/",
    );
    assert_eq!(v.effective.scheme, Scheme::Basic);
    // Whether it asks depends on the client's address, which is not given.
    assert_eq!(v.access, Access::Depends);
    let any = verdict(
        &format!("{AUTH}Require valid-user\nRequire all granted\n"),
        Kind::Htaccess,
        "/",
    );
    assert_eq!(any.access, Access::Granted);
    assert_eq!(codes(&any), ["auth-config-incomplete"]);
    let denied = verdict(&format!("{AUTH}Require all denied\n"), Kind::Htaccess, "/");
    assert_eq!(denied.access, Access::Denied);
    assert!(codes(&denied).is_empty());
}

#[test]
fn legacy_and_mixed_syntax() {
    let v = verdict(
        &format!("{AUTH}Require valid-user\nOrder allow,deny\nAllow from all\nSatisfy Any\n"),
        Kind::Htaccess,
        "/",
    );
    assert_eq!(v.access, Access::Granted);
    assert_eq!(v.effective.satisfy, "any");
    assert!(codes(&v).contains(&"mixed-access-syntax"));
}

#[test]
fn files_sections_apply_by_name() {
    let text = format!("<Files \"admin.php\">\n{AUTH}Require user root\n</Files>");
    assert_eq!(
        verdict(&text, Kind::Htaccess, "/admin.php")
            .effective
            .scheme,
        Scheme::Basic
    );
    assert_eq!(
        verdict(&text, Kind::Htaccess, "/index.php")
            .effective
            .scheme,
        Scheme::None
    );
    let v = verdict(&text, Kind::Htaccess, "/admin.php");
    assert_eq!(v.required_users.len(), 1);
    assert_eq!(v.required_users[0].1.line, 5);
}

#[test]
fn server_config_locations_and_vhosts() {
    let text = format!(
        "DocumentRoot /srv/default\n<VirtualHost *:80>\nServerName other.example.com\n</VirtualHost>\n\
         <VirtualHost *:80>\nServerName example.com\nServerAlias *.example.com\nDocumentRoot /srv/site\n\
         <Location /admin>\n{AUTH}Require valid-user\n</Location>\n</VirtualHost>"
    );
    let v = verdict(&text, Kind::Server, "/admin/x");
    assert_eq!(v.effective.scheme, Scheme::Basic);
    assert_eq!(v.web_root.as_deref(), Some(Path::new("/srv/site")));
    assert_eq!(
        verdict(&text, Kind::Server, "/administrator")
            .effective
            .scheme,
        Scheme::None
    );
}

#[test]
fn cgi_pass_auth_silences_the_forwarding_problem() {
    let app = "<FilesMatch \\.php$>\nSetHandler \"proxy:unix:/run/php/fpm.sock|fcgi://localhost\"\n</FilesMatch>\n";
    assert_eq!(
        codes(&verdict(app, Kind::Htaccess, "/a.php")),
        ["auth-not-forwarded-to-app"]
    );
    assert!(
        codes(&verdict(
            &format!("{app}CGIPassAuth On\n"),
            Kind::Htaccess,
            "/a.php"
        ))
        .is_empty()
    );
    let laravel = "RewriteEngine On\nRewriteCond %{HTTP:Authorization} .\nRewriteRule .* - [E=HTTP_AUTHORIZATION:%{HTTP:Authorization}]\nRewriteRule ^ index.php [L]\n";
    assert!(codes(&verdict(laravel, Kind::Htaccess, "/")).is_empty());
}

#[test]
fn ifdefine_follows_the_defines_given_and_earlier_define_lines() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("httpd.conf");
    std::fs::write(
        &conf,
        "<IfDefine LOCK>\nDefine INNER\n<Location /a>\nRequire all denied\n</Location>\n</IfDefine>\n\
         <IfDefine INNER>\n<Location /b>\nRequire all denied\n</Location>\n</IfDefine>\n",
    )
    .unwrap();
    let status = |defines: &[&str], path: &str| {
        let options = crate::server::apache::LoadOptions {
            server_root: None,
            defines: defines.iter().map(|d| (*d).to_owned()).collect(),
        };
        let c = Config::load_with(&conf, Kind::Server, &options).unwrap();
        let v = evaluate(
            &c,
            &Request {
                path,
                ..Request::default()
            },
        );
        (v.status_anonymous, c.skipped.len())
    };
    assert_eq!(status(&[], "/a"), (Some(200), 2));
    assert_eq!(status(&[], "/b"), (Some(200), 2));
    assert_eq!(status(&["LOCK"], "/a"), (Some(403), 0));
    assert_eq!(status(&["LOCK"], "/b"), (Some(403), 0));
}

#[test]
fn include_of_a_directory_reads_hidden_files_but_a_glob_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("inc/sub")).unwrap();
    std::fs::write(
        d.join("inc/.hidden.conf"),
        "<Location /h>\nRequire all denied\n</Location>\n",
    )
    .unwrap();
    std::fs::write(
        d.join("inc/sub/x.conf"),
        "<Location /x>\nRequire all denied\n</Location>\n",
    )
    .unwrap();
    for (include, h, x) in [("inc/*.conf", 200, 200), ("inc/", 403, 403)] {
        std::fs::write(
            d.join("httpd.conf"),
            format!("ServerRoot {}\nInclude {include}\n", d.display()),
        )
        .unwrap();
        let c = Config::load(&d.join("httpd.conf"), Kind::Server).unwrap();
        let at = |path| {
            evaluate(
                &c,
                &Request {
                    path,
                    ..Request::default()
                },
            )
            .status_anonymous
        };
        assert_eq!(
            (at("/h"), at("/x")),
            (Some(h), Some(x)),
            "Include {include}"
        );
    }
}

#[test]
fn an_unevaluable_location_match_is_reported_not_dropped() {
    let v = verdict(
        "<LocationMatch \"^/adm(?<broken\">\nRequire all denied\n</LocationMatch>\n",
        Kind::Server,
        "/admin",
    );
    assert_eq!(codes(&v), ["regex-not-evaluated"]);
    assert_eq!(v.problems[0].at.as_ref().map(|a| a.line), Some(1));
}
