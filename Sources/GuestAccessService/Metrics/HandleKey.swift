/// Which metric handle an event goes to: its name and its labels, compared
/// as given (enums and the values' own strings). Looking a handle up this way
/// builds no string: the exported label is made only with a new handle.
struct HandleKey<Name: Hashable & Sendable>: Hashable, Sendable {
    let name: Name
    let labels: [LabelPair]

    struct LabelPair: Hashable, Sendable {
        let label: Metric.Label
        let value: String
    }

    init(name: Name, labels: [(Metric.Label, String)]) {
        self.name = name
        self.labels = labels.map { LabelPair(label: $0.0, value: $0.1) }
    }
}
