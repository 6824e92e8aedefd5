import Foundation

/// libFuzzer's entry point. `GUEST_ACCESS_FUZZ_TARGET` picks the target:
/// request-body, order-detail, access-token or email. A broken invariant
/// traps, which libFuzzer reports as a crash with the input that caused it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    switch FuzzTarget.selected {
    case .requestBody: RequestBodyFuzz.run(bytes)
    case .orderDetail: OrderDetailFuzz.run(bytes)
    case .accessToken: AccessTokenFuzz.run(bytes)
    case .email: EmailFuzz.run(bytes)
    }
    return 0
}

enum FuzzTarget: String {
    case requestBody = "request-body"
    case orderDetail = "order-detail"
    case accessToken = "access-token"
    case email

    static let selected: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["GUEST_ACCESS_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            fatalError("set GUEST_ACCESS_FUZZ_TARGET to request-body, order-detail, access-token or email")
        }
        return target
    }()
}

/// Stops the run with `message` when an invariant does not hold.
func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError("invariant broken: \(message())") }
}

/// SwiftPM links an executable target's entry point as `<module>_main`; hand
/// control to libFuzzer's driver from there.
@_silgen_name("LLVMFuzzerRunDriver")
func llvmFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

@_cdecl("guest_access_fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return llvmFuzzerRunDriver(&count, &arguments) { data, size in fuzzOneInput(data, size) }
}
