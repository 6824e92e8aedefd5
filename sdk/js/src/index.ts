/**
 * `@guest-access/client`: the JavaScript/TypeScript SDK of guest-access
 * (verified guest order lookups). No runtime dependencies; ESM; Node >= 18
 * and browsers (Bun, Deno 2 and Cloudflare Workers untested). See README.md.
 */
export { createClient } from "./client.js";
export type { ClientOptions, GuestAccessClient, GuestOrders } from "./client.js";
export { createAdminClient } from "./admin.js";
export type { AdminClientOptions, AdminOrders, AdminTrackingTokens, GuestAccessAdminClient } from "./admin.js";
export type {
  AbortSignalLike,
  BaseClientOptions,
  CallOptions,
  FetchBodyReader,
  FetchFunction,
  FetchInit,
  FetchResponse,
  HeadersLike,
  PlatformAbortSignal,
} from "./transport.js";
export type { ClientErrorCode, ErrorCode, GuestAccessError, Result, ServiceErrorCode } from "./errors.js";
export type {
  AccessCodeRequested,
  FulfillmentStatus,
  Fulfillment,
  MintedTrackingToken,
  OrderDetail,
  OrderItem,
  OrderStatus,
  PaymentStatus,
  PostalAddress,
  TrackedOrder,
  TrackedOrderItem,
  TrackingView,
  VerifiedAccess,
} from "./types.js";
