import Foundation

/// One keep-alive HTTP/1.1 connection over a plain POSIX socket, so a test can
/// open it at a moment of its choosing and send on it later (an HTTP client
/// library would pick or open a connection per request).
final class RawHTTPConnection {
    private let fd: Int32

    /// The socket is stored only once it is connected: a class whose init
    /// throws after its properties are set still runs `deinit`, and closing
    /// the descriptor there as well as here closed it twice — the second
    /// close hit whatever file the number had been handed to in the meantime
    /// (a SQLite database in a concurrent test failed with "disk I/O error").
    init(port: Int) throws {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "socket failed"]) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(socketFD, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(socketFD)
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "connect failed"])
        }
        fd = socketFD
    }

    deinit { close(fd) }

    /// Sends `GET path` and returns the status code, or nil when the connection was closed.
    func get(_ path: String) -> Int? {
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count else { return nil }
        var received = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return nil }
            received += buffer[0..<count]
            let text = String(decoding: received, as: UTF8.self)
            guard let headerEnd = text.range(of: "\r\n\r\n") else { continue }
            let head = text[..<headerEnd.lowerBound]
            let length =
                head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
            guard text.utf8.count >= text.utf8.distance(from: text.startIndex, to: headerEnd.upperBound) + length else { continue }
            return Int(head.split(separator: " ")[1])
        }
    }
}
