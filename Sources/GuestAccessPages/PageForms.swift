/// The forms the pages post. Fields beyond these are ignored; a missing one
/// is a malformed request.
struct LookupForm: Decodable, Sendable {
    let csrf: String
    let orderNumber: String
    let email: String
}

struct CodeForm: Decodable, Sendable {
    let csrf: String
    let code: String
}

struct SignOutForm: Decodable, Sendable {
    let csrf: String
}
