/// A map from key to value, bounded in size and kept in least-recently-used
/// order, so that a full table makes room in O(1) instead of searching all of
/// it: a flood of new clients must not turn every request into a scan of the
/// whole table under the lock that every other request waits on.
///
/// The order is a doubly linked list threaded through one array by index (no
/// allocation or reference counting per entry), and a dictionary finds a key's
/// slot. Entries are never removed except to make room, and then the freed
/// slot is reused at once for the newcomer, so the array never grows past
/// `capacity` and needs no free list.
struct LRUTable<Value> {
    private struct Slot {
        var key: String
        var value: Value
        /// The slot used just before this one, or -1 if this is the least recently used.
        var older: Int
        /// The slot used just after this one, or -1 if this is the most recently used.
        var newer: Int
    }

    private var slots: [Slot] = []
    private var index: [String: Int] = [:]
    private var oldest = -1
    private var newest = -1
    let capacity: Int

    /// A table of at most `capacity` entries (at least one, so a newcomer always fits).
    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    var count: Int { index.count }

    /// Whether `key` has an entry; does not count as a use.
    func contains(_ key: String) -> Bool { index[key] != nil }

    /// Keys from least to most recently used. O(n): for tests and diagnostics only.
    var keysByRecency: [String] {
        var keys: [String] = []
        keys.reserveCapacity(count)
        var slot = oldest
        while slot >= 0 {
            keys.append(slots[slot].key)
            slot = slots[slot].newer
        }
        return keys
    }

    /// Runs `body` on the value for `key` and marks `key` the most recently
    /// used. A key not in the table starts from `makeValue()`; if the table is
    /// full it takes the slot of the least recently used entry, which is
    /// dropped. Every path is O(1) (amortized, for the dictionary).
    mutating func update<Result>(_ key: String, orInsert makeValue: () -> Value, _ body: (inout Value) -> Result) -> Result {
        let slot: Int
        if let existing = index[key] {
            slot = existing
            if slot != newest {
                unlink(slot)
                pushNewest(slot)
            }
        } else if slots.count < capacity {
            slot = slots.count
            slots.append(Slot(key: key, value: makeValue(), older: -1, newer: -1))
            pushNewest(slot)
            index[key] = slot
        } else {
            slot = oldest
            index.removeValue(forKey: slots[slot].key)
            slots[slot].key = key
            slots[slot].value = makeValue()
            if slot != newest {
                unlink(slot)
                pushNewest(slot)
            }
            index[key] = slot
        }
        return body(&slots[slot].value)
    }

    private mutating func unlink(_ slot: Int) {
        let older = slots[slot].older
        let newer = slots[slot].newer
        if older >= 0 { slots[older].newer = newer } else { oldest = newer }
        if newer >= 0 { slots[newer].older = older } else { newest = older }
    }

    private mutating func pushNewest(_ slot: Int) {
        slots[slot].older = newest
        slots[slot].newer = -1
        if newest >= 0 { slots[newest].newer = slot } else { oldest = slot }
        newest = slot
    }
}
