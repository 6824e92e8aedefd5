#if canImport(Glibc)
    import Glibc
#endif

/// glibc's allocator hands memory at the top of a thread's heap back to the
/// kernel whenever more than its trim threshold (128 KiB) lies free there.
/// SQLite's writer frees that much after most transactions, so under load
/// each verify paid an `madvise`, a TLB shootdown on every core and the page
/// faults to take the memory back: 15% of the verify route's samples
/// (BENCHMARKS.md). `serve` raises the threshold to 16 MiB. Setting it turns
/// off glibc's sliding mmap threshold, so that one is fixed at 1 MiB: blocks
/// that large still come from `mmap` and go back on `free`, and a heap keeps
/// at most 16 MiB it does not use. `mallopt` is not in Swift's Glibc module,
/// hence `dlsym`.
public enum AllocatorTuning {
    static let trimThresholdBytes: Int32 = 16 << 20
    static let mmapThresholdBytes: Int32 = 1 << 20

    /// Applies both settings; returns false where there is no glibc `mallopt`.
    @discardableResult
    public static func apply() -> Bool {
        #if canImport(Glibc)
            typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
            guard let symbol = dlsym(nil, "mallopt") else { return false }
            let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
            let mTrimThreshold: Int32 = -1
            let mMmapThreshold: Int32 = -3
            return mallopt(mTrimThreshold, trimThresholdBytes) == 1 && mallopt(mMmapThreshold, mmapThresholdBytes) == 1
        #else
            return false
        #endif
    }
}
