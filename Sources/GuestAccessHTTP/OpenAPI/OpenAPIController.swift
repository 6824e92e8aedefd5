import Hummingbird

/// `GET /openapi.yaml`: the contract, so storefront teams and test tools read
/// the document the running service was built with.
struct OpenAPIController: Sendable {
    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/openapi.yaml") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.yaml)))
        }
    }
}
