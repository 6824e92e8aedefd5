import GuestAccessServer
import Testing

@Suite("Allocator settings for serve")
struct AllocatorTuningTests {
    /// `serve` applies these at start; if glibc's `mallopt` could not be found
    /// or refused a value, the writer would be back to returning memory to the
    /// kernel after most transactions, with nothing to say so.
    @Test("glibc's allocator accepts serve's trim and mmap thresholds")
    func glibcAcceptsTheThresholds() {
        #if canImport(Glibc)
            #expect(AllocatorTuning.apply())
        #else
            #expect(!AllocatorTuning.apply())
        #endif
    }
}
