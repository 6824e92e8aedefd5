/// Limits at the HTTP edge.
public struct HTTPPolicy: Sendable, Equatable, Encodable {
    /// Largest accepted request body; larger is 413.
    public var maxBodyBytes: Int
    /// Largest sum of header names and values; larger is 400.
    public var maxHeaderBytes: Int
    /// Most header fields; more is 400.
    public var maxHeaderCount: Int
    /// Longest a request may take, body included; longer is 503.
    public var requestTimeoutSeconds: Int
    /// Longest an idle keep-alive connection is kept.
    public var idleTimeoutSeconds: Int

    public init(maxBodyBytes: Int, maxHeaderBytes: Int, maxHeaderCount: Int, requestTimeoutSeconds: Int, idleTimeoutSeconds: Int) {
        self.maxBodyBytes = maxBodyBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.requestTimeoutSeconds = requestTimeoutSeconds
        self.idleTimeoutSeconds = idleTimeoutSeconds
    }
}
