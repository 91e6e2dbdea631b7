//! Every cause why401 can name. Ids are never renamed; new ones may be added.

use serde::Serialize;

/// Who usually applies the fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Actor {
    Visitor,
    Client,
    Owner,
    IdentityProvider,
    Network,
    Nobody,
}

impl Actor {
    pub fn label(self) -> &'static str {
        match self {
            Self::Visitor => "visitor",
            Self::Client => "client / API developer",
            Self::Owner => "site owner",
            Self::IdentityProvider => "identity provider",
            Self::Network => "network / proxy admin",
            Self::Nobody => "nobody",
        }
    }
}

/// One entry of the catalogue.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Cause {
    pub id: &'static str,
    pub title: &'static str,
    pub fix: &'static str,
    pub fixed_by: &'static [Actor],
}

/// The catalogue, in the order of the contract.
pub static CATALOGUE: &[Cause] = &[
    Cause {
        id: "not-a-401",
        title: "the URL does not answer 401 now (transient, or already fixed)",
        fix: "Nothing to fix now; if it comes back, run why401 again while it happens.",
        fixed_by: &[Actor::Nobody],
    },
    Cause {
        id: "server-unreachable",
        title: "DNS, connection, TLS or timeout failure: no HTTP answer at all",
        fix: "Check the address, DNS and network path; if they are right, the site's host must bring the server back.",
        fixed_by: &[Actor::Owner, Actor::Network],
    },
    Cause {
        id: "no-credentials-sent",
        title: "the server asks for credentials and the request carried none",
        fix: "Send credentials: log in again, or configure the client to send the Authorization header.",
        fixed_by: &[Actor::Visitor, Actor::Client],
    },
    Cause {
        id: "bad-credentials",
        title: "credentials were sent and rejected (wrong user, password or API key)",
        fix: "Re-enter the user name and password (or API key); reset the password if unsure.",
        fixed_by: &[Actor::Visitor, Actor::Client],
    },
    Cause {
        id: "user-unknown",
        title: "the server has no such user (from logs or the user file)",
        fix: "Create the user in the server's user file or directory, or use an existing account.",
        fixed_by: &[Actor::Owner],
    },
    Cause {
        id: "password-mismatch",
        title: "the user exists, the password is wrong (from logs or a hash check)",
        fix: "Re-type the password (check Caps Lock and keyboard layout) or have it reset.",
        fixed_by: &[Actor::Visitor],
    },
    Cause {
        id: "session-expired",
        title: "the session cookie is missing, expired or no longer accepted",
        fix: "Log in again; if it keeps expiring, the site owner should check session lifetime and cookie settings.",
        fixed_by: &[Actor::Visitor],
    },
    Cause {
        id: "stale-cookie-or-cache",
        title: "old cookies or cached credentials are sent instead of fresh ones",
        fix: "Clear this site's cookies and cache (or use a private window) and log in again.",
        fixed_by: &[Actor::Visitor],
    },
    Cause {
        id: "cached-401",
        title: "a cache or CDN serves a stored 401, or a 401 is cacheable",
        fix: "Send Cache-Control: no-store (or private) on 401 responses and add Vary: Authorization; purge the CDN cache.",
        fixed_by: &[Actor::Owner],
    },
    Cause {
        id: "malformed-authorization-header",
        title: "header syntax broken: stray whitespace or newline, quotes, no scheme, bad base64",
        fix: "Rebuild the Authorization header: one scheme word, one space, the credentials, no quotes or line breaks.",
        fixed_by: &[Actor::Client],
    },
    Cause {
        id: "wrong-auth-scheme",
        title: "a scheme the server did not offer (Token vs Bearer vs Basic)",
        fix: "Use the scheme the server offers in WWW-Authenticate (for example 'Bearer', not 'Token').",
        fixed_by: &[Actor::Client],
    },
    Cause {
        id: "token-malformed",
        title: "not a well-formed JWT (segments, base64url, JSON)",
        fix: "Send the token exactly as issued: three base64url parts separated by dots, no 'Bearer ' prefix, quotes or line breaks inside it.",
        fixed_by: &[Actor::Client],
    },
    Cause {
        id: "token-expired",
        title: "`exp` is in the past (beyond leeway)",
        fix: "Get a new access token (refresh it) and retry; check the client refreshes before exp.",
        fixed_by: &[Actor::Client],
    },
    Cause {
        id: "token-not-yet-valid",
        title: "`nbf` or `iat` is in the future",
        fix: "Sync the clocks of the issuer, the API and the client (NTP); allow a small leeway.",
        fixed_by: &[Actor::Client, Actor::Owner],
    },
    Cause {
        id: "token-signature-invalid",
        title: "the signature does not verify with the given key",
        fix: "Verify with the issuer's current key; make sure the token was not altered and comes from the expected issuer.",
        fixed_by: &[Actor::Client, Actor::IdentityProvider],
    },
    Cause {
        id: "token-key-not-found",
        title: "the token's `kid` is not in the JWKS (key rotation)",
        fix: "Refresh the API's cached JWKS from the issuer (key rotation), or re-issue the token with a current key.",
        fixed_by: &[Actor::Owner, Actor::IdentityProvider],
    },
    Cause {
        id: "token-wrong-audience",
        title: "`aud` does not match what the API expects",
        fix: "Request the token for this API's audience (the aud it expects).",
        fixed_by: &[Actor::Client],
    },
    Cause {
        id: "token-wrong-issuer",
        title: "`iss` does not match what the API expects",
        fix: "Get the token from the issuer the API trusts (check tenant, realm and environment).",
        fixed_by: &[Actor::Client],
    },
    Cause {
        id: "token-alg-none",
        title: "unsigned token (`alg: none`), must be rejected",
        fix: "Reject unsigned tokens; obtain a signed token from the identity provider.",
        fixed_by: &[Actor::Client],
    },
    Cause {
        id: "token-alg-mismatch",
        title: "algorithm not the one the key is for (e.g. HS256 with an RSA key)",
        fix: "Sign and verify with the algorithm the key is for; pin the accepted algorithms on the API.",
        fixed_by: &[Actor::Client, Actor::IdentityProvider],
    },
    Cause {
        id: "wrong-token-type",
        title: "a refresh or ID token sent where an access token is needed",
        fix: "Send the access token, not the refresh or ID token.",
        fixed_by: &[Actor::Client],
    },
    Cause {
        id: "insufficient-scope",
        title: "the token lacks a scope (RFC 6750 says this is a 403)",
        fix: "Request the missing scope when getting the token (and the API should answer 403 for this).",
        fixed_by: &[Actor::Client, Actor::Owner],
    },
    Cause {
        id: "clock-skew",
        title: "client and server clocks differ enough to break tokens or sessions",
        fix: "Sync the clock (NTP): enable automatic time on the device or run timedatectl set-ntp true on the server.",
        fixed_by: &[Actor::Visitor, Actor::Owner],
    },
    Cause {
        id: "credentials-dropped-on-redirect",
        title: "a redirect to another origin (http→https, other host, trailing slash) lost the credentials",
        fix: "Use the final URL directly (scheme, host and trailing slash exactly as the server redirects to).",
        fixed_by: &[Actor::Client, Actor::Owner],
    },
    Cause {
        id: "wrong-url-or-environment",
        title: "wrong host, path or environment (staging vs production) for these credentials",
        fix: "Use the right host, path and environment (staging vs production) for these credentials.",
        fixed_by: &[Actor::Visitor, Actor::Client],
    },
    Cause {
        id: "proxy-auth-required",
        title: "407: a proxy between the client and the site wants credentials",
        fix: "Give the proxy its own credentials (Proxy-Authorization) or bypass it for this site.",
        fixed_by: &[Actor::Visitor, Actor::Network],
    },
    Cause {
        id: "proxy-strips-authorization",
        title: "a reverse proxy or gateway does not pass Authorization on",
        fix: "Make the proxy pass the Authorization header on (remove proxy_set_header Authorization \"\" or re-add it).",
        fixed_by: &[Actor::Owner],
    },
    Cause {
        id: "auth-not-forwarded-to-app",
        title: "the web server does not hand Authorization to the app (CGIPassAuth, fastcgi_param)",
        fix: "Hand Authorization to the app: CGIPassAuth On (Apache) or fastcgi_param HTTP_AUTHORIZATION $http_authorization (nginx).",
        fixed_by: &[Actor::Owner],
    },
    Cause {
        id: "underscore-header-dropped",
        title: "a custom auth header with underscores is dropped (nginx `underscores_in_headers off`)",
        fix: "Rename the header to use dashes, or set underscores_in_headers on in nginx.",
        fixed_by: &[Actor::Owner],
    },
    Cause {
        id: "missing-www-authenticate",
        title: "a 401 without WWW-Authenticate (RFC 9110 violation)",
        fix: "Send a WWW-Authenticate challenge with every 401 (RFC 9110 §15.5.2).",
        fixed_by: &[Actor::Owner],
    },
    Cause {
        id: "cors-preflight-requires-auth",
        title: "the CORS preflight OPTIONS is answered 401",
        fix: "Answer the OPTIONS preflight without requiring credentials (2xx with the CORS headers).",
        fixed_by: &[Actor::Owner],
    },
    Cause {
        id: "htpasswd-file-missing",
        title: "the user file named in the config does not exist",
        fix: "Create the user file at the configured path (htpasswd -c) or fix the path in the config.",
        fixed_by: &[Actor::Owner],
    },
    Cause {
        id: "htpasswd-file-unreadable",
        title: "the user file exists but the server's user cannot read it",
        fix: "Let the server's user read the file (chown/chmod, SELinux context) and keep it outside the web root.",
        fixed_by: &[Actor::Owner],
    },
    Cause {
        id: "htpasswd-malformed",
        title: "a bad line: CRLF endings, BOM, missing colon, stray whitespace",
        fix: "Rewrite the bad lines with htpasswd; remove CRLF endings, BOM and stray spaces.",
        fixed_by: &[Actor::Owner],
    },
    Cause {
        id: "htpasswd-unsupported-hash",
        title: "a hash format this server cannot verify",
        fix: "Re-create the password with a hash this server supports (htpasswd -B for bcrypt on Apache, -m for nginx).",
        fixed_by: &[Actor::Owner],
    },
    Cause {
        id: "require-user-not-in-file",
        title: "`Require user X` names a user that the user file lacks",
        fix: "Add the user to the file, or fix the Require line.",
        fixed_by: &[Actor::Owner],
    },
    Cause {
        id: "auth-config-incomplete",
        title: "e.g. AuthType without Require, auth_basic without a user file",
        fix: "Complete the auth configuration (AuthType with Require, auth_basic with auth_basic_user_file).",
        fixed_by: &[Actor::Owner],
    },
    Cause {
        id: "windows-auth-failed",
        title: "Negotiate / NTLM handshake failed or domain credentials missing",
        fix: "Sign in with domain credentials (DOMAIN\\user), check the site is in the browser's intranet zone and the SPN/Kerberos setup.",
        fixed_by: &[Actor::Visitor, Actor::Owner],
    },
    Cause {
        id: "digest-nonce-stale",
        title: "Digest nonce expired (`stale=true`)",
        fix: "Retry with the new nonce from the challenge; the password is fine.",
        fixed_by: &[Actor::Client],
    },
    Cause {
        id: "ip-or-rate-limited",
        title: "an allowlist, lockout or rate limit answers 401",
        fix: "Wait for the lockout or rate limit to pass, or have the owner allowlist the address.",
        fixed_by: &[Actor::Owner],
    },
    Cause {
        id: "should-be-403",
        title: "the server answers 401 to a known but forbidden user",
        fix: "The server should answer 403 to authenticated but forbidden users; check the user's permissions.",
        fixed_by: &[Actor::Owner],
    },
    Cause {
        id: "brute-force-suspected",
        title: "logs show bursts of failures from a few clients",
        fix: "Block or rate-limit the offending clients (fail2ban, limit_req) and review the accounts they target.",
        fixed_by: &[Actor::Owner],
    },
    Cause {
        id: "credential-in-wrong-place",
        title: "the credential is sent where this endpoint does not read it (header vs query parameter vs body, wrong header name)",
        fix: "Send the credential where the API's documentation (or its error message) says: the named query parameter, header or body field.",
        fixed_by: &[Actor::Client],
    },
    Cause {
        id: "cookie-rejected-by-client",
        title: "the browser or client refuses to store or send the cookie (SameSite=None without Secure, Secure over http, Domain/Path not matching)",
        fix: "Set the cookie so clients keep it: Secure with SameSite=None, served over https, a Domain and Path that match the pages that need it.",
        fixed_by: &[Actor::Owner],
    },
    Cause {
        id: "server-key-or-config-stale",
        title: "the token verifies against the issuer's current keys and claims, yet the API rejects it (stale key cache, wrong expected audience or issuer)",
        fix: "Have the API refresh its signing keys (JWKS cache) and check the audience and issuer it expects against the token's.",
        fixed_by: &[Actor::Owner],
    },
    Cause {
        id: "resource-acl-denied",
        title: "the server authenticated the user but the file system or resource ACL refuses it (IIS 401.3)",
        fix: "Grant the authenticated user (or the app pool identity) read access to the file or resource.",
        fixed_by: &[Actor::Owner],
    },
    Cause {
        id: "user-file-entry-broken",
        title: "a user-file entry that no password can match (truncated or invalid hash, stray quote, escaped $$)",
        fix: "Re-create the entry with htpasswd (or the server's tool), and check how the config or environment file quotes and escapes it.",
        fixed_by: &[Actor::Owner],
    },
    Cause {
        id: "oauth-client-rejected",
        title: "the token endpoint refuses the client id and secret (invalid_client): no fresh token can be had",
        fix: "Check the client id and secret against the identity provider (a rotated or mistyped secret is common), and the client authentication method it expects (client_secret_basic or client_secret_post).",
        fixed_by: &[Actor::Client, Actor::IdentityProvider],
    },
    Cause {
        id: "oauth-grant-not-allowed",
        title: "the client may not use the client credentials grant (unauthorized_client)",
        fix: "Enable the client credentials grant for this client at the identity provider, or use the grant it is registered for.",
        fixed_by: &[Actor::IdentityProvider],
    },
    Cause {
        id: "oauth-scope-rejected",
        title: "the token endpoint refuses the scope asked for (invalid_scope)",
        fix: "Ask only for scopes the identity provider defines and grants to this client; have the provider grant the scope the API needs.",
        fixed_by: &[Actor::Client, Actor::IdentityProvider],
    },
];

