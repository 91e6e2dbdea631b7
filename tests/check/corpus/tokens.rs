//! Token incidents: expiry, audience, ID tokens, clocks, and keys the API had not caught up
//! with. The reason is where the thread shows it: the body, the challenge, or only the API's
//! log (then what the person knew is passed: `--aud`, `--jwks`).

use serde_json::json;

use super::{Incident, access, answer, api, bearer_challenge, json_401, jwks, now, sign};

pub fn tokens() -> Vec<Incident> {
    let expired = sign(&access("api", -3600), None);
    vec![
        Incident::new(
            "https://github.com/auth0/express-jwt/issues/15",
            "token-expired",
            // express-jwt behind Express in production: a plain "Unauthorized".
            api(|_, _, _| answer(401, &[], "Unauthorized")),
        )
        .bearer(&expired),
        Incident::new(
            "https://github.com/angular-fullstack/generator-angular-fullstack/issues/1223",
            "token-expired",
            api(|_, _, _| {
                answer(
                    401,
                    &[("content-type", "text/html".into())],
                    "<!DOCTYPE html><html><body><pre>UnauthorizedError: jwt expired<br> &nbsp; &nbsp;at /app/node_modules/express-jwt/lib/index.js:102:22</pre></body></html>",
                )
            }),
        )
        .bearer(&expired),
        Incident::new(
            "https://github.com/auth0/auth0.js/issues/473",
            "wrong-token-type",
            api(|_, _, _| {
                json_401(
                    "{\"name\":\"JsonWebTokenError\",\"message\":\"jwt audience invalid. expected: http://localhost:1337\"}",
                )
            }),
        )
        .bearer(&sign(
            &json!({"iss": "https://x.auth0.com/", "sub": "auth0|1", "aud": "Zc1xClientId", "nonce": "n1", "at_hash": "h1", "iat": now() - 60, "exp": now() + 3600}),
            None,
        )),
        Incident::new(
            "https://github.com/DuendeArchive/IdentityServer4/issues/4278",
            "token-wrong-audience",
            api(|_, _, _| {
                answer(
                    401,
                    &[bearer_challenge(
                        " error=\"invalid_token\", error_description=\"The audience 'empty' is invalid\"",
                    )],
                    "",
                )
            }),
        )
        .bearer(&sign(
            &json!({"iss": "https://localhost:5001", "sub": "1", "iat": now() - 60, "exp": now() + 3600}),
            None,
        )),
        Incident::new(
            "https://github.com/openiddict/openiddict-samples/pull/64",
            "token-wrong-audience",
            api(|_, _, _| {
                answer(
                    401,
                    &[bearer_challenge(
                        " error=\"invalid_token\", error_description=\"The audience is invalid\"",
                    )],
                    "",
                )
            }),
        )
        .bearer(&sign(&access("resource_server_1", 3600), None)),
        Incident::new(
            "https://github.com/aruss/IdentityBase/issues/37",
            "token-wrong-audience",
            api(|_, _, _| {
                answer(
                    401,
                    &[bearer_challenge(
                        " error=\"invalid_token\", error_description=\"The audience 'http://localhost:5000/resources' is invalid\"",
                    )],
                    "",
                )
            }),
        )
        .bearer(&sign(&access("http://localhost:5000/resources", 3600), None))
        .arg(&["--aud", "api1"]),
        // The token was right (aud: the app id GUID, as Azure AD issues it); the API was set
        // to expect the app identifier URL, and the fix (PR #362) changed the API's setting.
        // The reason is only in the API's log ("Invalid audience").
        Incident::new(
            "https://github.com/microsoft/AzureTRE/issues/361",
            "server-key-or-config-stale",
            api(|_, _, _| json_401("{\"detail\":\"Unauthorized\"}")),
        )
        .bearer(&sign(
            &access("7a1c2e4b-93d0-4f51-8c6e-2b9d0e5f1a33", 3600),
            Some("tre-key"),
        ))
        .jwks(&jwks("tre-key")),
        Incident::new(
            "https://github.com/googleapis/php-jwt/issues/73",
            "clock-skew",
            // The API's clock runs two minutes behind the issuer's.
            api(|_, _, _| {
                let behind = chrono::Utc::now() - chrono::Duration::seconds(150);
                answer(
                    401,
                    &[("date", behind.format("%a, %d %b %Y %H:%M:%S GMT").to_string())],
                    "Cannot handle token prior to 2016-01-15T14:44:28+1100",
                )
            }),
        )
        .bearer(&sign(
            &json!({"iss": "https://x.auth0.com/", "sub": "1", "aud": "api", "iat": now() - 2, "nbf": now() - 2, "exp": now() + 3600}),
            None,
        )),
        Incident::new(
            "https://github.com/googleapis/google-api-php-client/issues/1341",
            "clock-skew",
            api(|_, _, _| {
                let behind = chrono::Utc::now() - chrono::Duration::seconds(300);
                answer(
                    401,
                    &[("date", behind.format("%a, %d %b %Y %H:%M:%S GMT").to_string())],
                    "{\"message\":\"Cannot handle token prior to 2017-11-11T07:03:06+0000\",\"exception\":\"Firebase\\\\JWT\\\\BeforeValidException\"}",
                )
            }),
        )
        .bearer(&sign(
            &json!({"iss": "accounts.google.com", "sub": "1", "aud": "client", "iat": now() - 1, "exp": now() + 3600}),
            None,
        )),
    ]
}

pub fn stale_keys() -> Vec<Incident> {
    let token = sign(&access("api://ark", 3600), Some("656ea50"));
    vec![
        Incident::new(
            "https://github.com/mckinsey/agents-at-scale-ark/pull/2457",
            "server-key-or-config-stale",
            api(|_, _, _| json_401("{\"detail\":\"Authentication failed\"}")),
        )
        .bearer(&token)
        .jwks(&jwks("656ea50"))
        .arg(&["--aud", "api://ark"]),
        Incident::new(
            "https://github.com/oidcproxydotnet/OidcProxy.Net/issues/242",
            "server-key-or-config-stale",
            api(|_, _, _| json_401("{\"error\":\"Invalid signature\"}")),
        )
        .bearer(&token)
        .jwks(&jwks("656ea50")),
        Incident::new(
            "https://github.com/AzureAD/azure-activedirectory-identitymodel-extensions-for-dotnet/issues/2484",
            "server-key-or-config-stale",
            api(|_, _, _| {
                answer(
                    401,
                    &[bearer_challenge(
                        " error=\"invalid_token\", error_description=\"The signature key was not found\"",
                    )],
                    "",
                )
            }),
        )
        .bearer(&token)
        .jwks(&jwks("656ea50")),
    ]
}
