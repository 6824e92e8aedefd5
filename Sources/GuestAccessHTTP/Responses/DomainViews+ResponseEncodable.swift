import GuestAccessCore
public import Hummingbird

/// The core's views are answers as they are, encoded by the context's `JSONResponseEncoder`.
extension OrderDetail: ResponseEncodable {}
extension TrackingView: ResponseEncodable {}
