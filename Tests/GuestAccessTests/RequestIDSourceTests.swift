import GuestAccessCrypto
import Testing

@testable import GuestAccessHTTP

@Suite("Request ids drawn from a pooled RAND_bytes buffer")
struct RequestIDSourceTests {
    @Test("Ids stay distinct, 16 base64url characters each, across many refills of the pool and from several threads")
    func idsStayDistinctAcrossRefills() async {
        let source = RequestIDSource()
        let perTask = RequestIDSource.batchBytes / RequestIDSource.idBytes * 3 + 7
        let ids = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<4 { group.addTask { (0..<perTask).map { _ in source.next() } } }
            return await group.reduce(into: [String]()) { $0 += $1 }
        }
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        #expect(ids.count == 4 * perTask)
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.count == 16 && $0.allSatisfy(alphabet.contains) })
        // Canonical base64url of 12 bytes each: what was drawn, written whole.
        #expect(ids.allSatisfy { Base64URL.decode($0)?.count == RequestIDSource.idBytes })
    }
}
