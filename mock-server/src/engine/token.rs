//! OAuth2 for the Cloud API: the password and refresh_token grants, JWT access and refresh tokens (HS256,
//! `jsonwebtoken`) and their verification. Expiry is judged against the mock clock (`now`), never the wall
//! clock. Errors here are Spring-OAuth shaped (`error`, `error_description`). No axum.

use std::hash::BuildHasher;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use super::terminal::{AccountKind, Directory};
use crate::clock::Timestamp;
use crate::rng::MockRng;

/// Token lifetimes in seconds (`token.terminal_ttl`, `token.master_ttl`, `token.refresh_ttl`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenTtls {
    /// Access token of a terminal login (GP tom: 3600).
    pub terminal: i64,
    /// Access token of a master login (GP tom: 86399).
    pub master: i64,
    /// Refresh token (90 days) [assumption].
    pub refresh: i64,
}

impl Default for TokenTtls {
    fn default() -> Self {
        TokenTtls {
            terminal: 3600,
            master: 86_399,
            refresh: 90 * 86_400,
        }
    }
}

/// JWT claims of access and refresh tokens (cloud-mock.md §3). A refresh token carries `ati`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Login e-mail (inline up to 23 bytes, like the TID: a token seen before is checked on every call, and over
    /// many terminals each heap block behind its claims was one more cold read a call).
    pub user_name: super::Id,
    /// Terminal id, `null` for a master login.
    pub tid: Option<super::Id>,
    /// Always `atom`.
    pub client_id: String,
    /// `["read","write"]`.
    pub scope: Vec<String>,
    /// `["ROLE_TERMINAL"]` or `["ROLE_MASTER"]`.
    pub authorities: Vec<String>,
    /// Issued at (seconds, mock clock).
    pub iat: i64,
    /// Expires at (seconds, mock clock).
    pub exp: i64,
    /// Not before (seconds); never issued by the mock, but honoured when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// Token id (UUID).
    pub jti: String,
    /// Refresh tokens only: the `jti` of the access token issued with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ati: Option<String>,
}

impl Claims {
    /// Whether this is a refresh token.
    pub fn is_refresh(&self) -> bool {
        self.ati.is_some()
    }

    /// Who the token speaks for.
    fn who(&self) -> Who {
        match &self.tid {
            Some(tid) => Who::Terminal(tid.clone()),
            None => Who::Master(self.user_name.clone()),
        }
    }
}

/// Who a verified access token speaks for: all of its claims the `/v1` calls read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Who {
    /// A terminal login's token: its TID (the login is not needed again: the token sees that TID alone).
    Terminal(super::Id),
    /// A master login's token: the login, whose TIDs it sees (looked up on each call, as they may change).
    Master(super::Id),
}

impl Who {
    /// The TID of a terminal login's token.
    pub fn tid(&self) -> Option<&str> {
        match self {
            Who::Terminal(tid) => Some(tid),
            Who::Master(_) => None,
        }
    }
}

/// The body of a successful token response, in wire order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct TokenGrant {
    /// The JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// Always `bearer`.
    #[schema(value_type = String)]
    pub token_type: &'static str,
    /// The JWT for the refresh grant.
    pub refresh_token: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Always `read write`.
    #[schema(value_type = String)]
    pub scope: &'static str,
    /// The TID as a string, or `null` for a master login.
    pub tid: Option<String>,
    /// The access token's id.
    pub jti: String,
}

/// A Spring-OAuth error: HTTP status, `error` and `error_description`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{error}: {description}")]
pub struct OAuthError {
    /// 400 or 401.
    pub status: u16,
    /// `invalid_client`, `invalid_request`, `invalid_grant`, `unsupported_grant_type`.
    pub error: &'static str,
    /// Human-readable reason.
    pub description: String,
}

impl OAuthError {
    fn bad_request(error: &'static str, description: impl Into<String>) -> Self {
        OAuthError {
            status: 400,
            error,
            description: description.into(),
        }
    }
    /// 401 `invalid_client` (wrong or missing Basic client).
    pub fn invalid_client() -> Self {
        OAuthError {
            status: 401,
            error: "invalid_client",
            description: "Bad client credentials".into(),
        }
    }
    /// 400 `invalid_request` (body not form-encoded).
    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::bad_request("invalid_request", description)
    }
}

