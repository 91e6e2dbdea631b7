//! The connection options (`--cacert`, `-k`, `--resolve`, `--connect-to`, `-x`,
//! `--proxy-user`, `--http1.1`/`--http2`, `-d`, `--client-credentials`) read into what the
//! battery takes. Their secrets (proxy password, client secret) come from the environment
//! or a file, never from the command line.

use std::io::Read as _;
use std::path::Path;

use anyhow::{Context as _, bail};

use crate::cli::{ConnectArgs, NetArgs};
use crate::net::oauth::{ClientAuth, ClientCredentials};
use crate::net::{HttpVersion, NetOptions, proxy, route};
use crate::secret::Secret;

/// The environment variable the proxy password is read from.
pub(crate) const PROXY_PASSWORD_ENV: &str = "WHY401_PROXY_PASSWORD";
/// The environment variable the OAuth client secret is read from.
pub(crate) const CLIENT_SECRET_ENV: &str = "WHY401_CLIENT_SECRET";
/// Largest body read from `-d @FILE`.
const MAX_BODY_BYTES: u64 = 8 * 1024 * 1024;

/// A secret from `file` when given, else from the environment variable `env`.
fn secret(file: Option<&Path>, env: &str, what: &str) -> anyhow::Result<Secret> {
    if let Some(f) = file {
        return crate::secret::read_secret_file(f, what);
    }
    match std::env::var(env) {
        Ok(v) if !v.is_empty() => Ok(Secret::new(v)),
        _ => bail!(
            "{what}: set {env} or give a file (a secret is never taken from the command line)"
        ),
    }
}

/// The network options, for `check` and the wizard.
pub fn options(a: &ConnectArgs) -> anyhow::Result<NetOptions> {
    let mut routes = route::Routes::default();
    for r in &a.resolve {
        routes
            .resolve
            .push(route::parse_resolve(r).map_err(|e| anyhow::anyhow!("--resolve {e}"))?);
    }
    for c in &a.connect_to {
        routes
            .connect_to
            .push(route::parse_connect_to(c).map_err(|e| anyhow::anyhow!("--connect-to {e}"))?);
    }
    let proxy = a
        .proxy
        .as_deref()
        .map(proxy::parse_proxy_url)
        .transpose()
        .map_err(|e| anyhow::anyhow!("--proxy: {e}"))?;
    if proxy.as_ref().is_some_and(|p| p.password().is_some()) {
        bail!(
            "--proxy: give the proxy's user with --proxy-user and its password in {PROXY_PASSWORD_ENV}, not in the URL"
        );
    }
    let proxy_user = match &a.proxy_user {
        Some(u) if u.contains(':') => bail!("--proxy-user: a user name cannot contain ':'"),
        Some(u) => Some((
            u.clone(),
            secret(
                a.proxy_password_file.as_deref(),
                PROXY_PASSWORD_ENV,
                "--proxy-user password",
            )?,
        )),
        None => None,
    };
    if let Some(c) = &a.cacert
        && !c.is_file()
    {
        bail!("--cacert {}: no such file", c.display());
    }
    Ok(NetOptions {
        cacert: a.cacert.clone(),
        insecure: a.insecure,
        routes,
        proxy,
        proxy_user,
        http_version: if a.http1_1 {
            HttpVersion::Http1
        } else if a.http2 {
            HttpVersion::Http2
        } else {
            HttpVersion::Any
        },
    })
}

/// The body `-d` gives: the text, or `@FILE`'s content without its line breaks (curl's -d).
pub fn body(a: &NetArgs) -> anyhow::Result<Option<crate::net::RequestBody>> {
    let Some(d) = &a.data else {
        return Ok(None);
    };
    let Some(path) = d.strip_prefix('@') else {
        return Ok(Some(crate::net::RequestBody(d.clone())));
    };
    let mut text = String::new();
    if path == "-" {
        std::io::stdin()
            .take(MAX_BODY_BYTES)
            .read_to_string(&mut text)
            .context("--data @-: reading standard input as UTF-8 text")?;
    } else {
        crate::input_file::open_regular(std::path::Path::new(path))
            .context("--data @FILE: cannot open")?
            .take(MAX_BODY_BYTES)
            .read_to_string(&mut text)
            .with_context(|| format!("--data @{path}: cannot read as UTF-8 text"))?;
    }
    Ok(Some(crate::net::RequestBody(
        text.replace(['\r', '\n'], ""),
    )))
}

/// The OAuth client `--client-credentials` names, with its secret.
pub(crate) fn client_credentials(a: &NetArgs) -> anyhow::Result<Option<ClientCredentials>> {
    let Some(id) = &a.client_credentials else {
        return Ok(None);
    };
    let url = |v: &Option<String>, what: &str| -> anyhow::Result<Option<url::Url>> {
        v.as_deref()
            .map(|u| {
                crate::probe::http::parse_url(u)
                    .map_err(|e| anyhow::anyhow!("{what}: {}", e.message))
            })
            .transpose()
    };
    let token_endpoint = url(&a.token_endpoint, "--token-endpoint")?;
    let issuer = url(&a.issuer, "--issuer")?;
    if token_endpoint.is_none() && issuer.is_none() {
        bail!(
            "--client-credentials: give --token-endpoint URL or --issuer URL (for OpenID discovery)"
        );
    }
    Ok(Some(ClientCredentials {
        client_id: id.clone(),
        client_secret: secret(
            a.client_secret_file.as_deref(),
            CLIENT_SECRET_ENV,
            "--client-credentials secret",
        )?,
        scope: a.scope.clone(),
        audience: a.audience.clone(),
        token_endpoint,
        issuer,
        auth: if a.client_secret_post {
            ClientAuth::Post
        } else {
            ClientAuth::Basic
        },
    }))
}
