/// Runs an action once after a delay, unless it is cancelled first — on the
/// sleep queue, without a task of its own.
///
/// `withDeadline` and the PostgreSQL operation bound used to start a task
/// whose only work was to sleep (and one more to cancel that sleep): two or
/// three tasks per request body and per database operation. A delayed action
/// is a heap entry behind `SleepQueue`'s one timer. `cancel` may come before
/// `start`; the action then never runs.
///
/// Every `DelayedAction` must be started once (its reservation is held until
/// then). The action runs on the queue's thread, after every other due entry
/// is taken, so it must be short and must not block: resume a continuation,
/// cancel a task. A `cancel` that races with the due time may return while the
/// action, already taken, has yet to run: callers decide who won with a state
/// of their own (`withDeadline`'s `DeadlineRace`, `bounded`'s `Once`).
public struct DelayedAction: Sendable {
    let id: UInt64

    /// Reserves the action's place, so that a `cancel` from another task may come before `start`.
    public init() { id = SleepQueue.shared.reserve() }

    /// Runs `action` after `duration` unless `cancel` came first. Call it exactly once (a second call traps).
    public func start(after duration: Duration, _ action: @escaping @Sendable () -> Void) {
        SleepQueue.shared.schedule(id, for: duration, action)
    }

    /// Drops the action unless it was already taken to run; then does nothing.
    public func cancel() { SleepQueue.shared.cancel(id) }
}