/// Which token path a request came in on (the `strict` profile binds each grant to one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenPath {
    /// `/cloud/oauth/token` (documented for the password grant).
    Cloud,
    /// `/api/oauth/token` (documented for the refresh grant).
    Api,
}

/// Why a bearer token was refused (401).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// No `Authorization: Bearer` header.
    #[error("Full authentication is required to access this resource")]
    Missing,
    /// Present but not acceptable; the text says why.
    #[error("{0}")]
    Invalid(String),
}

/// Signs and checks tokens with one HS256 secret.
pub struct Tokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    /// Access tokens whose signature and claims were already checked, found by two independent hashes of their
    /// whole text (128 bits: only the very same token matches, a tampered one is verified afresh and refused).
    /// Not the text itself: over many terminals comparing it read seven cold blocks a call.
    verified: hashbrown::HashTable<Verified>,
    /// Hashes tokens for `verified` (seeded per process, like the engine's maps).
    token_hash: foldhash::fast::RandomState,
    /// The second hash, seeded apart.
    check_hash: foldhash::fast::RandomState,
    /// Lifetimes.
    pub ttls: TokenTtls,
}

/// A token [`Tokens::authenticate`] has checked: its hashes, the [`Directory::stamp`] at which its login last
/// granted its TID (0: not yet), and what a call reads of its claims, in one 64-byte block (`repr(C, align(64))`):
/// over 1 000 terminals each block behind a token was one more cold read a call. While the directory shows that
/// stamp no login has changed since, so the grant still holds and is not looked up again (that lookup read about
/// four cold blocks a call: the login's name, the map's index and entry, its TIDs). A token with a not-before
/// claim (the mock never issues one), or an `exp` that does not fit 32 bits (before 1970 or after 2106), is not
/// remembered: it is verified afresh on every call.
#[repr(C, align(64))]
struct Verified {
    /// The token's hash in `verified` (kept for when the table grows).
    hash: u64,
    /// Its second hash.
    check: u64,
    granted: u64,
    /// `exp`, in seconds: the token is refused from then on (one whose `exp` does not fit is not remembered).
    until: u32,
    /// Where the engine last found its terminal's state ([`Tokens::authenticate_noting`]; `u32::MAX`: nowhere yet).
    noted: u32,
    /// The claimed TID (`None`: a master login's token).
    tid: Option<super::Id>,
    /// The rest, read only for a master login or an expired token.
    claims: Box<Claims>,
}

const _: () = assert!(std::mem::size_of::<Verified>() == 64);

impl Verified {
    fn who(&self) -> Who {
        match &self.tid {
            Some(tid) => Who::Terminal(tid.clone()),
            None => self.claims.who(),
        }
    }
}

/// Most tokens [`Tokens::authenticate`] remembers; the memory is dropped all at once when full.
const VERIFIED_CAP: usize = 4096;

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("ttls", &self.ttls)
            .finish_non_exhaustive()
    }
}

