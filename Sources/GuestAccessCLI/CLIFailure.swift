/// A one-line reason a command stops, printed by `reportFailure`.
struct CLIFailure: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
