//! `Store`: the client cache's entries and the bookkeeping that keeps them fresh, plain data
//! generic over the value so `cargo test` exercises it without an interpreter.
//!
//! Freshness rests on two counters:
//! - a **ticket** per fetch: a key's newest fetch holds the only valid token, and an
//!   invalidation of the key voids it, so a reply older than an invalidation (or than a newer
//!   fetch) never lands, however the replies and the invalidations interleave;
//! - an **epoch** moved on by every flush (a lost invalidation path, FLUSHALL, `clear_cache`), so
//!   no fetch begun before a flush is stored after it.
//!
//! Entries expire after the local TTL, and at most `capacity` are kept, oldest insertion out
//! first (Frappe's FIFO; storing a key again does not move it).

use std::borrow::Borrow;
use std::collections::VecDeque;
use std::hash::{Hash, Hasher};

use crate::request_cache::FxMap;

/// A stored key. Looked up as a `KeyRef`, whose equality is compared inline: a hit's one key
/// comparison was a call into libc's memcmp, a tenth of its time, for keys of 20-40 bytes.
#[derive(Clone, PartialEq, Eq, Hash)]
struct WireKey(Box<[u8]>);

#[repr(transparent)]
struct KeyRef([u8]);

impl KeyRef {
    fn new(bytes: &[u8]) -> &KeyRef {
        // SAFETY: KeyRef is a repr(transparent) wrapper of [u8], so the two references have the
        // same layout and metadata; the lifetime is carried over.
        unsafe { &*(bytes as *const [u8] as *const KeyRef) }
    }
}

impl PartialEq for KeyRef {
    #[inline]
    fn eq(&self, other: &KeyRef) -> bool {
        let (a, b) = (&self.0, &other.0);
        if a.len() != b.len() {
            return false;
        }
        let (mut x, mut y) = (a, b);
        while let (Some((p, xs)), Some((q, ys))) =
            (x.split_first_chunk::<8>(), y.split_first_chunk::<8>())
        {
            if p != q {
                return false;
            }
            (x, y) = (xs, ys);
        }
        // The last 1-7 bytes: the final 8 of a longer key, else byte by byte.
        match (a.last_chunk::<8>(), b.last_chunk::<8>()) {
            (Some(p), Some(q)) => p == q,
            _ => x == y,
        }
    }
}

impl Eq for KeyRef {}

impl Hash for KeyRef {
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.hash(state); // as `Box<[u8]>` hashes, so `WireKey` and `KeyRef` agree
    }
}

impl Borrow<KeyRef> for WireKey {
    fn borrow(&self) -> &KeyRef {
        KeyRef::new(&self.0)
    }
}

/// What a mutation pushed out, to be dropped once the lock is released (a value's `__del__`
/// may call back into the cache).
pub type Displaced<V> = Vec<V>;

struct Entry<V> {
    value: V,
    /// When it stops being served, on `clock::now_ms`'s clock.
    expires: u64,
    /// Its insertion's place in `order`.
    seq: u64,
}

/// A fetch in flight: it may store its reply only if both still hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ticket {
    token: u64,
    epoch: u64,
}

pub struct Store<V> {
    entries: FxMap<WireKey, Entry<V>>,
    /// Insertions, oldest first; an element whose key was removed or stored again since is
    /// skipped when evicting (its `seq` no longer matches).
    order: VecDeque<(u64, Vec<u8>)>,
    /// Per key, the token of its newest fetch in flight.
    pending: FxMap<Vec<u8>, u64>,
    next: u64,
    epoch: u64,
    capacity: usize,
    ttl_ms: u64,
    pub hits: u64,
    pub misses: u64,
}

