/// A request body whose object admits only these keys: `openapi.yaml` says
/// `additionalProperties: false`, and a key the service does not read (a
/// misspelt `emial`, say) is a client's mistake better refused than ignored.
public protocol StrictlyKeyed {
    static var knownKeys: Set<String> { get }
}
