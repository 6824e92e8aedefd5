#if canImport(Glibc)
    import Glibc
#endif

/// glibc's allocator hands memory at the top of a thread's heap back to the
/// kernel once more than its trim threshold lies free there, and the
/// threshold it starts from and slides was met after most of the SQLite
/// writer's transactions: under load each verify paid an `madvise`, a TLB
/// shootdown on every core and the page faults to take the memory back, 15%
/// of the verify route's samples (BENCHMARKS.md). `serve` sets the threshold
/// to 1 MiB, which the profile no longer shows being crossed. Setting it ends
/// glibc's sliding thresholds, so the mmap threshold is fixed too, at 256 KiB:
/// larger blocks still come from `mmap` and go back on `free`, and a heap
/// keeps at most 1 MiB it does not use. `mallopt` is not in Swift's Glibc
/// module, hence `dlsym`.
public enum AllocatorTuning {
    static let trimThresholdBytes: Int32 = 1 << 20
    static let mmapThresholdBytes: Int32 = 256 << 10

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