/// The cause with this id.
pub fn cause(id: &str) -> Option<&'static Cause> {
    CATALOGUE.iter().find(|c| c.id == id)
}

/// The fix of cause `id` worded for the credential sent (`bearer`, `basic`, `cookie`,
/// `api-key`): nobody is told to re-type a password they never sent.
pub(crate) fn fix_for(id: &str, credential: Option<&str>) -> Option<&'static str> {
    let specific = match (id, credential) {
        ("bad-credentials", Some("bearer")) => Some(
            "Get a fresh token from the identity provider (log in again or refresh it) and check it was issued for this API and environment.",
        ),
        ("bad-credentials", Some("api-key")) => Some(
            "Check the API key: the one for this API and environment, not revoked or rotated, copied whole.",
        ),
        ("bad-credentials", Some("cookie")) => {
            Some("Log in again to get a fresh session cookie, then retry.")
        }
        _ => None,
    };
    specific.or_else(|| cause(id).map(|c| c.fix))
}

/// Position in the catalogue (unknown ids last), for stable ordering.
pub fn position(id: &str) -> usize {
    CATALOGUE
        .iter()
        .position(|c| c.id == id)
        .unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_kebab_case() {
        let mut seen = std::collections::HashSet::new();
        for c in CATALOGUE {
            assert!(seen.insert(c.id), "duplicate {}", c.id);
            assert!(
                c.id.chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-')
            );
            assert!(!c.fixed_by.is_empty(), "{} has no actor", c.id);
        }
        assert_eq!(CATALOGUE.len(), 50);
    }
}
