//! What APIs say when they refuse a request: the common messages of JWT and OAuth libraries,
//! gateways and frameworks (in a 401 body or a Bearer `error_description`), mapped to causes.
//! Sources: the libraries' own messages, listed in the project's reference facts (jsonwebtoken,
//! express-jwt, express-oauth2-jwt-bearer, PyJWT, php-jwt, Spring Security, ASP.NET Core,
//! IdentityModel, Keycloak, AWS API Gateway, Kong, DRF and simplejwt, Laravel, Devise, GitHub,
//! Google APIs).

/// What a message says, before the request it answered is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Said {
    /// The message names this cause outright.
    Cause(&'static str),
    /// "No credentials were found": true when none were sent; when some were, they were sent
    /// where this endpoint does not look (or with a scheme it does not read).
    NotFound,
    /// A generic refusal of the credentials sent.
    Rejected,
}

impl Said {
    /// The cause id, or `not-found` / `rejected`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Cause(id) => id,
            Self::NotFound => "not-found",
            Self::Rejected => "rejected",
        }
    }

    /// The reverse of [`Said::label`]; `None` for anything else.
    pub(crate) fn from_label(label: &str) -> Option<Self> {
        match label {
            "not-found" => Some(Self::NotFound),
            "rejected" => Some(Self::Rejected),
            id => super::cause(id).map(|c| Self::Cause(c.id)),
        }
    }
}

/// One known message: a lower-case fragment, what it says, and how surely.
struct Known {
    fragment: &'static str,
    said: Said,
    confidence: f64,
}

const fn cause(fragment: &'static str, id: &'static str, confidence: f64) -> Known {
    Known {
        fragment,
        said: Said::Cause(id),
        confidence,
    }
}

const fn not_found(fragment: &'static str) -> Known {
    Known {
        fragment,
        said: Said::NotFound,
        confidence: 0.85,
    }
}

const fn rejected(fragment: &'static str) -> Known {
    Known {
        fragment,
        said: Said::Rejected,
        confidence: 0.6,
    }
}

