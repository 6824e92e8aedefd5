/// The log writer's queue and its bookkeeping, always under `LogWriter`'s
/// lock: lines waiting, drops not yet announced, and whether the writer
/// thread has started, is idle (waiting to be woken) or is writing.
struct LogQueueState {
    /// What the writer writes: a line, or the notice of lines dropped at that point.
    enum Entry {
        case line([UInt8])
        case dropped(Int)

        /// A line's length; a notice's is small and not known here.
        var byteCount: Int {
            switch self {
            case .line(let line): line.count
            case .dropped: 160
            }
        }
    }

    /// What became of an offered line.
    enum Outcome {
        /// `start`: the writer thread is to be started; `signal`: it is idle and to be woken.
        case queued(start: Bool, signal: Bool)
        case dropped
    }

    private(set) var entries: [Entry] = []
    /// Bytes of the lines queued, and of those in the batch being written:
    /// the limit holds for both, so a stuck writer does not let another
    /// limit's worth pile up behind its batch.
    private var bytes = 0
    private var inFlightBytes = 0
    /// Dropped since the last notice was queued.
    private var pendingDrops = 0
    var droppedTotal = 0
    private var started = false
    private var idle = false
    /// A batch has been taken and the writer has not yet come back for more.
    private var writing = false

    /// Every line offered so far has been written or given up on.
    var isSettled: Bool { entries.isEmpty && pendingDrops == 0 && !writing }

    /// Queues `line` when the bytes queued and in flight stay within
    /// `limitBytes` (or nothing is either: a line longer than the limit still
    /// goes out alone), after a notice for the lines dropped before it.
    mutating func offer(_ line: [UInt8], limitBytes: Int) -> Outcome {
        guard (entries.isEmpty && inFlightBytes == 0) || bytes + inFlightBytes + line.count <= limitBytes else {
            pendingDrops += 1
            droppedTotal += 1
            return .dropped
        }
        if pendingDrops > 0 {
            entries.append(.dropped(pendingDrops))
            pendingDrops = 0
        }
        entries.append(.line(line))
        bytes += line.count
        let start = !started
        started = true
        let signal = idle
        idle = false
        return .queued(start: start, signal: signal)
    }

    /// Everything queued, with a notice at its end for lines dropped after
    /// it; nil (and the writer marked idle) when there is nothing.
    mutating func takeBatch() -> [Entry]? {
        inFlightBytes = 0
        guard !entries.isEmpty || pendingDrops > 0 else {
            writing = false
            idle = true
            return nil
        }
        var batch = entries
        if pendingDrops > 0 {
            batch.append(.dropped(pendingDrops))
            pendingDrops = 0
        }
        entries = []
        inFlightBytes = bytes
        bytes = 0
        writing = true
        return batch
    }
}
