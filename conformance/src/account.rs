//! The account a POS (or the runner's steps) uses against a target: login, terminal and OAuth client. Plain data.

/// The published OAuth client everybody uses (cloud-mock.md §2).
pub const DEFAULT_CLIENT: &str = "atom:ashfuf4e5fa";

/// Login and terminal credentials the steps default to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// GP tom username.
    pub username: String,
    /// Its password.
    pub password: String,
    /// The terminal id (`Tid`).
    pub tid: String,
    /// The terminal's `apiKey`.
    pub api_key: String,
    /// HTTP Basic OAuth client as `id:secret`.
    pub client: String,
}

impl Default for Credentials {
    /// The mock's default terminal account (`jan.novak@example.com`, TID 999888).
    fn default() -> Self {
        Self {
            username: "jan.novak@example.com".to_owned(),
            password: "ABCDEFGHIJKL".to_owned(),
            tid: "999888".to_owned(),
            api_key: "333W212J3".to_owned(),
            client: DEFAULT_CLIENT.to_owned(),
        }
    }
}
