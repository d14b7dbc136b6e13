//! The engine's stores of tasks and transactions: values keyed by their id, held in one vector of slots and found
//! through a hash index of slot numbers.
//!
//! Why not a `HashMap<Id, Box<T>>`: at the caps (100 000 tasks and 100 000 transactions) every creation evicts the
//! oldest task and transaction and stores new ones. With boxes the new ones went wherever the allocator had room —
//! memory last touched ~100 000 requests earlier, so cold — and the map's 32-byte slots spread over 4 MB each. Here
//! a freed slot is the next one filled (a stack of free slots), so a creation writes where the previous one's
//! eviction just read, and the index holds 4-byte slot numbers (0.6 MB for 100 000 entries); a stored task takes
//! less memory too (README, Performance). Slots are walked in slot order, which depends only on the requests made, so
//! iterating a table is deterministic (a hash map's order was not, and nothing relied on it).

use std::hash::BuildHasher;

use hashbrown::HashTable;

/// A value stored in a [`Table`] under its own key.
pub(crate) trait Keyed {
    /// The key (a task's or transaction's id).
    fn key(&self) -> &str;
}

impl<T: Keyed> Keyed for Box<T> {
    fn key(&self) -> &str {
        (**self).key()
    }
}

/// Values by key; see the module documentation.
#[derive(Debug)]
pub(crate) struct Table<T> {
    slots: Vec<Option<T>>,
    /// Empty slots, the most recently emptied last (the next one filled).
    free: Vec<u32>,
    /// Slot numbers, hashed by their value's key.
    index: HashTable<u32>,
    hasher: foldhash::fast::RandomState,
}

impl<T: Keyed> Table<T> {
    /// An empty table with room for `capacity` values before it grows.
    pub fn with_capacity(capacity: usize) -> Self {
        Table {
            slots: Vec::with_capacity(capacity),
            free: Vec::new(),
            index: HashTable::with_capacity(capacity),
            hasher: Default::default(),
        }
    }

    /// How many values it holds.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// Whether slot `i` holds the value stored under `key` (the index's equality, for `find` and `find_entry`).
    fn holds(slots: &[Option<T>], i: u32, key: &str) -> bool {
        slots[i as usize].as_ref().is_some_and(|v| v.key() == key)
    }

    /// The slot of the value stored under `key`, whose hash is `hash`.
    fn find(&self, hash: u64, key: &str) -> Option<u32> {
        let slots = &self.slots;
        self.index
            .find(hash, |&i| Self::holds(slots, i, key))
            .copied()
    }

    /// The slot of the value stored under `key`: where [`Table::at`] finds it again without hashing, until it is
    /// removed.
    pub fn slot(&self, key: &str) -> Option<u32> {
        self.find(self.hasher.hash_one(key), key)
    }

    /// The slot of the value stored under `key`, tried first at `hint` (a slot noted before).
    pub fn slot_from(&self, hint: u32, key: &str) -> Option<u32> {
        match self.at(hint, key) {
            Some(_) => Some(hint),
            None => self.slot(key),
        }
    }

    /// The value stored under `key`, looked for first at slot `hint` (a slot noted before).
    pub fn get_from(&self, hint: u32, key: &str) -> Option<&T> {
        self.at(hint, key).or_else(|| self.get(key))
    }

    /// [`Table::get_from`], to change (not its key).
    pub fn get_mut_from(&mut self, hint: u32, key: &str) -> Option<&mut T> {
        let i = self.slot_from(hint, key)?;
        self.slots[i as usize].as_mut()
    }

    /// The value in slot `i` when it is the one stored under `key` (a slot noted before may since hold another
    /// value, or none).
    pub fn at(&self, i: u32, key: &str) -> Option<&T> {
        self.slots
            .get(i as usize)?
            .as_ref()
            .filter(|v| v.key() == key)
    }

    /// The value stored under `key`.
    pub fn get(&self, key: &str) -> Option<&T> {
        self.slots[self.slot(key)? as usize].as_ref()
    }

    /// The value stored under `key`, to change (not its key).
    pub fn get_mut(&mut self, key: &str) -> Option<&mut T> {
        let i = self.slot(key)?;
        self.slots[i as usize].as_mut()
    }

    /// The value stored under `key` (looked for first at slot `hint`), stored first as `make` makes it when there
    /// is none.
    pub fn get_or_insert_with(&mut self, hint: u32, key: &str, make: impl FnOnce() -> T) -> &mut T {
        let i = match self.slot_from(hint, key) {
            Some(i) => i,
            None => {
                let value = make();
                debug_assert_eq!(value.key(), key, "made under another key");
                self.place(value).0
            }
        };
        self.slots[i as usize]
            .as_mut()
            .expect("a found slot holds a value")
    }

    /// Whether a value is stored under `key`.
    pub fn contains_key(&self, key: &str) -> bool {
        self.slot(key).is_some()
    }

    /// Stores `value` under its key; returns the value it replaces.
    pub fn insert(&mut self, value: T) -> Option<T> {
        self.place(value).1
    }

    /// Stores `value` under its key: its slot, and the value it replaces.
    fn place(&mut self, value: T) -> (u32, Option<T>) {
        let hash = self.hasher.hash_one(value.key());
        if let Some(i) = self.find(hash, value.key()) {
            return (i, self.slots[i as usize].replace(value));
        }
        let i = match self.free.pop() {
            Some(i) => {
                self.slots[i as usize] = Some(value);
                i
            }
            None => {
                let i =
                    u32::try_from(self.slots.len()).expect("a table holds fewer than 2^32 values");
                self.slots.push(Some(value));
                i
            }
        };
        let Table {
            slots,
            index,
            hasher,
            ..
        } = self;
        index.insert_unique(hash, i, |&j| {
            slots[j as usize]
                .as_ref()
                .map_or(0, |v| hasher.hash_one(v.key()))
        });
        (i, None)
    }

