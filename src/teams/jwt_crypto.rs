//! RS256 for `jsonwebtoken`, on `ring`.
//!
//! Since 10.0, `jsonwebtoken` delegates all cryptography to a process-wide
//! `CryptoProvider` and ships only two: aws-lc-rs (a C build) and RustCrypto
//! (about 33 more crates). `ring` is already in our tree through rustls, so
//! this adapter gives the crate the one algorithm the Bot Framework uses,
//! RS256, and refuses every other. Signing is here too, so tests (and the
//! benchmark) can issue tokens the validator accepts, with the same code path.
//!
//! Modelled on the crate's own `src/crypto/aws_lc/rsa.rs` (aws-lc-rs and ring
//! share this API).

use jsonwebtoken::crypto::{CryptoProvider, JwtSigner, JwtVerifier, KeyUtils};
use jsonwebtoken::errors::{ErrorKind, Result};
use jsonwebtoken::signature::{self, Signer, Verifier};
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey, DecodingKeyKind, EncodingKey};
use ring::rand::SystemRandom;
use ring::signature::{self as ring_sig, RsaKeyPair, RsaPublicKeyComponents};

/// The provider: RS256 only. `KeyUtils` stays unimplemented because keys are
/// built from a JWKS's `n`/`e` with `DecodingKey::from_rsa_components`, never
/// through `DecodingKey::from_jwk`.
static PROVIDER: CryptoProvider = CryptoProvider {
    signer_factory: new_signer,
    verifier_factory: new_verifier,
    key_utils: KeyUtils::new_unimplemented(),
};

/// Makes this adapter `jsonwebtoken`'s provider for the process.
///
/// Idempotent, and must run before the first `jsonwebtoken::decode` or
/// `encode`: the crate fixes its provider on first use and would otherwise
/// fix one that panics. [`crate::teams::auth::Authenticator::new`] calls it,
/// so a validator can never exist without it.
pub fn install() {
    // `Err` means a provider is already installed: ours (a second call) or
    // one the process chose on purpose; either way there is nothing to do.
    let _ = PROVIDER.install_default();
}

fn new_signer(algorithm: &Algorithm, key: &EncodingKey) -> Result<Box<dyn JwtSigner>> {
    if *algorithm != Algorithm::RS256 || key.family() != AlgorithmFamily::Rsa {
        return Err(ErrorKind::InvalidAlgorithm.into());
    }
    // PKCS#8 (what `openssl genpkey`/`pkcs8 -topk8` write) or PKCS#1 DER.
    let bytes = key.as_bytes();
    let pair = RsaKeyPair::from_pkcs8(bytes)
        .or_else(|_| RsaKeyPair::from_der(bytes))
        .map_err(|e| ErrorKind::InvalidRsaKey(e.to_string()))?;
    Ok(Box::new(Rs256Signer(pair)))
}

fn new_verifier(algorithm: &Algorithm, key: &DecodingKey) -> Result<Box<dyn JwtVerifier>> {
    if *algorithm != Algorithm::RS256 {
        return Err(ErrorKind::InvalidAlgorithm.into());
    }
    match key.kind() {
        DecodingKeyKind::RsaModulusExponent { n, e } => Ok(Box::new(Rs256Verifier {
            n: n.clone(),
            e: e.clone(),
        })),
        // HMAC secrets and DER blobs are not keys a JWKS gives us.
        DecodingKeyKind::SecretOrDer(_) => Err(ErrorKind::InvalidKeyFormat.into()),
    }
}

struct Rs256Signer(RsaKeyPair);

impl Signer<Vec<u8>> for Rs256Signer {
    fn try_sign(&self, msg: &[u8]) -> std::result::Result<Vec<u8>, signature::Error> {
        let mut out = vec![0; self.0.public().modulus_len()];
        self.0
            .sign(
                &ring_sig::RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                msg,
                &mut out,
            )
            .map_err(|_| signature::Error::new())?;
        Ok(out)
    }
}

impl JwtSigner for Rs256Signer {
    fn algorithm(&self) -> Algorithm {
        Algorithm::RS256
    }
}

struct Rs256Verifier {
    n: Vec<u8>,
    e: Vec<u8>,
}

impl Verifier<Vec<u8>> for Rs256Verifier {
    fn verify(&self, msg: &[u8], sig: &Vec<u8>) -> std::result::Result<(), signature::Error> {
        // 2048..8192-bit moduli only: ring refuses the weak ones for us.
        RsaPublicKeyComponents {
            n: &self.n,
            e: &self.e,
        }
        .verify(&ring_sig::RSA_PKCS1_2048_8192_SHA256, msg, sig)
        .map_err(|_| signature::Error::new())
    }
}

impl JwtVerifier for Rs256Verifier {
    fn algorithm(&self) -> Algorithm {
        Algorithm::RS256
    }
}
