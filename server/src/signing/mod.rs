//! Token signing keys (for OpenID Connect's ID and access tokens):
//! generated on first use and stored in the database
//! (every instance signs with the same keys), the private half sealed with
//! the key encryption key; parsed once and kept in memory, looked at again
//! in the database at most once a minute so a rotation by `gatehouse keys
//! rotate` reaches every instance.
//!
//! The signatures and the sealing are aws-lc-rs's; this module only lays
//! out the JWS compact form (RFC 7515 §7.1) around them, because
//! jsonwebtoken parses the private key again for every token it signs.

pub use crate::config::KeySource;
use crate::domain::Clock;
use crate::domain::oidc::{SigningAlg, StoredKey};
use crate::domain::{Error, Result};
use crate::store::Store;
use aws_lc_rs::aead::{AES_256_GCM, Aad, NONCE_LEN, Nonce, RandomizedNonceKey};
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair, KeyPair, RSA_PKCS1_SHA256,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, RwLock};

/// The signing keys of this instance, shared by every request.
#[derive(Clone)]
pub struct KeyRing {
    source: KeySource,
    /// The key file's bytes once read: an authenticator-app check opens a
    /// sealed secret on every sign-in, which should not read a file.
    file_bytes: Arc<std::sync::OnceLock<[u8; 32]>>,
    current: Arc<RwLock<Option<Arc<Keys>>>>,
    /// Set when a key was added or retired (here or on another instance):
    /// the next use looks at the database again.
    stale: Arc<std::sync::atomic::AtomicBool>,
    refresh: Arc<tokio::sync::Mutex<()>>,
}

/// One snapshot of the keys: who signs, and what is published.
pub struct Keys {
    loaded_at: i64,
    kids: Vec<String>,
    signing: HashMap<SigningAlg, Arc<SigningKey>>,
    verifying: HashMap<String, (SigningAlg, DecodingKey)>,
    /// The JWKS document, serialised once.
    pub jwks: Arc<str>,
}

pub struct SigningKey {
    kid: String,
    alg: SigningAlg,
    pair: Pair,
}

enum Pair {
    Rsa(aws_lc_rs::rsa::KeyPair),
    Ec(EcdsaKeyPair),
    Ed(Ed25519KeyPair),
}

impl KeyRing {
    pub fn new(source: KeySource) -> Self {
        Self {
            source,
            file_bytes: Arc::new(std::sync::OnceLock::new()),
            current: Arc::new(RwLock::new(None)),
            stale: Arc::default(),
            refresh: Arc::new(tokio::sync::Mutex::new(())),
        }
    }

    /// The current keys, loaded (and generated, on a first start) when
    /// missing, marked stale, or `recheck` seconds old.
    pub async fn keys(&self, store: &Store, clock: &Clock, recheck: i64) -> Result<Arc<Keys>> {
        use std::sync::atomic::Ordering;
        let now = clock.now();
        let fresh =
            |keys: &Keys| now - keys.loaded_at < recheck && !self.stale.load(Ordering::Acquire);
        if let Some(keys) = self.snapshot()
            && fresh(&keys)
        {
            return Ok(keys);
        }
        // One request reloads; the others wait for it instead of all
        // decrypting the same keys.
        let _guard = self.refresh.lock().await;
        if let Some(keys) = self.snapshot()
            && fresh(&keys)
        {
            return Ok(keys);
        }
        // Cleared before reading: a change heard during the read marks the
        // keys stale again.
        self.stale.store(false, Ordering::Release);
        let keys = Arc::new(self.load(store, now, self.snapshot()).await?);
        *self.current.write().expect("key ring lock") = Some(keys.clone());
        Ok(keys)
    }

    /// Keys were added or retired: look again at the next use (the keys
    /// that did not change are not parsed again).
    pub fn forget(&self) {
        self.stale.store(true, std::sync::atomic::Ordering::Release);
    }

    fn snapshot(&self) -> Option<Arc<Keys>> {
        self.current.read().expect("key ring lock").clone()
    }

