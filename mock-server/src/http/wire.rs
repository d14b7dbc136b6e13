//! The hot answers written straight to bytes: a task (`GET /v1/tasks/{id}`, `POST /v1/tasks/TRANSACTION`) is
//! the answer a POS asks for most, and serde's generic path (every key escaped byte by byte, written through a
//! growing buffer) was a fifth of a poll's cost. [`Wire`] writes the same bytes as `serde_json::to_vec` of the
//! DTO (keys are pre-escaped literals, values escaped as serde_json escapes them), into one buffer sized once.
//! The DTOs keep their `Serialize` derive: it is the schema, and the tests check both give the same bytes.

use axum::body::Bytes;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// A JSON document under construction.
pub struct Out(Vec<u8>);

impl Out {
    /// An empty document with room for `n` bytes.
    pub fn with_capacity(n: usize) -> Self {
        Out(Vec::with_capacity(n))
    }

    /// Bytes as they are: punctuation and pre-escaped keys (`,"taskId":`).
    pub fn raw(&mut self, s: &str) {
        self.0.extend_from_slice(s.as_bytes());
    }

    /// A JSON string, escaped as serde_json escapes it (`"`, `\`, and control characters; nothing else).
    pub fn str(&mut self, s: &str) {
        let bytes = s.as_bytes();
        self.0.reserve(bytes.len() + 2);
        self.0.push(b'"');
        // one pass without branches first: most strings need no escape at all
        if !bytes.iter().fold(false, |any, &b| any | needs_escape(b)) {
            self.0.extend_from_slice(bytes);
        } else {
            let mut start = 0;
            for (i, &b) in bytes.iter().enumerate() {
                if !needs_escape(b) {
                    continue;
                }
                self.0.extend_from_slice(&bytes[start..i]);
                match b {
                    b'"' => self.0.extend_from_slice(b"\\\""),
                    b'\\' => self.0.extend_from_slice(b"\\\\"),
                    b'\x08' => self.0.extend_from_slice(b"\\b"),
                    b'\x0c' => self.0.extend_from_slice(b"\\f"),
                    b'\n' => self.0.extend_from_slice(b"\\n"),
                    b'\r' => self.0.extend_from_slice(b"\\r"),
                    b'\t' => self.0.extend_from_slice(b"\\t"),
                    _ => {
                        const HEX: &[u8; 16] = b"0123456789abcdef";
                        self.0.extend_from_slice(b"\\u00");
                        self.0.push(HEX[usize::from(b >> 4)]);
                        self.0.push(HEX[usize::from(b & 0xf)]);
                    }
                }
                start = i + 1;
            }
            self.0.extend_from_slice(&bytes[start..]);
        }
        self.0.push(b'"');
    }

    /// A pre-escaped key (with its punctuation, `,"taskId":`) and a string.
    pub fn field(&mut self, key: &str, s: &str) {
        self.raw(key);
        self.str(s);
    }

    /// A string, or `null`.
    pub fn opt_str(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.str(s),
            None => self.raw("null"),
        }
    }

    /// A time as GP tom writes it (`"2026-11-24T09:31:16.000Z"`), digit by digit.
    pub fn time(&mut self, t: crate::clock::Timestamp) {
        match t.rfc3339_text() {
            Some(text) => {
                self.0.push(b'"');
                self.0.extend_from_slice(&text);
                self.0.push(b'"');
            }
            None => self.str(&t.to_rfc3339()),
        }
    }

    /// An integer.
    pub fn int(&mut self, n: i64) {
        self.raw(itoa::Buffer::new().format(n));
    }

    /// `true` or `false`.
    pub fn bool(&mut self, b: bool) {
        self.raw(if b { "true" } else { "false" });
    }

    /// The document.
    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }
}

fn needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// A wire shape that writes itself (the same bytes as serde_json's compact output of its `Serialize`).
pub trait WriteJson {
    /// Writes the value.
    fn write_json(&self, out: &mut Out);
}

/// What a task takes on the wire, about: the buffer is sized once.
const CAPACITY: usize = 512;

/// A `200 application/json` answer written by [`WriteJson`] (the response `axum::Json` gives, without serde).
pub struct Wire<T>(pub T);

impl<T: WriteJson> Wire<T> {
    /// The document's bytes.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut out = Out::with_capacity(CAPACITY);
        self.0.write_json(&mut out);
        out.into_bytes()
    }
}

impl<T: WriteJson> IntoResponse for Wire<T> {
    fn into_response(self) -> Response {
        Written(Bytes::from(self.to_vec())).into_response()
    }
}

/// A body and its length in the block that holds its reference count ([`shared`]).
struct Inline<const N: usize> {
    len: usize,
    bytes: [u8; N],
}

impl<const N: usize> AsRef<[u8]> for Inline<N> {
    fn as_ref(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// `body` as bytes to hand out many times (a poll's answer the engine keeps for its terminal): a body up to 2 KB in
/// one block with the count of its holders, which every hand-out (and every drop) changes. `Bytes::from(Vec)` kept
/// that count in a block of its own: over 1 000 terminals polling in turn, one more cold block a poll (callgrind).
/// Blocks of 512, 1 024 and 2 048 bytes, the count and length included; a longer body as `Bytes::from`. Such
/// bytes never say they are unique (`Bytes::is_unique`), so the journal takes them as they are, not on its shelf:
/// as it takes any answer the engine keeps.
pub fn shared(body: Vec<u8>) -> Bytes {
    fn inline<const N: usize>(body: &[u8]) -> Bytes {
        let mut bytes = [0; N];
        bytes[..body.len()].copy_from_slice(body);
        Bytes::from_owner(Inline {
            len: body.len(),
            bytes,
        })
    }
    match body.len() {
        0..=496 => inline::<496>(&body),
        497..=1008 => inline::<1008>(&body),
        1009..=2032 => inline::<2032>(&body),
        _ => Bytes::from(body),
    }
}

/// A JSON document already written (a poll's answer the engine kept: `engine::Polled`).
pub struct Written(pub Bytes);

impl IntoResponse for Written {
    fn into_response(self) -> Response {
        (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            self.0,
        )
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn shared_bytes_are_the_body_whatever_its_length() {
        for len in [0, 1, 496, 497, 1008, 1009, 2032, 2033, 5000] {
            let body: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            let bytes = shared(body.clone());
            assert_eq!(&bytes[..], &body[..], "{len} bytes");
            let copy = bytes.clone();
            drop(bytes);
            assert_eq!(&copy[..], &body[..], "{len} bytes, cloned");
        }
    }

    fn written(s: &str) -> Vec<u8> {
        let mut out = Out::with_capacity(0);
        out.str(s);
        out.into_bytes()
    }

    #[test]
    fn strings_escape_as_serde_json_does() {
        for s in [
            "",
            "plain",
            "quote \" and \\ back",
            "\u{0}\u{1}\u{8}\u{9}\u{a}\u{b}\u{c}\u{d}\u{1f} ",
            "č ř € 😀 / <>",
            "\u{7f}",
        ] {
            assert_eq!(written(s), serde_json::to_vec(s).unwrap(), "{s:?}");
        }
    }

    proptest! {
        #[test]
        fn any_string_escapes_as_serde_json_does(s in any::<String>()) {
            prop_assert_eq!(written(&s), serde_json::to_vec(&s).unwrap());
        }

        #[test]
        fn any_integer_as_serde_json(n in any::<i64>()) {
            let mut out = Out::with_capacity(0);
            out.int(n);
            prop_assert_eq!(out.into_bytes(), serde_json::to_vec(&n).unwrap());
        }
    }
}
