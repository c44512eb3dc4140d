//! Token secrets: random, shown once, stored as SHA-256.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// A new secret: `crd_` and 32 random bytes in hex (256 bits from `rand`'s thread generator, a CSPRNG seeded by the OS).
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("crd_{hex}")
}

/// What the store keeps of a secret. A plain hash suffices: the secret is 256 random bits, so
/// there is nothing to guess from it.
pub fn hash_secret(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
