//! A fresh access token by the OAuth 2.0 client credentials grant (RFC 6749 §4.4): the token
//! endpoint given, or found by OpenID Connect discovery of the issuer; the client
//! authenticated with HTTP Basic (`client_secret_basic`, RFC 6749 §2.3.1) unless told to send
//! the secret in the form; the endpoint's own error codes (§5.2) kept as they come.

use std::time::Duration;

use serde::Deserialize;

/// Bytes read at most from a token endpoint or discovery answer.
const MAX_ANSWER: usize = 256 * 1024;

/// How the client authenticates to the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClientAuth {
    /// `Authorization: Basic` with the form-encoded id and secret (RFC 6749 §2.3.1).
    #[default]
    Basic,
    /// `client_id` and `client_secret` in the form body.
    Post,
}

/// What a client credentials request needs. The secret never leaves this struct but in the
/// request to the token endpoint.
#[derive(Debug, Clone, Default)]
pub struct ClientCredentials {
    pub client_id: String,
    pub client_secret: crate::secret::Secret,
    pub scope: Option<String>,
    pub audience: Option<String>,
    /// The token endpoint, when given.
    pub token_endpoint: Option<url::Url>,
    /// The issuer, for discovery when no token endpoint is given.
    pub issuer: Option<url::Url>,
    pub auth: ClientAuth,
}

/// A token endpoint's answer.
#[derive(Clone)]
pub(crate) enum TokenOutcome {
    Issued {
        /// The access token: a secret.
        access_token: String,
        token_type: String,
        expires_in: Option<u64>,
        scope: Option<String>,
        endpoint: url::Url,
    },
    /// An RFC 6749 §5.2 error answer.
    Refused {
        status: u16,
        error: String,
        description: Option<String>,
        endpoint: url::Url,
    },
    /// No usable answer: network failure, not JSON, discovery failed.
    Failed(String),
}

impl std::fmt::Debug for TokenOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Issued { token_type, .. } => write!(f, "Issued({token_type}, token redacted)"),
            Self::Refused { error, .. } => write!(f, "Refused({error})"),
            Self::Failed(m) => write!(f, "Failed({m})"),
        }
    }
}