    async fn load(&self, store: &Store, now: i64, previous: Option<Arc<Keys>>) -> Result<Keys> {
        let mut stored = store.signing_keys().await?;
        let missing: Vec<SigningAlg> = SigningAlg::ALL
            .into_iter()
            .filter(|alg| {
                !stored
                    .iter()
                    .any(|k| k.alg == *alg && k.retired_at.is_none())
            })
            .collect();
        if !missing.is_empty() {
            let kek = self.kek()?;
            for alg in missing {
                let key = generate(&kek, alg, now)?;
                store.insert_signing_key(&key, false).await?;
                tracing::info!(kid = %key.kid, alg = alg.as_str(), "signing key generated");
            }
            stored = store.signing_keys().await?;
        }
        let published: Vec<StoredKey> = stored
            .into_iter()
            .filter(|k| k.retired_at.is_none_or(|at| now - at < MAX_TOKEN_LIFETIME))
            .collect();
        let kids: Vec<String> = published.iter().map(|k| k.kid.clone()).collect();
        if let Some(previous) = previous
            && previous.kids == kids
        {
            // Nothing changed: keep the parsed keys, look again later.
            return Ok(Keys {
                loaded_at: now,
                kids,
                signing: previous.signing.clone(),
                verifying: previous.verifying.clone(),
                jwks: previous.jwks.clone(),
            });
        }
        let kek = self.kek()?;
        let mut signing = HashMap::new();
        let mut verifying = HashMap::new();
        let mut jwks = Vec::new();
        // Newest first: the newest unretired key of an algorithm signs.
        for key in &published {
            let jwk: Value = serde_json::from_str(&key.public_jwk).map_err(anyhow::Error::new)?;
            verifying.insert(key.kid.clone(), (key.alg, decoding_key(key.alg, &jwk)?));
            jwks.push(jwk);
            if key.retired_at.is_none() && !signing.contains_key(&key.alg) {
                let der = unseal(&kek, &key.kid, &key.sealed_private)?;
                let pair = parse(key.alg, &der)?;
                signing.insert(
                    key.alg,
                    Arc::new(SigningKey {
                        kid: key.kid.clone(),
                        alg: key.alg,
                        pair,
                    }),
                );
            }
        }
        let jwks = serde_json::to_string(&json!({ "keys": jwks })).map_err(anyhow::Error::new)?;
        Ok(Keys {
            loaded_at: now,
            kids,
            signing,
            verifying,
            jwks: jwks.into(),
        })
    }

    /// Adds a new key of each algorithm that signs from now on; the old ones
    /// stay in JWKS until every token they signed has expired.
    pub async fn rotate(&self, store: &Store, clock: &Clock) -> Result<Vec<String>> {
        let kek = self.kek()?;
        let now = clock.now();
        let mut kids = Vec::new();
        for alg in SigningAlg::ALL {
            let key = generate(&kek, alg, now)?;
            store.insert_signing_key(&key, true).await?;
            kids.push(key.kid);
        }
        store
            .delete_keys_retired_before(now - MAX_TOKEN_LIFETIME)
            .await?;
        self.forget();
        Ok(kids)
    }

    /// Seals a secret other than a signing key (an authenticator app's)
    /// with the key encryption key, bound to `label`; `None` when there is
    /// no such key (PostgreSQL without configuration), where the caller
    /// keeps the secret as it is.
    pub fn seal_secret(&self, label: &str, plain: &[u8]) -> Result<Option<Vec<u8>>> {
        if matches!(self.source, KeySource::Unset) {
            return Ok(None);
        }
        seal(&self.kek()?, label, plain.to_vec()).map(Some)
    }

    /// Opens what `seal_secret` sealed under `label`.
    pub fn open_secret(&self, label: &str, sealed: &[u8]) -> Result<Vec<u8>> {
        unseal(&self.kek()?, label, sealed)
    }

    fn kek(&self) -> Result<RandomizedNonceKey> {
        let bytes = match &self.source {
            KeySource::Configured(bytes) => *bytes,
            KeySource::File(path) => match self.file_bytes.get() {
                Some(bytes) => *bytes,
                None => {
                    let bytes = key_file(path)?;
                    *self.file_bytes.get_or_init(|| bytes)
                }
            },
            KeySource::Unset => return Err(Error::Internal(anyhow::anyhow!(UNSET))),
        };
        Ok(RandomizedNonceKey::new(&AES_256_GCM, &bytes)
            .map_err(|_| anyhow::anyhow!("key encryption key"))?)
    }
}

