//! All randomness of the mock: one ChaCha8 stream seeded by `--seed`. Ids, exception ids, UUIDs and card
//! data are drawn here, so the same seed and the same request sequence give byte-identical responses.
//! The only OS entropy read is [`random_seed`], used when no `--seed` is given (the seed is then printed).

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use smol_str::SmolStr;

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// The mock's single seeded generator.
#[derive(Debug, Clone)]
pub struct MockRng(ChaCha8Rng);

impl MockRng {
    /// A generator for `seed`; portable across platforms and releases (ChaCha8).
    pub fn new(seed: u64) -> Self {
        MockRng(ChaCha8Rng::seed_from_u64(seed))
    }

    /// `len` characters of `[0-9A-Za-z]`.
    pub fn base62(&mut self, len: usize) -> SmolStr {
        self.chars(len, |r| BASE62[r.random_range(0..BASE62.len())])
    }

    /// A task id: 10 base62 characters.
    pub fn task_id(&mut self) -> SmolStr {
        self.base62(10)
    }

    /// An error "support id": 6 base62 characters.
    pub fn exception_id(&mut self) -> SmolStr {
        self.base62(6)
    }

    /// A version-4 UUID drawn from this generator.
    pub fn uuid(&mut self) -> crate::engine::Uuid {
        let bytes: [u8; 16] = self.0.random();
        crate::engine::Uuid::new(uuid::Builder::from_random_bytes(bytes).into_uuid())
    }

    /// `len` decimal digits.
    pub fn digits(&mut self, len: usize) -> SmolStr {
        self.chars(len, |r| b'0' + r.random_range(0..10u8))
    }

    /// `len` ASCII characters from `draw`, inline when short (no allocation up to 23).
    fn chars(&mut self, len: usize, mut draw: impl FnMut(&mut ChaCha8Rng) -> u8) -> SmolStr {
        let mut buf = [0u8; 23];
        if len > buf.len() {
            let text: String = (0..len).map(|_| char::from(draw(&mut self.0))).collect();
            return SmolStr::from(text);
        }
        for b in &mut buf[..len] {
            *b = draw(&mut self.0);
        }
        SmolStr::new(std::str::from_utf8(&buf[..len]).expect("ASCII"))
    }

    /// An index into a collection of `len` items (`len` ≥ 1).
    pub fn index(&mut self, len: usize) -> usize {
        self.0.random_range(0..len.max(1))
    }

    /// True with probability `p` (0–1).
    pub fn chance(&mut self, p: f64) -> bool {
        self.0.random_bool(p.clamp(0.0, 1.0))
    }

    /// A whole number in `[min, max]`.
    pub fn between(&mut self, min: u64, max: u64) -> u64 {
        self.0.random_range(min..=max.max(min))
    }

    /// A fair coin.
    pub fn coin(&mut self) -> bool {
        self.0.random_bool(0.5)
    }
}

/// A seed from the OS, for runs started without `--seed`.
pub fn random_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    // RandomState is keyed from OS entropy once per process; that is all we need for a seed.
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(0x0067_7074_6f6d); // "gptom"
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream() {
        let (mut a, mut b) = (MockRng::new(7), MockRng::new(7));
        assert_eq!(a.task_id(), b.task_id());
        assert_eq!(a.uuid(), b.uuid());
        assert_ne!(MockRng::new(8).task_id(), MockRng::new(7).task_id());
    }

    #[test]
    fn shapes() {
        let mut r = MockRng::new(1);
        let id = r.task_id();
        assert_eq!(id.len(), 10);
        assert!(id.chars().all(|c| c.is_ascii_alphanumeric()));
        let u = r.uuid();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert!(r.digits(9).chars().all(|c| c.is_ascii_digit()));
    }
}
