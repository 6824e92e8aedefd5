import Foundation
import GuestAccessCore
import GuestAccessPolicy
import Synchronization

@testable import GuestAccessService

/// A clock the test moves by hand.
final class TestClock: WallClock {
    private let current: Mutex<Date>

    init(_ start: Date = Date(timeIntervalSince1970: 1_790_000_000)) { current = Mutex(start) }

    func now() -> Date { current.withLock { $0 } }

    func advance(by seconds: TimeInterval) { current.withLock { $0 += seconds } }
}