/// Why tokens cannot be signed on PostgreSQL without configuration.
pub const UNSET: &str = "GATEHOUSE_KEY_ENCRYPTION_KEY is required with PostgreSQL to sign tokens: \
    every instance must seal and open the signing keys with the same key \
    (make one with: openssl rand -base64 32)";

/// The longest any signed token lives (an application's access token
/// lifetime is capped here): a retired key stays published this long after
/// it stopped signing.
pub const MAX_TOKEN_LIFETIME: i64 = crate::domain::oidc::ACCESS_TOKEN_LIFETIME_MAX;

impl Keys {
    /// The key that signs with `alg` now.
    pub fn signer(&self, alg: SigningAlg) -> Result<&SigningKey> {
        self.signing
            .get(&alg)
            .map(|k| k.as_ref())
            .ok_or_else(|| Error::Internal(anyhow::anyhow!("no signing key for {}", alg.as_str())))
    }

    /// The published key named `kid`, with its algorithm.
    pub fn verifier(&self, kid: &str) -> Option<&(SigningAlg, DecodingKey)> {
        self.verifying.get(kid)
    }
}

impl SigningKey {
    /// A key that lives only in memory (for measuring signature rates).
    pub fn ephemeral(alg: SigningAlg) -> Result<Self> {
        let kek = RandomizedNonceKey::new(&AES_256_GCM, &[0; 32])
            .map_err(|_| anyhow::anyhow!("key encryption key"))?;
        let key = generate(&kek, alg, 0)?;
        let der = unseal(&kek, &key.kid, &key.sealed_private)?;
        Ok(Self {
            kid: key.kid,
            alg,
            pair: parse(alg, &der)?,
        })
    }

    /// A JWS in compact form: `typ` names the token kind (`JWT` for ID
    /// tokens, `at+jwt` for access tokens, RFC 9068).
    pub fn sign(&self, typ: &str, claims: &impl Serialize) -> Result<String> {
        let header = json!({ "alg": self.alg.as_str(), "typ": typ, "kid": self.kid });
        let mut token = String::with_capacity(512);
        URL_SAFE_NO_PAD.encode_string(header.to_string(), &mut token);
        token.push('.');
        let claims = serde_json::to_vec(claims).map_err(anyhow::Error::new)?;
        URL_SAFE_NO_PAD.encode_string(claims, &mut token);
        let signature = match &self.pair {
            Pair::Rsa(pair) => {
                let mut signature = vec![0; pair.public_modulus_len()];
                pair.sign(
                    &RSA_PKCS1_SHA256,
                    &SystemRandom::new(),
                    token.as_bytes(),
                    &mut signature,
                )
                .map_err(|_| anyhow::anyhow!("RSA signature failed"))?;
                signature
            }
            Pair::Ec(pair) => pair
                .sign(&SystemRandom::new(), token.as_bytes())
                .map_err(|_| anyhow::anyhow!("ECDSA signature failed"))?
                .as_ref()
                .to_vec(),
            Pair::Ed(pair) => pair.sign(token.as_bytes()).as_ref().to_vec(),
        };
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(signature, &mut token);
        Ok(token)
    }
}

pub fn jwt_algorithm(alg: SigningAlg) -> Algorithm {
    match alg {
        SigningAlg::RS256 => Algorithm::RS256,
        SigningAlg::ES256 => Algorithm::ES256,
        SigningAlg::EdDSA => Algorithm::EdDSA,
    }
}