impl Tokens {
    /// Keys from `secret`.
    pub fn new(secret: &[u8], ttls: TokenTtls) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.validate_exp = false; // judged against the mock clock
        validation.required_spec_claims = ["exp".to_owned()].into_iter().collect();
        Tokens {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            verified: hashbrown::HashTable::new(),
            token_hash: Default::default(),
            check_hash: Default::default(),
            ttls,
        }
    }

    /// Handles one token request (form fields already decoded). `strict` binds grants to their documented path.
    pub fn grant(
        &self,
        dir: &Directory,
        form: &[(String, String)],
        path: TokenPath,
        strict: bool,
        now: Timestamp,
        rng: &mut MockRng,
    ) -> Result<TokenGrant, OAuthError> {
        let field = |name: &str| {
            form.iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        let grant_type = match field("grant_type") {
            None | Some("") => return Err(OAuthError::invalid_request("Missing grant type")),
            Some(g) => g,
        };
        let unsupported = || {
            OAuthError::bad_request(
                "unsupported_grant_type",
                format!("Unsupported grant type: {grant_type}"),
            )
        };
        match grant_type {
            "password" if strict && path != TokenPath::Cloud => Err(unsupported()),
            "refresh_token" if strict && path != TokenPath::Api => Err(unsupported()),
            "password" => self.password_grant(
                dir,
                field("username"),
                field("password"),
                field("tid"),
                now,
                rng,
            ),
            "refresh_token" => {
                self.refresh_grant(dir, field("refresh_token").unwrap_or(""), now, rng)
            }
            _ => Err(unsupported()),
        }
    }

    fn password_grant(
        &self,
        dir: &Directory,
        username: Option<&str>,
        password: Option<&str>,
        tid: Option<&str>,
        now: Timestamp,
        rng: &mut MockRng,
    ) -> Result<TokenGrant, OAuthError> {
        let bad = || OAuthError::bad_request("invalid_grant", "Bad credentials");
        let account = dir.account(username.ok_or_else(bad)?).ok_or_else(bad)?;
        if password != Some(account.password.as_str()) {
            return Err(bad());
        }
        let tid = match account.kind {
            AccountKind::Master => None,
            AccountKind::Terminal => {
                let tid = tid.unwrap_or("");
                if !account.tids.iter().any(|t| t == tid) {
                    let shown = if tid.is_empty() { "(missing)" } else { tid };
                    return Err(OAuthError::bad_request(
                        "invalid_grant",
                        format!("TID {shown} is not assigned to this user"),
                    ));
                }
                Some(tid.to_owned())
            }
        };
        self.issue(&account.username, tid, now, rng, None)
    }

    fn refresh_grant(
        &self,
        dir: &Directory,
        token: &str,
        now: Timestamp,
        rng: &mut MockRng,
    ) -> Result<TokenGrant, OAuthError> {
        let invalid = || OAuthError::bad_request("invalid_grant", "Invalid refresh token");
        let claims = self.verify(token, now).map_err(|_| invalid())?;
        if !claims.is_refresh() || !dir.grants(&claims.user_name, claims.tid.as_deref()) {
            return Err(invalid());
        }
        self.issue(
            &claims.user_name,
            claims.tid.map(String::from),
            now,
            rng,
            Some(token.to_owned()),
        )
    }

    fn issue(
        &self,
        user: &str,
        tid: Option<String>,
        now: Timestamp,
        rng: &mut MockRng,
        keep_refresh: Option<String>,
    ) -> Result<TokenGrant, OAuthError> {
        let (ttl, role) = match tid {
            Some(_) => (self.ttls.terminal, "ROLE_TERMINAL"),
            None => (self.ttls.master, "ROLE_MASTER"),
        };
        let iat = now.unix_seconds();
        let access = Claims {
            user_name: user.into(),
            tid: tid.as_deref().map(super::Id::from),
            client_id: "atom".into(),
            scope: vec!["read".into(), "write".into()],
            authorities: vec![role.into()],
            iat,
            exp: iat + ttl,
            nbf: None,
            jti: rng.uuid().to_string(),
            ati: None,
        };
        let refresh_token = match keep_refresh {
            Some(t) => t,
            None => {
                let refresh = Claims {
                    exp: iat + self.ttls.refresh,
                    jti: rng.uuid().to_string(),
                    ati: Some(access.jti.clone()),
                    ..access.clone()
                };
                self.sign(&refresh)?
            }
        };
        Ok(TokenGrant {
            access_token: self.sign(&access)?,
            token_type: "bearer",
            refresh_token,
            expires_in: ttl,
            scope: "read write",
            tid,
            jti: access.jti,
        })
    }

    fn sign(&self, claims: &Claims) -> Result<String, OAuthError> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding).map_err(|e| {
            OAuthError {
                status: 500,
                error: "server_error",
                description: format!("could not sign the token: {e}"),
            }
        })
    }

    /// Checks signature (HS256 only, `none` refused), shape and expiry against `now`.
    pub fn verify(&self, token: &str, now: Timestamp) -> Result<Claims, AuthError> {
        // The header first, so that `alg: none` or RS256 is reported as what it is.
        let header = jsonwebtoken::decode_header(token).map_err(|_| {
            AuthError::Invalid(
                "Cannot convert access token to JSON: not a JWT with a supported alg (HS256 only)"
                    .into(),
            )
        })?;
        if header.alg != Algorithm::HS256 {
            let why = format!(
                "Cannot convert access token to JSON: alg {:?} is not HS256",
                header.alg
            );
            return Err(AuthError::Invalid(why));
        }
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|e| {
                use jsonwebtoken::errors::ErrorKind as K;
                AuthError::Invalid(match e.kind() {
                    K::InvalidSignature => {
                        "Cannot convert access token to JSON: invalid signature".into()
                    }
                    K::Json(_) | K::MissingRequiredClaim(_) => {
                        "Invalid access token: required claims missing or mistyped".into()
                    }
                    _ => "Cannot convert access token to JSON: malformed token".into(),
                })
            })?;
        let claims = data.claims;
        Self::check_time(&claims, now)?;
        Ok(claims)
    }

    /// Expiry and not-before against the mock clock.
    fn check_time(claims: &Claims, now: Timestamp) -> Result<(), AuthError> {
        let now_s = now.0;
        if claims.exp.saturating_mul(1000) <= now_s {
            return Err(Self::expired(claims));
        }
        if claims
            .nbf
            .is_some_and(|nbf| nbf.saturating_mul(1000) > now_s)
        {
            return Err(AuthError::Invalid("Access token is not valid yet".into()));
        }
        Ok(())
    }

    fn expired(claims: &Claims) -> AuthError {
        AuthError::Invalid(format!("Access token expired: {}", claims.jti))
    }

    /// Whether the token's login still exists and still has its TID.
    fn check_grant(dir: &Directory, claims: &Claims) -> Result<(), AuthError> {
        if dir.grants(&claims.user_name, claims.tid.as_deref()) {
            Ok(())
        } else {
            Err(AuthError::Invalid(
                "Invalid access token: the account no longer exists".into(),
            ))
        }
    }

    /// Verifies a bearer token as an *access* token of an account that still has that TID, and says who it speaks
    /// for. A token seen before skips the signature check and the claim decoding (the hot path of every `/v1`
    /// call), not the rest. The token comes as the header's bytes: one seen before is recognised by them, and only
    /// a new one is read as text.
    pub fn authenticate(
        &mut self,
        dir: &Directory,
        token: Option<&[u8]>,
        now: Timestamp,
    ) -> Result<Who, AuthError> {
        self.authenticate_noting(dir, token, now)
            .map(|(who, _)| who)
    }

    /// [`Tokens::authenticate`], and a number the caller may note in the token's block for its next use (the
    /// engine notes its terminal's slot there); `None` when the token is not remembered.
    pub fn authenticate_noting(
        &mut self,
        dir: &Directory,
        token: Option<&[u8]>,
        now: Timestamp,
    ) -> Result<(Who, Option<&mut u32>), AuthError> {
        let token = token.ok_or(AuthError::Missing)?;
        let hash = self.token_hash.hash_one(token);
        let check = self.check_hash.hash_one(token);
        let stamp = dir.stamp();
        let same = |seen: &Verified| seen.hash == hash && seen.check == check;
        // found, then taken to change (handing out `noted` from one `find_mut` keeps `self` borrowed for the rest)
        if self.verified.find(hash, same).is_some() {
            let seen = self.verified.find_mut(hash, same).expect("just found");
            if i64::from(seen.until) * 1000 <= now.0 {
                return Err(Self::expired(&seen.claims));
            }
            if seen.granted != stamp {
                Self::check_grant(dir, &seen.claims)?;
                seen.granted = stamp;
            }
            return Ok((seen.who(), Some(&mut seen.noted)));
        }
        let token = std::str::from_utf8(token).map_err(|_| {
            AuthError::Invalid("Cannot convert access token to JSON: not UTF-8".into())
        })?;
        let claims = self.verify(token, now)?;
        if claims.is_refresh() {
            return Err(AuthError::Invalid(
                "Invalid access token: a refresh token cannot be used here".into(),
            ));
        }
        // kept even when its login no longer grants it: the next use looks the login up again
        let granted = Self::check_grant(dir, &claims);
        let who = claims.who();
        if let (None, Ok(until)) = (claims.nbf, u32::try_from(claims.exp)) {
            if self.verified.len() >= VERIFIED_CAP {
                self.verified.clear();
            }
            let seen = Verified {
                hash,
                check,
                granted: if granted.is_ok() { stamp } else { 0 },
                until,
                noted: u32::MAX,
                tid: claims.tid.clone(),
                claims: Box::new(claims),
            };
            self.verified.insert_unique(hash, seen, |seen| seen.hash);
        }
        granted?;
        Ok((who, None))
    }
}

