/// The queue's turns as a simple model: requests queued one after another
/// (start-time fair queuing). A client's next turn is one after its last and
/// never behind the turn being served; a claim takes the lowest pending turn
/// and moves the turn being served up to it. Which of a client's requests
/// queued at the same moment gets which of its turns is not modelled: only
/// how many turns each client holds.
struct QueueTurnModel {
    private(set) var clock: Int64 = 0
    private var last: [UInt8: Int64] = [:]
    private var pending: [UInt8: [Int64]] = [:]

    var isEmpty: Bool { pending.values.allSatisfy(\.isEmpty) }

    /// `counts` requests per client, queued at the same moment (no claim between them).
    mutating func enqueue(_ counts: [UInt8: Int]) {
        for (client, count) in counts {
            let base = max(last[client] ?? clock, clock)
            pending[client, default: []].append(contentsOf: (1...Int64(count)).map { base + $0 })
            last[client] = base + Int64(count)
        }
    }

    /// Takes `client`'s lowest turn, or returns a description of why a claim
    /// for `client` is not the model's next: another client holds a lower turn.
    mutating func claim(by client: UInt8) -> String? {
        guard let lowest = pending.values.compactMap({ $0.min() }).min() else { return "the model holds no request" }
        var turns = pending[client] ?? []
        guard let own = turns.min(), own == lowest else {
            return "client \(client) was served at turn \(turns.min() ?? -1), the lowest pending turn is \(lowest)"
        }
        turns.remove(at: turns.firstIndex(of: own)!)
        pending[client] = turns
        clock = max(clock, own)
        return nil
    }
}
