public import Hummingbird
import NIOCore

/// `GET /openapi.yaml`: the contract, so storefront teams and test tools read
/// the document the running service was built with (embedded at build time
/// from `openapi.yaml`).
public struct OpenAPIController: Sendable {
    public init() {}

    /// The document's bytes.
    public static var document: [UInt8] { PackageResources.openapi_yaml }

    public var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self)
            .get("/openapi.yaml") { _, _ -> Response in
                Response(
                    status: .ok,
                    headers: [.contentType: "application/yaml; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(bytes: Self.document))
                )
            }
    }
}
