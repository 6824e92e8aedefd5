import GuestAccessCore
import Hummingbird
import Logging

/// The request's random id — in `requestID`, and as `request_id` on every log
/// line written while it is served (`RequestLogID`, read by the log handler),
/// so every line a handler or use case logs for it carries the id — and one
/// access-log line that names the route template, never the raw path (it may
/// hold a token). `FrontMiddleware` runs it outermost.
struct AccessLog: Sendable {
    let ids = RequestIDSource()

    /// One line for an answered request.
    func write(_ request: Request, context: AppRequestContext, response: Response, elapsed: Duration) {
        context.logger.info(
            "request",
            metadata: [
                "method": .string(String(request.method.rawValue.prefix(16))),
                "route": .string(context.endpointPath ?? "unmatched"),
                "status": .string(String(response.status.code)),
                "duration_ms": .string(Self.milliseconds(elapsed)),
            ]
        )
    }

    /// `12.34`: milliseconds to the hundredth, rounded, in integer arithmetic
    /// (`String(format:)` went through Foundation's formatter on every request).
    static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let hundredths = max(0, seconds) * 100_000 + (max(0, attoseconds) + 5_000_000_000_000) / 10_000_000_000_000
        let fraction = hundredths % 100
        return "\(hundredths / 100)." + (fraction < 10 ? "0" : "") + "\(fraction)"
    }
}
