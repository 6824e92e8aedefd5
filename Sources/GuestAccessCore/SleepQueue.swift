import Dispatch
import Synchronization

/// Every pending `cancellableSleep` and `DelayedAction`, due times in a
/// min-heap, behind one dispatch timer armed for the earliest. A cancelled
/// sleep is resumed (a cancelled action dropped) and forgotten at once; its
/// heap entry (16 bytes) is skipped when it comes up, and the heap is rebuilt
/// from the live entries once the dead ones outnumber them, so memory follows
/// what is still waiting.
final class SleepQueue: @unchecked Sendable {
    // @unchecked: `timer` is a dispatch source, which is safe to use from any thread; everything else is in `state`.

    static let shared = SleepQueue()

    private struct Entry {
        let due: UInt64
        let id: UInt64
    }

    /// What a due entry wakes: a sleeping task, or an action run on the queue's thread.
    private enum Waiter {
        case sleeper(CheckedContinuation<Void, any Error>)
        case action(@Sendable () -> Void)
    }

    private struct State {
        var heap: [Entry] = []
        var waiting: [UInt64: Waiter] = [:]
        /// Sleeps reserved and not yet waiting, and those of them already cancelled.
        var reserved: Set<UInt64> = []
        var cancelledEarly: Set<UInt64> = []
        var nextID: UInt64 = 0
        var armedFor: UInt64 = .max
    }

    private let state = Mutex(State())
    private let timer: any DispatchSourceTimer

    private init() {
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "guest-access.sleep-queue"))
        timer.setEventHandler { [unowned self] in fire() }
        timer.schedule(deadline: .distantFuture)
        timer.activate()
    }

    /// Heap entries and sleeps waiting, read together: tests hold the heap to the live sleeps.
    var counts: (entries: Int, waiting: Int) { state.withLock { ($0.heap.count, $0.waiting.count) } }

    /// Whether the queue still holds anything of `id` (waiting, reserved or cancelled early): tests hold every
    /// finished sleep and action to leaving nothing behind.
    func holds(_ id: UInt64) -> Bool {
        state.withLock { $0.waiting[id] != nil || $0.reserved.contains(id) || $0.cancelledEarly.contains(id) }
    }

    /// An id for one sleep or action, taken before it waits, so a
    /// cancellation that comes first can name it.
    func reserve() -> UInt64 {
        state.withLock { state in
            state.nextID &+= 1
            state.reserved.insert(state.nextID)
            return state.nextID
        }
    }

    /// Resumes `continuation` after `duration`, or with `CancellationError` once `id` is cancelled.
    func wait(_ id: UInt64, _ continuation: CheckedContinuation<Void, any Error>, for duration: Duration) {
        if !enqueue(id, .sleeper(continuation), for: duration) { continuation.resume(throwing: CancellationError()) }
    }

    /// Runs `action` on the queue's thread after `duration`, unless `id` is cancelled first.
    func schedule(_ id: UInt64, for duration: Duration, _ action: @escaping @Sendable () -> Void) {
        _ = enqueue(id, .action(action), for: duration)
    }

    /// Whether `waiter` now waits: false when `id` was cancelled before it came.
    private func enqueue(_ id: UInt64, _ waiter: Waiter, for duration: Duration) -> Bool {
        let due = DispatchTime.now().uptimeNanoseconds &+ Self.nanoseconds(duration)
        return state.withLock { state -> Bool in
            precondition(state.reserved.remove(id) != nil, "a sleep or delayed action started twice, or never reserved")
            if state.cancelledEarly.remove(id) != nil { return false }
            state.waiting[id] = waiter
            Self.push(Entry(due: due, id: id), onto: &state.heap)
            if due < state.armedFor {
                state.armedFor = due
                timer.schedule(deadline: DispatchTime(uptimeNanoseconds: due))
            }
            return true
        }
    }

    func cancel(_ id: UInt64) {
        let waiter = state.withLock { state -> Waiter? in
            guard let waiter = state.waiting.removeValue(forKey: id) else {
                // Not waiting yet, or already woken by the timer (then there is nothing to do).
                if state.reserved.contains(id) { state.cancelledEarly.insert(id) }
                return nil
            }
            Self.compactIfMostlyDead(&state)
            return waiter
        }
        if case .sleeper(let continuation) = waiter { continuation.resume(throwing: CancellationError()) }
    }

    /// Wakes everything that is due and arms the timer for the next live entry.
    private func fire() {
        let due = state.withLock { state -> [Waiter] in
            let now = DispatchTime.now().uptimeNanoseconds
            var due: [Waiter] = []
            while let first = state.heap.first, first.due <= now || state.waiting[first.id] == nil {
                Self.popFirst(&state.heap)
                if let waiter = state.waiting.removeValue(forKey: first.id) { due.append(waiter) }
            }
            Self.compactIfMostlyDead(&state)
            state.armedFor = state.heap.first?.due ?? .max
            timer.schedule(deadline: state.heap.isEmpty ? .distantFuture : DispatchTime(uptimeNanoseconds: state.armedFor))
            return due
        }
        for waiter in due {
            switch waiter {
            case .sleeper(let continuation): continuation.resume()
            case .action(let action): action()
            }
        }
    }

    /// Rebuilds the heap from the live entries once the dead ones outnumber
    /// them (and 1,024): afterwards, and so after every change, the heap holds
    /// at most twice the waiting entries plus 1,024.
    private static func compactIfMostlyDead(_ state: inout State) {
        guard state.heap.count > 2 * state.waiting.count + 1024 else { return }
        state.heap = state.heap.filter { state.waiting[$0.id] != nil }
        heapify(&state.heap)
    }

    /// Whole nanoseconds, at least zero, at most 2^30 seconds (about 34 years).
    private static func nanoseconds(_ duration: Duration) -> UInt64 {
        guard duration > .zero else { return 0 }
        let (seconds, attoseconds) = duration.components
        return UInt64(min(seconds, 1 << 30)) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
    }

    private static func push(_ entry: Entry, onto heap: inout [Entry]) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].due < heap[parent].due else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private static func popFirst(_ heap: inout [Entry]) {
        heap.swapAt(0, heap.count - 1)
        heap.removeLast()
        siftDown(&heap, from: 0)
    }

    private static func heapify(_ heap: inout [Entry]) {
        for index in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(&heap, from: index) }
    }

    private static func siftDown(_ heap: inout [Entry], from start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { return }
            let right = left + 1
            let smaller = right < heap.count && heap[right].due < heap[left].due ? right : left
            guard heap[smaller].due < heap[parent].due else { return }
            heap.swapAt(parent, smaller)
            parent = smaller
        }
    }
}
