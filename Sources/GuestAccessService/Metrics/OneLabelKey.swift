/// Which handle an event with one label goes to, the label held inline: a
/// lookup with it allocates nothing, where `HandleKey` builds two arrays
/// (the caller's labels and its own). For the metrics of every request,
/// such as the order provider's timer.
struct OneLabelKey<Name: Hashable & Sendable>: Hashable, Sendable {
    let name: Name
    let label: Metric.Label
    let value: String
}
