//! A version-4 UUID as its 36-character text: the id of a transaction and of a closed batch (a task's
//! `contextId`). Held inline and `Copy`: a transaction, its task and the eviction queue each keep the text itself,
//! with no shared heap block to allocate per payment, and to read and free when the payment is evicted.

use std::fmt;

/// Bytes of the hyphenated form (`8-4-4-4-12` hex digits).
const LEN: usize = uuid::fmt::Hyphenated::LENGTH;

/// A UUID's lowercase hyphenated text, the form GP tom writes (`b7a3c2e0-…`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Uuid([u8; LEN]);

impl Uuid {
    /// The text of `u`.
    pub fn new(u: uuid::Uuid) -> Self {
        let mut text = [0u8; LEN];
        u.hyphenated().encode_lower(&mut text);
        Uuid(text)
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        // always ASCII: written by `encode_lower` only
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl std::ops::Deref for Uuid {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq<&str> for Uuid {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl fmt::Display for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl serde::Serialize for Uuid {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl From<Uuid> for String {
    fn from(u: Uuid) -> String {
        u.as_str().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_as_the_hyphenated_lowercase_text() {
        let u = uuid::Uuid::from_u128(0xB7A3_C2E0_1F2D_4E5A_9B8C_0123_4567_89AB);
        let id = Uuid::new(u);
        assert_eq!(id.as_str(), "b7a3c2e0-1f2d-4e5a-9b8c-0123456789ab");
        assert_eq!(id.to_string(), id.as_str());
        assert_eq!(
            format!("{id:?}"),
            "\"b7a3c2e0-1f2d-4e5a-9b8c-0123456789ab\""
        );
        assert_eq!(
            serde_json::to_string(&id).unwrap(),
            "\"b7a3c2e0-1f2d-4e5a-9b8c-0123456789ab\""
        );
        assert!(id == "b7a3c2e0-1f2d-4e5a-9b8c-0123456789ab");
        assert!(id != "B7A3C2E0-1F2D-4E5A-9B8C-0123456789AB");
    }
}
