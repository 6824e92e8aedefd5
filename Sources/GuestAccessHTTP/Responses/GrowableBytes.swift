/// The bytes `JSONBufferWriter` writes, in memory it owns: an append is a
/// capacity check and a copy. An array's `append(contentsOf:)` also checks
/// its storage's uniqueness and goes through `Sequence`'s copying, about a
/// hundred instructions a call, and a full order makes some fifty of them
/// (BENCHMARKS.md, 2026-11-29 afternoon). Not copyable: one owner frees the
/// memory, once.
struct GrowableBytes: ~Copyable {
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        storage = .allocate(capacity: self.capacity)
    }

    deinit { storage.deallocate() }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        reserve(1)
        storage[count] = byte
        count += 1
    }

    @inline(__always)
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(bytes.count)
        (storage + count).initialize(from: source, count: bytes.count)
        count += bytes.count
    }

    /// A literal's bytes. `withUTF8Buffer`, not `utf8Start`: `utf8Start`
    /// requires a pointer representation, which a `StaticString` made from a
    /// single Unicode scalar lacks; this reads either form.
    @inline(__always)
    mutating func append(static text: StaticString) {
        text.withUTF8Buffer { append($0) }
    }

    /// Appends the bytes `body` initializes at the pointer it is given, at
    /// most `more`: one capacity check for a run of small writes. `body`
    /// returns how many it wrote, and anything but `more` stops the process
    /// rather than send memory no one wrote.
    @inline(__always)
    mutating func append(count more: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int) {
        reserve(more)
        let written = body(storage + count)
        precondition(written == more, "GrowableBytes: \(written) bytes written of \(more) reserved")
        count += more
    }

    /// The bytes appended so far, valid for the call.
    func withBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try body(UnsafeBufferPointer(start: storage, count: count))
    }

    @inline(__always)
    private mutating func reserve(_ more: Int) {
        if count + more > capacity { grow(more) }
    }

    /// Kept out of line: the appends inline only the check.
    @inline(never)
    private mutating func grow(_ more: Int) {
        let grown = max(capacity * 2, count + more)
        let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        larger.initialize(from: storage, count: count)
        storage.deallocate()
        storage = larger
        capacity = grown
    }
}
