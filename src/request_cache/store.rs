//! `Store`: the request cache's entries, plain data generic over the stored value, so `cargo
//! test` exercises it without an interpreter.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// What one mutation pushed out of the cache, to be dropped outside the borrow.
pub type Displaced<V> = Vec<V>;

/// FxHash (rustc's hasher): a multiply-rotate per 8 bytes. A request-local map is small, short
/// lived and keyed by the application's own key names, so SipHash's flooding resistance buys
/// nothing here, while its cost is a measurable share of a local hit.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

const FX_SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(FX_SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut rest = bytes;
        while let Some((chunk, tail)) = rest.split_first_chunk::<8>() {
            self.add(u64::from_le_bytes(*chunk));
            rest = tail;
        }
        if rest.is_empty() {
            return;
        }
        // The last 1-7 bytes in one word: the final 8 bytes of a longer input (overlapping the
        // previous word; the length is hashed too), else the bytes zero-padded. One multiply
        // instead of up to four: keys are site-prefixed, so nearly all have such a tail.
        let word = match bytes.last_chunk::<8>() {
            Some(last) => u64::from_le_bytes(*last),
            None => {
                let mut padded = [0u8; 8];
                padded[..rest.len()].copy_from_slice(rest);
                u64::from_le_bytes(padded)
            }
        };
        self.add(word);
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

pub type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// A key of the store that Rust can hold without Python: Frappe's keys are bytes (prefixed) or,
/// when shared, whatever the caller passed (usually a str).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key<'a> {
    Bytes(&'a [u8]),
    Text(&'a str),
}

/// One request's entries, and the decorators' per-request memos.
pub struct Store<V> {
    bytes: FxMap<Vec<u8>, V>,
    text: FxMap<String, V>,
    /// Per decorated function (by its id): the decorators' per-request memo.
    memos: FxMap<u64, V>,
    /// Counts removals and overwrites: a memo that copied a value while the epoch was N can
    /// return it without a lookup while the epoch is still N.
    epoch: u64,
}

impl<V> Default for Store<V> {
    fn default() -> Self {
        Store {
            bytes: FxMap::default(),
            text: FxMap::default(),
            memos: FxMap::default(),
            epoch: 0,
        }
    }
}

impl<V> Store<V> {
    pub fn get(&self, key: Key<'_>) -> Option<&V> {
        match key {
            Key::Bytes(k) => self.bytes.get(k),
            Key::Text(k) => self.text.get(k),
        }
    }

    pub fn contains(&self, key: Key<'_>) -> bool {
        self.get(key).is_some()
    }

    /// Records an overwrite or removal made outside the store (in the Python dict that holds
    /// keys of other types), so memos stop trusting what they copied.
    pub fn bump_epoch(&mut self) {
        self.epoch += 1;
    }

    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    pub fn len(&self) -> usize {
        self.bytes.len() + self.text.len()
    }

    /// Sets `key`, returning the value it replaced.
    pub fn put(&mut self, key: Key<'_>, value: V) -> Option<V> {
        let slot = match key {
            Key::Bytes(k) => match self.bytes.get_mut(k) {
                Some(slot) => slot,
                None => {
                    self.bytes.insert(k.to_vec(), value);
                    return None;
                }
            },
            Key::Text(k) => match self.text.get_mut(k) {
                Some(slot) => slot,
                None => {
                    self.text.insert(k.to_owned(), value);
                    return None;
                }
            },
        };
        self.epoch += 1;
        Some(std::mem::replace(slot, value))
    }

    /// The value at `key`, inserting `make()` first when there is none.
    pub fn get_or_insert_with(&mut self, key: Key<'_>, make: impl FnOnce() -> V) -> &V {
        match key {
            Key::Bytes(k) => {
                if !self.bytes.contains_key(k) {
                    self.bytes.insert(k.to_vec(), make());
                }
                &self.bytes[k]
            }
            Key::Text(k) => {
                if !self.text.contains_key(k) {
                    self.text.insert(k.to_owned(), make());
                }
                &self.text[k]
            }
        }
    }

    pub fn remove(&mut self, key: Key<'_>) -> Option<V> {
        let gone = match key {
            Key::Bytes(k) => self.bytes.remove(k),
            Key::Text(k) => self.text.remove(k),
        };
        if gone.is_some() {
            self.epoch += 1;
        }
        gone
    }

    /// Empties the entries and the memos.
    pub fn clear(&mut self) -> Displaced<V> {
        let mut out: Vec<V> = self.bytes.drain().map(|(_, v)| v).collect();
        out.extend(self.text.drain().map(|(_, v)| v));
        out.extend(self.memos.drain().map(|(_, v)| v));
        self.epoch += 1;
        out
    }

    /// The bytes keys that `matches` accepts, sorted (for offline `get_keys`).
    pub fn bytes_keys_where(&self, mut matches: impl FnMut(&[u8]) -> bool) -> Vec<Vec<u8>> {
        let mut keys: Vec<Vec<u8>> = self.bytes.keys().filter(|k| matches(k)).cloned().collect();
        keys.sort();
        keys
    }

    pub fn bytes_entries(&self) -> impl Iterator<Item = (&[u8], &V)> {
        self.bytes.iter().map(|(k, v)| (k.as_slice(), v))
    }

    pub fn text_entries(&self) -> impl Iterator<Item = (&str, &V)> {
        self.text.iter().map(|(k, v)| (k.as_str(), v))
    }

    pub fn memo(&self, function: u64) -> Option<&V> {
        self.memos.get(&function)
    }

    pub fn set_memo(&mut self, function: u64, memo: V) -> Option<V> {
        self.memos.insert(function, memo)
    }

    pub fn drop_memo(&mut self, function: u64) -> Option<V> {
        self.memos.remove(&function)
    }

    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.bytes
            .values()
            .chain(self.text.values())
            .chain(self.memos.values())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fx_hash_depends_on_every_byte() {
        let hash = |b: &[u8]| {
            let mut h = FxHasher::default();
            h.write(b);
            h.finish()
        };
        let base = b"site|some_key_name".to_vec();
        for i in 0..base.len() {
            let mut other = base.clone();
            other[i] ^= 1;
            assert_ne!(hash(&base), hash(&other), "byte {i}");
        }
    }

    #[test]
    fn put_returns_what_it_displaced() {
        let mut s: Store<u32> = Store::default();
        assert_eq!(s.put(Key::Bytes(b"db|k"), 1), None);
        assert_eq!(s.put(Key::Bytes(b"db|k"), 2), Some(1));
        assert_eq!(s.get(Key::Bytes(b"db|k")), Some(&2));
    }

    #[test]
    fn str_and_bytes_keys_are_distinct() {
        let mut s: Store<u8> = Store::default();
        s.put(Key::Bytes(b"k"), 1);
        s.put(Key::Text("k"), 2);
        assert_eq!(s.get(Key::Bytes(b"k")), Some(&1));
        assert_eq!(s.get(Key::Text("k")), Some(&2));
        assert_eq!(s.len(), 2);
        assert_eq!(s.remove(Key::Text("k")), Some(2));
        assert_eq!(s.get(Key::Bytes(b"k")), Some(&1));
    }

    #[test]
    fn the_epoch_moves_on_overwrites_and_removals_only() {
        let mut s: Store<u8> = Store::default();
        s.put(Key::Bytes(b"a"), 1);
        s.put(Key::Bytes(b"b"), 1);
        assert_eq!(s.epoch(), 0, "new entries change no value anyone copied");
        s.put(Key::Bytes(b"a"), 2);
        assert_eq!(s.epoch(), 1);
        s.remove(Key::Bytes(b"missing"));
        assert_eq!(s.epoch(), 1);
        s.remove(Key::Bytes(b"b"));
        assert_eq!(s.epoch(), 2);
        s.clear();
        assert_eq!(s.epoch(), 3);
    }

    #[test]
    fn get_or_insert_keeps_what_is_there() {
        let mut s: Store<u8> = Store::default();
        assert_eq!(*s.get_or_insert_with(Key::Text("h"), || 1), 1);
        assert_eq!(*s.get_or_insert_with(Key::Text("h"), || 2), 1);
        assert_eq!(s.epoch(), 0);
    }

    #[test]
    fn clear_returns_entries_and_memos() {
        let mut s: Store<u8> = Store::default();
        s.put(Key::Bytes(b"a"), 1);
        s.put(Key::Text("b"), 2);
        s.set_memo(7, 3);
        let mut gone = s.clear();
        gone.sort();
        assert_eq!(gone, vec![1, 2, 3]);
        assert_eq!(s.len(), 0);
        assert!(s.memo(7).is_none());
    }

    #[test]
    fn bytes_keys_where_is_sorted_and_filtered() {
        let mut s: Store<u8> = Store::default();
        s.put(Key::Bytes(b"db|x2"), 0);
        s.put(Key::Bytes(b"db|y"), 0);
        s.put(Key::Bytes(b"db|x1"), 0);
        s.put(Key::Text("db|x3"), 0);
        let keys = s.bytes_keys_where(|k| k.starts_with(b"db|x"));
        assert_eq!(keys, vec![b"db|x1".to_vec(), b"db|x2".to_vec()]);
    }
}