#[cfg(test)]
mod tests {
    use super::{AuthError, Claims, TokenPath, TokenTtls, Tokens, Who};
    use crate::clock::Timestamp;
    use crate::config::Config;
    use crate::server::engine_for;

    #[test]
    fn a_remembered_grant_holds_only_while_no_login_has_changed() {
        let mut e = engine_for(&Config::default()).expect("engine");
        let now = Timestamp::DEFAULT_START;
        let form: Vec<(String, String)> = [
            ("grant_type", "password"),
            ("username", "jan.novak@example.com"),
            ("password", "ABCDEFGHIJKL"),
            ("tid", "999888"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .into();
        let token = e
            .token(&form, TokenPath::Cloud, now)
            .expect("token")
            .access_token;
        let use_it = |e: &mut crate::engine::Engine| e.authenticate(Some(token.as_bytes()), now);
        assert!(use_it(&mut e).is_ok(), "first use: verified and granted");
        assert!(use_it(&mut e).is_ok(), "again: remembered");
        // a change to the logins (here the password, which leaves the grant as it was) is looked at again
        let stamp = e.world.directory.stamp();
        e.set_password("jan.novak@example.com", "NEWPASSWORD1");
        assert_ne!(e.world.directory.stamp(), stamp);
        assert!(
            use_it(&mut e).is_ok(),
            "a new password keeps the token's grant"
        );
        // the login loses the TID: the remembered grant no longer holds
        e.world
            .directory
            .accounts_mut()
            .get_mut("jan.novak@example.com")
            .expect("login")
            .tids
            .retain(|t| t != "999888");
        match use_it(&mut e) {
            Err(AuthError::Invalid(why)) => assert!(why.contains("no longer exists"), "{why}"),
            other => panic!("expected a refused token, got {other:?}"),
        }
        // a copy of the logins never shows the stamp of the logins it was copied from
        let copy = e.world.directory.clone();
        assert_ne!(copy.stamp(), e.world.directory.stamp());
        assert_eq!(
            copy, e.world.directory,
            "the stamp takes no part in equality"
        );
    }

    #[test]
    fn a_token_is_remembered_with_its_terminal_unless_it_has_a_not_before() {
        let e = engine_for(&Config::default()).expect("engine");
        let dir = &e.world.directory;
        let now = Timestamp::DEFAULT_START;
        let mut tokens = Tokens::new(b"secret", TokenTtls::default());
        let claims = |nbf| Claims {
            user_name: "jan.novak@example.com".into(),
            tid: Some("999888".into()),
            client_id: "atom".into(),
            scope: vec!["read".into(), "write".into()],
            authorities: vec!["ROLE_TERMINAL".into()],
            iat: now.unix_seconds(),
            exp: now.unix_seconds() + 60,
            nbf,
            jti: "j".into(),
            ati: None,
        };
        let plain = tokens.sign(&claims(None)).expect("signed");
        let not_before = tokens
            .sign(&claims(Some(now.unix_seconds())))
            .expect("signed");
        for token in [&plain, &not_before, &plain, &not_before] {
            let who = tokens.authenticate(dir, Some(token.as_bytes()), now);
            assert_eq!(who, Ok(Who::Terminal("999888".into())));
        }
        assert_eq!(
            tokens.verified.len(),
            1,
            "only the token without nbf is kept"
        );
        // the remembered token is refused from its `exp` on, with the expiry message of a fresh check
        let at_exp = now.plus_ms(60_000);
        for token in [&plain, &not_before] {
            match tokens.authenticate(dir, Some(token.as_bytes()), at_exp) {
                Err(AuthError::Invalid(why)) => assert_eq!(why, "Access token expired: j"),
                other => panic!("expected an expired token, got {other:?}"),
            }
        }
    }
}
