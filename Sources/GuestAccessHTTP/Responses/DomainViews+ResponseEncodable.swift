import GuestAccessCore
public import Hummingbird

/// The order view is an answer as it is, encoded by the context's `JSONResponseEncoder`
/// (the tracking view writes itself: `TrackingView+ResponseGenerator`).
extension OrderDetail: ResponseEncodable {}