#[derive(Deserialize)]
struct Discovery {
    token_endpoint: Option<String>,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: Option<String>,
    token_type: Option<String>,
    expires_in: Option<serde_json::Value>,
    scope: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

async fn read_bounded(mut r: reqwest::Response) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    while let Some(chunk) = r.chunk().await.map_err(|e| e.without_url().to_string())? {
        if body.len() + chunk.len() > MAX_ANSWER {
            return Err(format!("the answer is longer than {MAX_ANSWER} bytes"));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The token endpoint from the issuer's `/.well-known/openid-configuration`.
pub async fn discover(conn: &super::Connection, issuer: &url::Url) -> Result<url::Url, String> {
    let base = issuer.as_str().trim_end_matches('/');
    let at = format!("{base}/.well-known/openid-configuration");
    let url = url::Url::parse(&at).map_err(|e| format!("OpenID discovery at {at}: {e}"))?;
    let r = conn
        .request(reqwest::Method::GET, &url)
        .send()
        .await
        .map_err(|e| format!("OpenID discovery at {at}: {}", e.without_url()))?;
    let status = r.status().as_u16();
    if status != 200 {
        return Err(format!("OpenID discovery at {at} answered {status}"));
    }
    let body = read_bounded(r)
        .await
        .map_err(|e| format!("OpenID discovery at {at}: {e}"))?;
    let doc: Discovery = serde_json::from_slice(&body)
        .map_err(|e| format!("OpenID discovery at {at}: not a discovery document: {e}"))?;
    let te = doc
        .token_endpoint
        .ok_or_else(|| format!("OpenID discovery at {at}: no token_endpoint"))?;
    url::Url::parse(&te).map_err(|e| format!("OpenID discovery at {at}: token_endpoint: {e}"))
}

/// Asks for a token; every failure is an outcome, never a panic.
pub(crate) async fn fetch_token(
    conn: &super::Connection,
    cc: &ClientCredentials,
    timeout: Duration,
) -> TokenOutcome {
    match tokio::time::timeout(timeout, fetch_inner(conn, cc)).await {
        Ok(o) => o,
        Err(_) => TokenOutcome::Failed(format!(
            "the token endpoint gave no answer within {} s",
            timeout.as_secs_f64()
        )),
    }
}

async fn fetch_inner(conn: &super::Connection, cc: &ClientCredentials) -> TokenOutcome {
    let endpoint = match (&cc.token_endpoint, &cc.issuer) {
        (Some(t), _) => t.clone(),
        (None, Some(iss)) => match discover(conn, iss).await {
            Ok(t) => t,
            Err(e) => return TokenOutcome::Failed(e),
        },
        (None, None) => {
            return TokenOutcome::Failed("no token endpoint and no issuer to discover it".into());
        }
    };
    let mut form: Vec<(&str, &str)> = vec![("grant_type", "client_credentials")];
    if let Some(s) = &cc.scope {
        form.push(("scope", s));
    }
    if let Some(a) = &cc.audience {
        form.push(("audience", a));
    }
    let mut req = conn
        .request(reqwest::Method::POST, &endpoint)
        .header("Accept", "application/json");
    match cc.auth {
        ClientAuth::Basic => {
            // RFC 6749 §2.3.1: both are form-urlencoded before they go into Basic.
            let enc =
                |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
            req = req.basic_auth(enc(&cc.client_id), Some(enc(cc.client_secret.expose())));
        }
        ClientAuth::Post => {
            form.push(("client_id", &cc.client_id));
            form.push(("client_secret", cc.client_secret.expose()));
        }
    }
    let r = match req.form(&form).send().await {
        Ok(r) => r,
        Err(e) => {
            return TokenOutcome::Failed(format!("token endpoint {endpoint}: {}", e.without_url()));
        }
    };
    let status = r.status().as_u16();
    let body = match read_bounded(r).await {
        Ok(b) => b,
        Err(e) => return TokenOutcome::Failed(format!("token endpoint {endpoint}: {e}")),
    };
    let answer: TokenAnswer = match serde_json::from_slice(&body) {
        Ok(a) => a,
        Err(_) => {
            return TokenOutcome::Failed(format!(
                "token endpoint {endpoint} answered {status} without a JSON token response"
            ));
        }
    };
    match (answer.access_token, answer.error) {
        (Some(token), None) if status == 200 && !token.is_empty() => TokenOutcome::Issued {
            access_token: token,
            token_type: answer.token_type.unwrap_or_else(|| "Bearer".into()),
            expires_in: answer.expires_in.and_then(|v| {
                v.as_u64()
                    .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            }),
            scope: answer.scope,
            endpoint,
        },
        (_, Some(error)) => TokenOutcome::Refused {
            status,
            error,
            description: answer.error_description,
            endpoint,
        },
        _ => TokenOutcome::Failed(format!(
            "token endpoint {endpoint} answered {status} with neither access_token nor error"
        )),
    }
}

/// The cause id and its explanation for a token endpoint error (RFC 6749 §5.2). Some
/// providers (oidc-provider among them) say `invalid_request` where the RFC has
/// `unauthorized_client`; the description tells.
pub(crate) fn cause_of(
    error: &str,
    description: Option<&str>,
) -> Option<(&'static str, &'static str)> {
    let about_grant = description.is_some_and(|d| d.to_ascii_lowercase().contains("grant type"));
    let error = if error == "invalid_request" && about_grant {
        "unauthorized_client"
    } else {
        error
    };
    Some(match error {
        "invalid_client" => (
            "oauth-client-rejected",
            "the token endpoint does not accept this client id and secret (wrong or rotated secret, unknown client, or another client authentication method expected)",
        ),
        "unauthorized_client" => (
            "oauth-grant-not-allowed",
            "the client exists but may not use the client credentials grant (enable it for this client at the identity provider)",
        ),
        "invalid_scope" => (
            "oauth-scope-rejected",
            "the scope asked for is unknown, malformed or not granted to this client",
        ),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::cause_of;

    #[test]
    fn token_endpoint_errors_name_causes() {
        assert_eq!(
            cause_of("invalid_client", None).map(|c| c.0),
            Some("oauth-client-rejected")
        );
        assert_eq!(
            cause_of("invalid_scope", Some("x")).map(|c| c.0),
            Some("oauth-scope-rejected")
        );
        assert_eq!(
            cause_of("unauthorized_client", None).map(|c| c.0),
            Some("oauth-grant-not-allowed")
        );
        let d = Some("requested grant type is not allowed for this client");
        assert_eq!(
            cause_of("invalid_request", d).map(|c| c.0),
            Some("oauth-grant-not-allowed")
        );
        assert_eq!(cause_of("invalid_request", Some("missing parameter")), None);
        for id in [
            "oauth-client-rejected",
            "oauth-scope-rejected",
            "oauth-grant-not-allowed",
        ] {
            assert!(
                crate::diagnose::cause(id).is_some(),
                "{id} is in the catalogue"
            );
        }
    }
}
