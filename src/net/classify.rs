//! Request failures sorted into classes a person can act on.

/// Why no HTTP answer came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchError {
    /// dns, refused, reset, timeout, tls, proxy-auth, protocol, too-large, usage, other.
    pub class: &'static str,
    /// For tls: expired, not-yet-valid, self-signed, unknown-issuer, name-mismatch, revoked,
    /// handshake.
    pub tls: Option<&'static str>,
    pub message: String,
}

impl FetchError {
    pub fn usage(message: &str) -> Self {
        Self {
            class: "usage",
            tls: None,
            message: message.to_owned(),
        }
    }

    pub fn timeout(secs: f64) -> Self {
        Self {
            class: "timeout",
            tls: None,
            message: format!("no complete answer within {secs} s"),
        }
    }

    /// The reason in words, with the TLS sub-reason when there is one.
    pub fn reason(&self) -> String {
        match self.tls {
            Some(t) => format!("tls ({t})"),
            None => self.class.to_owned(),
        }
    }
}

/// The error's whole source chain on one line, repeats removed.
fn chain_text(e: &(dyn std::error::Error + 'static)) -> String {
    let mut chain = String::new();
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        let text = s.to_string();
        if !chain.contains(&text) {
            if !chain.is_empty() {
                chain.push_str(": ");
            }
            chain.push_str(&text);
        }
        source = s.source();
    }
    chain
}

/// Sorts a request error into a class, with the innermost reason.
pub fn classify(e: &reqwest::Error) -> FetchError {
    let chain = chain_text(e);
    let lower = chain.to_ascii_lowercase();
    let tls = crate::net::tls::TlsProblem::from_text(&chain)
        .map(crate::net::tls::TlsProblem::id)
        .or_else(|| tls_reason(&lower));
    let class = if lower.contains("proxy authorization required") {
        "proxy-auth"
    } else if tls.is_some() {
        "tls"
    } else if e.is_timeout() || lower.contains("timed out") {
        "timeout"
    } else if lower.contains("dns")
        || lower.contains("failed to lookup")
        || lower.contains("name or service not known")
    {
        "dns"
    } else if lower.contains("connection refused") {
        "refused"
    } else if lower.contains("too large") || lower.contains("header overflow") {
        "too-large"
    } else if lower.contains("reset")
        || lower.contains("connection closed")
        || lower.contains("broken pipe")
        || lower.contains("incomplete message")
    {
        "reset"
    } else if e.is_connect() {
        "refused"
    } else if lower.contains("invalid")
        || lower.contains("parse")
        || lower.contains("http version")
        || lower.contains("unexpected message")
        || e.is_decode()
    {
        "protocol"
    } else if e.is_builder() {
        "usage"
    } else {
        "other"
    };
    FetchError {
        class,
        tls,
        message: crate::net::tls::tidy(&chain),
    }
}

fn tls_reason(lower: &str) -> Option<&'static str> {
    if !(lower.contains("certificate")
        || lower.contains("tls")
        || lower.contains("handshake")
        || lower.contains("invalid peer"))
    {
        return None;
    }
    Some(if lower.contains("expired") {
        "expired"
    } else if lower.contains("notvalidyet") || lower.contains("not valid yet") {
        "not-yet-valid"
    } else if lower.contains("unknownissuer")
        || lower.contains("unknown issuer")
        || lower.contains("self-signed")
        || lower.contains("caused as end entity")
        || lower.contains("causedasendentity")
        || lower.contains("self signed")
    {
        "unknown-issuer"
    } else if lower.contains("notvalidforname") || lower.contains("not valid for name") {
        "name-mismatch"
    } else {
        "handshake"
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_sub_reasons_come_from_rustls_wording() {
        let cases = [
            (
                "invalid peer certificate: UnknownIssuer",
                Some("unknown-issuer"),
            ),
            ("invalid peer certificate: Expired", Some("expired")),
            (
                "invalid peer certificate: NotValidForName",
                Some("name-mismatch"),
            ),
            ("received fatal alert: HandshakeFailure", Some("handshake")),
            ("connection refused", None),
        ];
        for (text, want) in cases {
            assert_eq!(tls_reason(&text.to_ascii_lowercase()), want, "{text}");
        }
    }
}