/// Most specific first: the first fragment found wins.
const KNOWN: &[Known] = &[
    // WSO2 API Manager: a key of one environment offered to the other.
    cause("sandbox key offered", "wrong-url-or-environment", 0.92),
    cause("production key offered", "wrong-url-or-environment", 0.92),
    // IIS sub-status 401.3: the file system ACL refuses the (anonymous or logged-on) user.
    cause("http error 401.3", "resource-acl-denied", 0.93),
    cause(
        "because of the access control list (acl) configuration",
        "resource-acl-denied",
        0.93,
    ),
    // Sessions (Devise and the like) before the generic "expired".
    cause("session expired", "session-expired", 0.9),
    cause("session has expired", "session-expired", 0.9),
    cause("session is expired", "session-expired", 0.9),
    // Kong's jwt plugin: no consumer key for this issuer.
    cause(
        "no credentials found for given 'iss'",
        "token-key-not-found",
        0.85,
    ),
    cause(
        "no credentials found for given iss",
        "token-key-not-found",
        0.85,
    ),
    // Nimbus through Spring: a kid miss or an algorithm mismatch.
    cause("another algorithm expected", "token-key-not-found", 0.7),
    cause("unable to find a signing key", "token-key-not-found", 0.9),
    cause("unable to lookup correct key", "token-key-not-found", 0.9),
    cause("signature key was not found", "token-key-not-found", 0.9),
    cause("did not match any keys", "token-key-not-found", 0.9),
    cause("no matching key", "token-key-not-found", 0.85),
    cause("kid not found", "token-key-not-found", 0.85),
    cause("idx10503", "token-key-not-found", 0.85),
    cause("invalid algorithm", "token-alg-mismatch", 0.85),
    cause("unexpected 'alg'", "token-alg-mismatch", 0.85),
    cause("alg value is not allowed", "token-alg-mismatch", 0.85),
    cause(
        "incorrect key for this algorithm",
        "token-alg-mismatch",
        0.85,
    ),
    cause("jwt signature is required", "token-alg-mismatch", 0.8),
    cause("token has wrong type", "wrong-token-type", 0.9),
    cause("token type is incorrect", "wrong-token-type", 0.9),
    cause("wrong token type", "wrong-token-type", 0.9),
    cause("jwt not active", "token-not-yet-valid", 0.9),
    cause("not yet valid", "token-not-yet-valid", 0.9),
    cause("not valid before", "token-not-yet-valid", 0.9),
    cause("cannot handle token prior to", "token-not-yet-valid", 0.9),
    cause(
        "cannot handle token with nbf prior to",
        "token-not-yet-valid",
        0.9,
    ),
    cause(
        "cannot handle token with iat prior to",
        "token-not-yet-valid",
        0.9,
    ),
    cause(
        "'nbf' claim timestamp check failed",
        "token-not-yet-valid",
        0.9,
    ),
    cause("jwt used before", "token-not-yet-valid", 0.9),
    cause("idx10222", "token-not-yet-valid", 0.9),
    cause("jwt expired", "token-expired", 0.92),
    cause("token expired", "token-expired", 0.92),
    cause("token is expired", "token-expired", 0.92),
    cause("token has expired", "token-expired", 0.92),
    cause("expired token", "token-expired", 0.92),
    cause("signature has expired", "token-expired", 0.92),
    cause("'exp' claim timestamp check failed", "token-expired", 0.92),
    cause("maxage exceeded", "token-expired", 0.9),
    cause("idx10223", "token-expired", 0.92),
    cause("expired", "token-expired", 0.75),
    // Keycloak: exp or nbf, most often exp.
    cause("token is not active", "token-expired", 0.7),
    cause("audience", "token-wrong-audience", 0.88),
    cause("the aud claim", "token-wrong-audience", 0.88),
    cause("unexpected 'aud'", "token-wrong-audience", 0.88),
    cause("idx10214", "token-wrong-audience", 0.88),
    cause("issuer", "token-wrong-issuer", 0.88),
    cause("the iss claim", "token-wrong-issuer", 0.88),
    cause("unexpected 'iss'", "token-wrong-issuer", 0.88),
    cause("idx10205", "token-wrong-issuer", 0.88),
    cause("invalid signature", "token-signature-invalid", 0.88),
    cause(
        "signature verification failed",
        "token-signature-invalid",
        0.88,
    ),
    cause("signature is invalid", "token-signature-invalid", 0.88),
    cause("idx10511", "token-signature-invalid", 0.88),
    cause("jwt malformed", "token-malformed", 0.88),
    cause("malformed token", "token-malformed", 0.88),
    cause("token is malformed", "token-malformed", 0.88),
    cause("invalid compact jws", "token-malformed", 0.88),
    cause("not enough segments", "token-malformed", 0.88),
    cause("wrong number of segments", "token-malformed", 0.88),
    cause("idx12741", "token-malformed", 0.85),
    cause("idx14100", "token-malformed", 0.85),
    cause("format is authorization: bearer", "wrong-auth-scheme", 0.88),
    cause("credentials_bad_scheme", "wrong-auth-scheme", 0.88),
    cause(
        "found multiple bearer tokens",
        "credential-in-wrong-place",
        0.85,
    ),
    cause("insufficient_scope", "insufficient-scope", 0.85),
    cause("insufficient scope", "insufficient-scope", 0.85),
    cause("not accessible by integration", "insufficient-scope", 0.85),
    not_found("no authorization token was found"),
    not_found("credentials were not provided"),
    not_found("credentials_required"),
    not_found("requires authentication"),
    not_found("missing required authentication credential"),
    not_found("no api key found"),
    not_found("missing authentication token"),
    not_found("missing api key"),
    not_found("api key is missing"),
    not_found("api key missing"),
    not_found("no api key"),
    not_found("provide a key"),
    not_found("provide an api key"),
    not_found("provide a valid api key"),
    not_found("authorization header is missing"),
    not_found("missing authorization header"),
    not_found("no authorization header"),
    not_found("no token provided"),
    not_found("token not provided"),
    not_found("token is missing"),
    not_found("missing token"),
    not_found("header was not present"),
    not_found("header found"),
    not_found("is not set"),
    not_found("unauthenticated"),
    not_found("you need to sign in"),
    rejected("bad credentials"),
    rejected("invalid authentication credentials"),
    rejected("invalid credentials"),
    rejected("invalid user credentials"),
    rejected("invalid client"),
    rejected("invalid api key"),
    rejected("invalid key"),
    rejected("token verification failed"),
    rejected("invalid token"),
    rejected("token is invalid"),
    rejected("not valid for any token type"),
    rejected("had invalid authentication credentials"),
];

