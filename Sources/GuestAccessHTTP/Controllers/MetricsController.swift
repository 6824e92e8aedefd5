public import Hummingbird
import NIOCore

/// `GET /metrics`: Prometheus text, behind the admin key (it says how the
/// service is attacked, which is no one else's business).
public struct MetricsController: Sendable {
    /// The metrics in Prometheus text format 0.0.4.
    let render: @Sendable () -> [UInt8]

    public init(render: @escaping @Sendable () -> [UInt8]) { self.render = render }

    public var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self)
            .get { _, _ in
                Response(
                    status: .ok,
                    headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(bytes: render()))
                )
            }
    }
}