/// A fresh key of `alg`, sealed, with its public JWK.
fn generate(kek: &RandomizedNonceKey, alg: SigningAlg, now: i64) -> Result<StoredKey> {
    let failed = |_| Error::Internal(anyhow::anyhow!("generating a {} key", alg.as_str()));
    let kid = uuid::Uuid::now_v7().simple().to_string();
    let b64 = |bytes: &[u8]| URL_SAFE_NO_PAD.encode(bytes);
    let (der, jwk) = match alg {
        SigningAlg::RS256 => {
            let pair = aws_lc_rs::rsa::KeyPair::generate(KeySize::Rsa2048).map_err(failed)?;
            let public = pair.public_key();
            let jwk = json!({
                "kty": "RSA",
                "n": b64(public.modulus().big_endian_without_leading_zero()),
                "e": b64(public.exponent().big_endian_without_leading_zero()),
            });
            let der = pair.as_der().map_err(failed)?.as_ref().to_vec();
            (der, jwk)
        }
        SigningAlg::ES256 => {
            let pair = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).map_err(failed)?;
            // An uncompressed point: 0x04, then x and y of 32 bytes each.
            let point = pair.public_key().as_ref();
            let jwk = json!({
                "kty": "EC",
                "crv": "P-256",
                "x": b64(&point[1..33]),
                "y": b64(&point[33..65]),
            });
            let der = pair.to_pkcs8v1().map_err(failed)?.as_ref().to_vec();
            (der, jwk)
        }
        SigningAlg::EdDSA => {
            let pair = Ed25519KeyPair::generate().map_err(failed)?;
            let jwk = json!({
                "kty": "OKP",
                "crv": "Ed25519",
                "x": b64(pair.public_key().as_ref()),
            });
            let der = pair.to_pkcs8().map_err(failed)?.as_ref().to_vec();
            (der, jwk)
        }
    };
    let mut jwk = jwk;
    jwk["kid"] = json!(kid);
    jwk["alg"] = json!(alg.as_str());
    jwk["use"] = json!("sig");
    Ok(StoredKey {
        sealed_private: seal(kek, &kid, der)?,
        public_jwk: jwk.to_string(),
        kid,
        alg,
        created_at: now,
        retired_at: None,
    })
}

fn parse(alg: SigningAlg, der: &[u8]) -> Result<Pair> {
    let rejected = |e: aws_lc_rs::error::KeyRejected| anyhow::anyhow!("stored key rejected: {e}");
    Ok(match alg {
        SigningAlg::RS256 => Pair::Rsa(aws_lc_rs::rsa::KeyPair::from_pkcs8(der).map_err(rejected)?),
        SigningAlg::ES256 => Pair::Ec(
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der).map_err(rejected)?,
        ),
        SigningAlg::EdDSA => Pair::Ed(Ed25519KeyPair::from_pkcs8(der).map_err(rejected)?),
    })
}

fn decoding_key(alg: SigningAlg, jwk: &Value) -> Result<DecodingKey> {
    let field = |name: &str| jwk[name].as_str().unwrap_or_default();
    let key = match alg {
        SigningAlg::RS256 => DecodingKey::from_rsa_components(field("n"), field("e")),
        SigningAlg::ES256 => DecodingKey::from_ec_components(field("x"), field("y")),
        SigningAlg::EdDSA => DecodingKey::from_ed_components(field("x")),
    };
    Ok(key.map_err(anyhow::Error::new)?)
}

/// The private key sealed with AES-256-GCM under a random nonce, bound to
/// its kid: the nonce, then the ciphertext and tag.
fn seal(kek: &RandomizedNonceKey, kid: &str, mut der: Vec<u8>) -> Result<Vec<u8>> {
    let nonce = kek
        .seal_in_place_append_tag(Aad::from(kid.as_bytes()), &mut der)
        .map_err(|_| anyhow::anyhow!("sealing a key"))?;
    let mut sealed = nonce.as_ref().to_vec();
    sealed.extend_from_slice(&der);
    Ok(sealed)
}

fn unseal(kek: &RandomizedNonceKey, kid: &str, sealed: &[u8]) -> Result<Vec<u8>> {
    let wrong = || {
        Error::Internal(anyhow::anyhow!(
            "sealed secret {kid} (a signing key id, or totp:<factor>) cannot be decrypted: is this the key encryption key it was sealed with?"
        ))
    };
    if sealed.len() < NONCE_LEN {
        return Err(wrong());
    }
    let (nonce, sealed) = sealed.split_at(NONCE_LEN);
    let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| wrong())?;
    let mut buffer = sealed.to_vec();
    let plain = kek
        .open_in_place(nonce, Aad::from(kid.as_bytes()), &mut buffer)
        .map_err(|_| wrong())?;
    Ok(plain.to_vec())
}

