//! Secrets never leave why401: every output replaces them by a fingerprint.

use sha2::{Digest, Sha256};

/// `[kind len=N sha256=abcd1234]`: enough to compare two tickets, nothing to reuse.
pub fn fingerprint(kind: &str, secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    format!(
        "[{kind} len={} sha256={}]",
        secret.len(),
        hex::encode(&digest[..4])
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_hides_the_secret_but_tells_equal_ones_apart() {
        let a = fingerprint("password", "hunter2-canary");
        assert!(!a.contains("hunter2"));
        assert_eq!(a, fingerprint("password", "hunter2-canary"));
        assert_ne!(a, fingerprint("password", "hunter3-canary"));
        assert!(a.starts_with("[password len=14 sha256="));
    }
}
