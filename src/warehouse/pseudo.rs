//! Pseudonymisation of link keys (BSN, names of hired workers, document numbers): HMAC-SHA256
//! with a secret key kept outside the warehouse. The same value and key always give the same
//! code, so records still link; without the key nobody can recompute or reverse it.

use anyhow::{Context, Result, bail};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use std::path::Path;

type HmacSha256 = Hmac<Sha256>;

/// Minimum key length: 16 bytes (128 bits).
const MIN_KEY_LEN: usize = 16;

#[derive(Clone)]
pub struct Pseudonymiser {
    mac: HmacSha256,
}

impl Pseudonymiser {
    pub fn new(key: &[u8]) -> Result<Pseudonymiser> {
        if key.len() < MIN_KEY_LEN {
            bail!(
                "the pseudonymisation key is {} bytes; it must be at least {MIN_KEY_LEN}. Make one \
                 with `openssl rand -hex 32` and keep it outside the warehouse",
                key.len()
            );
        }
        Ok(Pseudonymiser {
            mac: HmacSha256::new_from_slice(key).expect("HMAC takes any key"),
        })
    }

    /// Reads the key from `--key-file`, else from `DATASTROOM_KEY`. `None` when neither is set.
    pub fn from_env_or_file(key_file: Option<&Path>) -> Result<Option<Pseudonymiser>> {
        if let Some(path) = key_file {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the key file {}", path.display()))?;
            return Pseudonymiser::new(text.trim().as_bytes()).map(Some);
        }
        match std::env::var("DATASTROOM_KEY") {
            Ok(k) if !k.trim().is_empty() => Pseudonymiser::new(k.trim().as_bytes()).map(Some),
            _ => Ok(None),
        }
    }

    /// The hex HMAC of a value, after normalising it (trimmed, spaces removed, upper case; a
    /// BSN that lost its leading zero in Excel is padded back to nine digits when `bsn`).
    pub fn code(&self, value: &str, bsn: bool) -> String {
        let mut v: String = value
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_uppercase();
        if bsn && !v.is_empty() && v.len() < 9 && v.chars().all(|c| c.is_ascii_digit()) {
            v = format!("{v:0>9}");
        }
        let mut mac = self.mac.clone();
        mac.update(v.as_bytes());
        crate::source::hex(&mac.finalize().into_bytes())
    }

    /// Identifies the key in the catalog without revealing it.
    pub fn fingerprint(&self) -> String {
        self.code("datastroom key check", false)[..16].to_string()
    }
}

/// Refuses to read the key itself as an export (`--input key.txt` would print it as a column
/// name): a small file whose text is the key in use (`known`) or `DATASTROOM_KEY`.
pub fn refuse_key_file(path: &Path, size: u64, known: Option<&Pseudonymiser>) -> Result<()> {
    if size > 4096 {
        return Ok(());
    }
    let Ok(text) = std::fs::read(path) else {
        return Ok(());
    };
    let text = String::from_utf8_lossy(&text);
    let text = text.trim();
    if text.len() < MIN_KEY_LEN {
        return Ok(());
    }
    let env = std::env::var("DATASTROOM_KEY").unwrap_or_default();
    let same_as_known = known.is_some_and(|k| {
        Pseudonymiser::new(text.as_bytes()).is_ok_and(|p| p.fingerprint() == k.fingerprint())
    });
    if same_as_known || (!env.trim().is_empty() && env.trim() == text) {
        bail!(
            "{} holds the pseudonymisation key, not an export; it is never read as data",
            path.display()
        );
    }
    Ok(())
}

pub use crate::schema::personal::is_bsn;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_reference() {
        // python3 -c "import hmac,hashlib; print(hmac.new(b'0123456789abcdef', b'123456782',
        //   hashlib.sha256).hexdigest())"
        let p = Pseudonymiser::new(b"0123456789abcdef").unwrap();
        assert_eq!(
            p.code("123456782", true),
            "5e0e64cf7abd514d1f9e27db94d75db4cd90dee4591ab525ba1dd8f151e3da3d"
        );
        assert_eq!(
            p.code(" 12345678 ", true),
            p.code("012345678", true),
            "leading zero restored"
        );
        assert_ne!(p.code("12345678", false), p.code("012345678", false));
    }

    #[test]
    fn short_keys_are_refused() {
        assert!(Pseudonymiser::new(b"short").is_err());
    }

    #[test]
    fn elfproef() {
        assert!(is_bsn("123456782"));
        assert!(is_bsn("111222333"));
        assert!(!is_bsn("123456789"));
        assert!(!is_bsn("12345678"));
    }
}