/// Reads the key file, creating it (readable by its owner only) on first
/// start.
fn key_file(path: &Path) -> Result<[u8; 32]> {
    use base64::engine::general_purpose::STANDARD;
    if !path.exists() {
        let mut bytes = [0u8; 32];
        aws_lc_rs::rand::fill(&mut bytes).map_err(|_| anyhow::anyhow!("random key"))?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        match options.open(path) {
            Ok(mut file) => {
                use std::io::Write;
                writeln!(file, "{}", STANDARD.encode(bytes)).map_err(anyhow::Error::new)?;
                tracing::warn!(
                    path = %path.display(),
                    "created the key encryption key file: back it up with the database"
                );
            }
            // Another process created it first: read theirs.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => {
                return Err(anyhow::Error::new(e)
                    .context("creating the key file")
                    .into());
            }
        }
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::Error::new(e).context(format!("reading {}", path.display())))?;
    crate::config::parse_key(text.trim())
        .map_err(|reason| Error::Internal(anyhow::anyhow!("{}: {reason}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_keys_open_only_with_their_key_and_kid() {
        let kek = RandomizedNonceKey::new(&AES_256_GCM, &[7; 32]).unwrap();
        let other = RandomizedNonceKey::new(&AES_256_GCM, &[8; 32]).unwrap();
        let key = generate(&kek, SigningAlg::ES256, 0).unwrap();
        let der = unseal(&kek, &key.kid, &key.sealed_private).unwrap();
        assert!(parse(SigningAlg::ES256, &der).is_ok());
        assert!(unseal(&other, &key.kid, &key.sealed_private).is_err());
        assert!(unseal(&kek, "another-kid", &key.sealed_private).is_err());
        assert!(unseal(&kek, &key.kid, &key.sealed_private[..5]).is_err());
    }

    #[test]
    fn other_secrets_open_only_under_their_label_and_stay_plain_without_a_key() {
        let ring = KeyRing::new(KeySource::Configured([7; 32]));
        let sealed = ring
            .seal_secret("totp:a", b"twenty-byte-secret!!")
            .unwrap()
            .unwrap();
        assert_ne!(&sealed[NONCE_LEN..NONCE_LEN + 20], b"twenty-byte-secret!!");
        assert_eq!(
            ring.open_secret("totp:a", &sealed).unwrap(),
            b"twenty-byte-secret!!"
        );
        assert!(ring.open_secret("totp:b", &sealed).is_err());
        let other = KeyRing::new(KeySource::Configured([8; 32]));
        assert!(other.open_secret("totp:a", &sealed).is_err());
        let unset = KeyRing::new(KeySource::Unset);
        assert_eq!(unset.seal_secret("totp:a", b"x").unwrap(), None);
    }

    #[test]
    fn tokens_verify_against_the_published_key() {
        let kek = RandomizedNonceKey::new(&AES_256_GCM, &[7; 32]).unwrap();
        for alg in SigningAlg::ALL {
            let key = generate(&kek, alg, 0).unwrap();
            let der = unseal(&kek, &key.kid, &key.sealed_private).unwrap();
            let signer = SigningKey {
                kid: key.kid.clone(),
                alg,
                pair: parse(alg, &der).unwrap(),
            };
            let token = signer
                .sign("JWT", &json!({ "sub": "x", "exp": 4_000_000_000u64 }))
                .unwrap();
            let jwk: Value = serde_json::from_str(&key.public_jwk).unwrap();
            let decoding = decoding_key(alg, &jwk).unwrap();
            let mut validation = jsonwebtoken::Validation::new(jwt_algorithm(alg));
            validation.validate_aud = false;
            let data = jsonwebtoken::decode::<Value>(&token, &decoding, &validation).unwrap();
            assert_eq!(data.claims["sub"], "x");
            assert_eq!(data.header.kid.as_deref(), Some(key.kid.as_str()));
            let mut tampered = token.clone();
            tampered.insert(token.find('.').unwrap() + 2, 'A');
            assert!(jsonwebtoken::decode::<Value>(&tampered, &decoding, &validation).is_err());
        }
    }
}