    /// Drops the value stored under `key`, in its slot (moving it out would read every line of it); says whether
    /// there was one.
    pub fn remove(&mut self, key: &str) -> bool {
        let hash = self.hasher.hash_one(key);
        let slots = &self.slots;
        let Ok(entry) = self.index.find_entry(hash, |&i| Self::holds(slots, i, key)) else {
            return false;
        };
        let (i, _) = entry.remove();
        self.free.push(i);
        self.slots[i as usize] = None;
        true
    }

    /// Keeps only the values `keep` says yes to.
    pub fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        let gone: Vec<u32> = (0..self.slots.len() as u32)
            .filter(|&i| self.slots[i as usize].as_ref().is_some_and(|v| !keep(v)))
            .collect();
        for i in gone {
            if let Some(v) = &self.slots[i as usize] {
                let hash = self.hasher.hash_one(v.key());
                if let Ok(entry) = self.index.find_entry(hash, |&j| j == i) {
                    entry.remove();
                }
            }
            self.slots[i as usize] = None;
            self.free.push(i);
        }
    }

    /// Every key, in slot order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.values().map(Keyed::key)
    }

    /// Every value, in slot order.
    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.slots.iter().flatten()
    }
}

impl<T: Keyed> std::ops::Index<&str> for Table<T> {
    type Output = T;

    fn index(&self, key: &str) -> &T {
        self.get(key).expect("no value under this key")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    struct V(String, u32);

    impl Keyed for V {
        fn key(&self) -> &str {
            &self.0
        }
    }

    fn v(k: &str, n: u32) -> V {
        V(k.to_owned(), n)
    }

    #[test]
    fn stores_finds_replaces_and_removes_by_key() {
        let mut t = Table::with_capacity(2);
        assert_eq!(t.insert(v("a", 1)), None);
        assert_eq!(t.insert(v("b", 2)), None);
        assert_eq!(t.insert(v("a", 3)), Some(v("a", 1)));
        assert_eq!(t.len(), 2);
        assert_eq!(t.get("a"), Some(&v("a", 3)));
        assert_eq!(t["b"].1, 2);
        assert!(t.get("c").is_none() && !t.contains_key("c"));
        t.get_mut("b").unwrap().1 = 5;
        assert_eq!(t.get("b"), Some(&v("b", 5)));
        assert!(t.remove("b"));
        assert!(!t.remove("b"));
        assert_eq!(t.len(), 1);
        assert!(!t.contains_key("b"));
    }

    #[test]
    fn fills_the_slot_emptied_last_first() {
        let mut t = Table::with_capacity(4);
        for (i, k) in ["a", "b", "c", "d"].into_iter().enumerate() {
            t.insert(v(k, i as u32));
        }
        t.remove("b");
        t.remove("d");
        t.insert(v("e", 9)); // into d's slot
        t.insert(v("f", 9)); // into b's slot
        let keys: Vec<&str> = t.values().map(|v| v.key()).collect();
        assert_eq!(keys, ["a", "f", "c", "e"]);
        assert_eq!(t.slots.len(), 4, "no slot added while some were free");
    }

    #[test]
    fn a_slot_finds_its_value_again_until_another_takes_it() {
        let mut t = Table::with_capacity(0);
        t.insert(v("a", 1));
        let b = t.get_or_insert_with(u32::MAX, "b", || v("b", 2)).1;
        assert_eq!(b, 2);
        let slot = t.slot("b").expect("b");
        t.get_or_insert_with(slot, "b", || unreachable!("b is there"))
            .1 = 3;
        assert_eq!(t.slot_from(0, "b"), Some(slot), "a wrong hint: looked up");
        assert_eq!(t.slot_from(slot, "b"), Some(slot));
        assert_eq!(
            t.get_from(0, "b"),
            Some(&v("b", 3)),
            "a wrong hint: looked up"
        );
        assert_eq!(t.get_from(slot, "c"), None);
        t.get_mut_from(slot, "b").expect("b").1 = 5;
        t.get_or_insert_with(0, "b", || unreachable!("b is there"))
            .1 -= 2;
        assert_eq!(t.at(slot, "b"), Some(&v("b", 3)));
        assert_eq!(t.at(slot, "a"), None, "another key's slot");
        assert_eq!(t.at(u32::MAX, "b"), None, "no such slot");
        t.remove("b");
        assert_eq!(t.at(slot, "b"), None, "emptied");
        t.insert(v("c", 4));
        assert_eq!(t.slot("c"), Some(slot), "the emptied slot is filled first");
        assert_eq!(t.at(slot, "b"), None, "now c's");
        assert_eq!(t.keys().collect::<Vec<_>>(), ["a", "c"]);
    }

    #[test]
    fn retain_drops_the_rest_from_slots_and_index() {
        let mut t = Table::with_capacity(0);
        for i in 0..100 {
            t.insert(v(&i.to_string(), i));
        }
        t.retain(|v| v.1 % 3 == 0);
        assert_eq!(t.len(), 34);
        assert_eq!(t.values().count(), 34);
        assert!(t.contains_key("99") && !t.contains_key("98"));
        // the index still finds every value after growing again over the freed slots
        for i in 100..300 {
            t.insert(v(&i.to_string(), i));
        }
        assert_eq!(t.len(), 234);
        assert!((100..300).all(|i| t.get(&i.to_string()).is_some_and(|v| v.1 == i)));
        assert!(t.get("98").is_none());
    }
}