impl<V> Store<V> {
    pub fn new(capacity: usize, ttl_ms: u64) -> Self {
        Store {
            entries: FxMap::default(),
            order: VecDeque::new(),
            pending: FxMap::default(),
            next: 0,
            epoch: 0,
            capacity: capacity.max(1),
            ttl_ms,
            hits: 0,
            misses: 0,
        }
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The value of a live entry (counted as a hit). An expired entry is not served; it stays
    /// until a fetch, an eviction or an invalidation replaces it.
    #[inline]
    pub fn get(&mut self, key: &[u8], now: u64) -> Option<&V> {
        let entry = self
            .entries
            .get(KeyRef::new(key))
            .filter(|e| now < e.expires)?;
        self.hits += 1;
        Some(&entry.value)
    }

    /// Starts a fetch of `key` (a read that missed, or a write that reads back): the entry, if
    /// any, goes now (it is about to change), and older fetches of the key are voided.
    pub fn begin(&mut self, key: &[u8], miss: bool) -> (Ticket, Option<V>) {
        if miss {
            self.misses += 1;
        }
        self.next += 1;
        self.pending.insert(key.to_vec(), self.next);
        let ticket = Ticket {
            token: self.next,
            epoch: self.epoch,
        };
        (
            ticket,
            self.entries.remove(KeyRef::new(key)).map(|e| e.value),
        )
    }

    /// Ends a fetch: stores `value` if nothing voided the ticket. Returns what was pushed out
    /// (an evicted entry), or the value itself when it was not stored.
    pub fn finish(&mut self, key: &[u8], ticket: Ticket, value: V, now: u64) -> Displaced<V> {
        let current = self.pending.get(key) == Some(&ticket.token) && self.epoch == ticket.epoch;
        if !current {
            return vec![value];
        }
        self.pending.remove(key);
        let mut displaced = Vec::new();
        if let Some(old) = self.entries.remove(KeyRef::new(key)) {
            displaced.push(old.value);
        }
        while self.entries.len() >= self.capacity {
            match self.evict_oldest() {
                Some(v) => displaced.push(v),
                None => break,
            }
        }
        self.next += 1;
        let seq = self.next;
        self.order.push_back((seq, key.to_vec()));
        self.entries.insert(
            WireKey(key.into()),
            Entry {
                value,
                expires: now.saturating_add(self.ttl_ms),
                seq,
            },
        );
        self.compact();
        displaced
    }

    /// Ends a fetch that stores nothing (a miss, an error).
    pub fn abandon(&mut self, key: &[u8], ticket: Ticket) {
        if self.pending.get(key) == Some(&ticket.token) {
            self.pending.remove(key);
        }
    }

    /// Redis reported these keys changed: their entries go, their fetches in flight are void.
    pub fn invalidate<'k>(&mut self, keys: impl IntoIterator<Item = &'k [u8]>) -> Displaced<V> {
        let mut displaced = Vec::new();
        for key in keys {
            self.pending.remove(key);
            if let Some(e) = self.entries.remove(KeyRef::new(key)) {
                displaced.push(e.value);
            }
        }
        displaced
    }

    /// Everything goes, and every fetch in flight is void.
    pub fn flush(&mut self) -> Displaced<V> {
        self.epoch += 1;
        self.pending.clear();
        self.order.clear();
        self.entries.drain().map(|(_, e)| e.value).collect()
    }

    /// Removes the entries whose key `matches` (a pattern delete), voiding their fetches.
    pub fn remove_where(&mut self, matches: impl Fn(&[u8]) -> bool) -> Displaced<V> {
        self.pending.retain(|k, _| !matches(k));
        let gone: Vec<Vec<u8>> = self
            .entries
            .keys()
            .filter(|k| matches(&k.0))
            .map(|k| k.0.to_vec())
            .collect();
        self.invalidate(gone.iter().map(Vec::as_slice))
    }

    /// The live entries' keys and values, oldest first.
    pub fn snapshot(&self) -> Vec<(&[u8], &V)> {
        self.order
            .iter()
            .filter_map(|(seq, k)| {
                let e = self.entries.get(KeyRef::new(k)).filter(|e| e.seq == *seq)?;
                Some((k.as_slice(), &e.value))
            })
            .collect()
    }

    fn evict_oldest(&mut self) -> Option<V> {
        while let Some((seq, key)) = self.order.pop_front() {
            if self
                .entries
                .get(KeyRef::new(&key))
                .is_some_and(|e| e.seq == seq)
            {
                return self.entries.remove(KeyRef::new(&key)).map(|e| e.value);
            }
        }
        None
    }