/// What `message` says and how surely, with the fragment that settled it.
pub fn read(message: &str) -> Option<(Said, f64, &'static str)> {
    let lower = message.to_lowercase();
    KNOWN
        .iter()
        .find(|k| lower.contains(k.fragment))
        .map(|k| (k.said, k.confidence, k.fragment))
}

/// Where a message says the credential belongs, when it names a place: `query`, `header`,
/// `body` or `cookie`.
pub(crate) fn place_named(message: &str) -> Option<&'static str> {
    let lower = message.to_lowercase();
    [
        ("query parameter", "query"),
        ("query string", "query"),
        ("url parameter", "query"),
        ("header", "header"),
        ("request body", "body"),
        ("form field", "body"),
        ("cookie", "cookie"),
    ]
    .into_iter()
    .find(|(fragment, _)| lower.contains(fragment))
    .map(|(_, place)| place)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Messages as the libraries write them (see the module doc for where each comes from).
    #[test]
    fn library_messages_name_their_causes() {
        for (message, want) in [
            ("jwt expired", "token-expired"),
            (
                "Sandbox key offered to the API with no sandbox endpoint",
                "wrong-url-or-environment",
            ),
            (
                "HTTP Error 401.3 - Unauthorized You do not have permission to view this directory or page because of the access control list (ACL) configuration",
                "resource-acl-denied",
            ),
            (
                "An error occurred while attempting to decode the Jwt: Jwt expired at 2024-05-01T10:00:00Z",
                "token-expired",
            ),
            (
                "The token expired at '05/01/2024 10:00:00'",
                "token-expired",
            ),
            ("Signature has expired", "token-expired"),
            (
                "Cannot handle token prior to 2024-05-01T10:00:00+0000",
                "token-not-yet-valid",
            ),
            ("The token is not yet valid (nbf)", "token-not-yet-valid"),
            (
                "jwt audience invalid. expected: api://x",
                "token-wrong-audience",
            ),
            ("Invalid audience", "token-wrong-audience"),
            ("The issuer 'https://a' is invalid", "token-wrong-issuer"),
            ("invalid signature", "token-signature-invalid"),
            (
                "Unable to find a signing key that matches: \"k1\"",
                "token-key-not-found",
            ),
            ("Token has wrong type", "wrong-token-type"),
            (
                "Format is Authorization: Bearer [token]",
                "wrong-auth-scheme",
            ),
            (
                "Your session expired. Please sign in again to continue.",
                "session-expired",
            ),
            ("Incorrect key for this algorithm", "token-alg-mismatch"),
        ] {
            assert_eq!(
                read(message).map(|r| r.0),
                Some(Said::Cause(want)),
                "{message}"
            );
        }
    }

    #[test]
    fn not_found_and_generic_refusals() {
        for m in [
            "No authorization token was found",
            "Authentication credentials were not provided.",
            "Please provide a key query parameter",
            "Unauthenticated.",
            "Requires authentication",
        ] {
            assert_eq!(read(m).map(|r| r.0), Some(Said::NotFound), "{m}");
        }
        for m in [
            "Bad credentials",
            "Invalid authentication credentials",
            "Invalid token",
        ] {
            assert_eq!(read(m).map(|r| r.0), Some(Said::Rejected), "{m}");
        }
        assert_eq!(read("Unauthorized"), None);
        assert_eq!(
            place_named("Please provide a key query parameter"),
            Some("query")
        );
    }
}