    /// Drops the insertions whose entry is gone, once they outnumber the entries: churn of
    /// invalidated keys must not grow `order` without bound.
    fn compact(&mut self) {
        if self.order.len() > 2 * self.entries.len() + 64 {
            let entries = &self.entries;
            self.order
                .retain(|(seq, k)| entries.get(KeyRef::new(k)).is_some_and(|e| e.seq == *seq));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(capacity: usize) -> Store<&'static str> {
        Store::new(capacity, 1000)
    }

    fn fill(s: &mut Store<&'static str>, key: &[u8], value: &'static str, now: u64) {
        let (t, _) = s.begin(key, true);
        assert!(s.finish(key, t, value, now).is_empty() || s.len() > 0);
    }

    #[test]
    fn a_fetch_stores_and_hits_count() {
        let mut s = store(4);
        assert_eq!(s.get(b"a", 0), None);
        fill(&mut s, b"a", "1", 0);
        assert_eq!(s.get(b"a", 10), Some(&"1"));
        assert_eq!((s.hits, s.misses), (1, 1));
    }

    #[test]
    fn an_invalidation_during_a_fetch_voids_its_reply() {
        let mut s = store(4);
        let (t, _) = s.begin(b"a", true);
        s.invalidate([&b"a"[..]]);
        assert_eq!(s.finish(b"a", t, "old", 0), vec!["old"]);
        assert_eq!(s.get(b"a", 0), None);
    }

    /// The race one shared placeholder loses: an older fetch's reply must not overwrite the
    /// newer one's, whichever lands first.
    #[test]
    fn only_the_newest_fetch_of_a_key_stores() {
        let mut s = store(4);
        let (older, _) = s.begin(b"a", true);
        let (newer, _) = s.begin(b"a", true);
        assert_eq!(s.finish(b"a", newer, "new", 0), Vec::<&str>::new());
        assert_eq!(s.finish(b"a", older, "old", 0), vec!["old"]);
        assert_eq!(s.get(b"a", 0), Some(&"new"));
    }

    #[test]
    fn a_flush_voids_every_fetch_in_flight() {
        let mut s = store(4);
        fill(&mut s, b"a", "1", 0);
        let (t, _) = s.begin(b"b", true);
        assert_eq!(s.flush(), vec!["1"]);
        // A later fetch of the same key must not revive the voided one's token either.
        assert_eq!(s.finish(b"b", t, "2", 0), vec!["2"]);
        assert_eq!(s.len(), 0);
    }

    #[test]
    fn entries_expire_after_the_local_ttl() {
        let mut s = store(4);
        fill(&mut s, b"a", "1", 100);
        assert_eq!(s.get(b"a", 1099), Some(&"1"));
        assert_eq!(s.get(b"a", 1100), None);
    }

    #[test]
    fn the_oldest_insertion_goes_first_and_a_rewrite_does_not_move_it() {
        let mut s = store(2);
        fill(&mut s, b"a", "1", 0);
        fill(&mut s, b"b", "2", 0);
        // Refilling "a" is a new insertion (its entry went when the fetch began).
        fill(&mut s, b"a", "1'", 0);
        fill(&mut s, b"c", "3", 0);
        assert_eq!(s.len(), 2);
        assert_eq!(s.get(b"b", 0), None);
        assert_eq!(s.get(b"a", 0), Some(&"1'"));
        assert_eq!(s.get(b"c", 0), Some(&"3"));
    }

    #[test]
    fn churn_does_not_grow_the_insertion_log() {
        let mut s = store(8);
        for i in 0..10_000u32 {
            let key = (i % 3).to_le_bytes();
            fill(&mut s, &key, "v", 0);
            s.invalidate([&key[..]]);
        }
        assert!(
            s.order.len() <= 2 * s.entries.len() + 65,
            "{}",
            s.order.len()
        );
        assert!(s.pending.is_empty());
    }

    #[test]
    fn remove_where_takes_matching_keys_and_their_fetches() {
        let mut s = store(8);
        fill(&mut s, b"db|defaults::a", "1", 0);
        fill(&mut s, b"db|hooks", "2", 0);
        let (t, _) = s.begin(b"db|defaults::b", true);
        let gone = s.remove_where(|k| k.starts_with(b"db|defaults::"));
        assert_eq!(gone, vec!["1"]);
        assert_eq!(s.finish(b"db|defaults::b", t, "3", 0), vec!["3"]);
        let keys: Vec<&[u8]> = s.snapshot().into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, vec![&b"db|hooks"[..]]);
    }
}
