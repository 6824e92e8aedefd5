import type { Result } from "./errors.js";
import {
  isObject,
  isOrderNumber,
  makeTransport,
  notAString,
  orderNumberMessage,
  perform,
  refuse,
  shapes,
  type BaseClientOptions,
  type CallOptions,
  type CallSpec,
} from "./transport.js";
import type { AccessCodeRequested, OrderDetail, TrackedOrder, VerifiedAccess } from "./types.js";

/** `createClient`'s options. */
export type ClientOptions = BaseClientOptions;

/** The guest calls: everything a shopper without an account does. Safe in a browser. */
export interface GuestOrders {
  /**
   * `GET /v1/tracking/{trackingToken}`: the minimized, masked view for the
   * token in the confirmation email's link. Unknown, malformed, expired or
   * revoked token: `not_found` (404), all alike.
   */
  track(trackingToken: string, options?: CallOptions): Promise<Result<TrackedOrder>>;
  /**
   * `POST /v1/access-codes`: ask for a 6-digit code (valid 10 minutes) sent to
   * the email on record. Always `{ status: "accepted" }` once the input is
   * well-formed, whether or not the order exists or the email matches, so
   * order numbers cannot be enumerated. A malformed order number or email is
   * `invalid_request` (400).
   */
  requestAccessCode(orderNumber: string, email: string, options?: CallOptions): Promise<Result<AccessCodeRequested>>;
  /**
   * `POST /v1/access-codes/verify`: exchange the code for the full order and a
   * 30-minute access token scoped to this one order. Every failure — wrong,
   * expired, used or burned code, unknown order, wrong email, locked order — is
   * the same `invalid_code` (401).
   */
  verifyAccessCode(orderNumber: string, email: string, code: string, options?: CallOptions): Promise<Result<VerifiedAccess>>;
  /** `GET /v1/guest/order`: re-fetch the token's one order. Anything wrong with the token: `unauthorized` (401). */
  getByAccessToken(accessToken: string, options?: CallOptions): Promise<Result<OrderDetail>>;
  /** `DELETE /v1/guest/token`: sign out; the token is refused from then on. Success is `{ data: null, error: null }`. */
  signOut(accessToken: string, options?: CallOptions): Promise<Result<null>>;
}

export interface GuestAccessClient {
  readonly orders: GuestOrders;
}

const trackedOrder = shapes.object<TrackedOrder>([
  ["orderNumber", "string"],
  ["status", "string"],
  ["grandTotal", "number"],
  ["emailMasked", "string"],
  ["items", "array"],
]);
const orderDetail = shapes.object<OrderDetail>([
  ["orderNumber", "string"],
  ["status", "string"],
  ["grandTotal", "number"],
  ["email", "string"],
  ["items", "array"],
  ["fulfillments", "array"],
]);
const verifiedAccess = (body: unknown): VerifiedAccess | undefined => {
  const access = shapes.object<VerifiedAccess>([
    ["accessToken", "string"],
    ["tokenType", (value) => value === "Bearer"],
    ["expiresIn", "number"],
    ["order", "object"],
  ])(body);
  return access && orderDetail(access.order) ? access : undefined;
};
const signOutCall = (accessToken: string): CallSpec<null> => ({
  method: "DELETE",
  path: "/v1/guest/token",
  bearer: accessToken,
  success: 204,
  accept: shapes.empty,
});

const accepted = (body: unknown): AccessCodeRequested | undefined =>
  shapes.object<AccessCodeRequested>([["status", "string"]])(body)?.status === "accepted" ? { status: "accepted" } : undefined;

/**
 * A client for the guest calls. Works in Node >= 18 and in browsers (global
 * `fetch` and `AbortController`); throws a `TypeError` only for bad options,
 * never for an HTTP answer.
 *
 * ```js
 * const client = createClient({ baseUrl: "https://guest-access.example" });
 * const { data, error } = await client.orders.track(trackingToken);
 * ```
 */
export function createClient(options: ClientOptions): GuestAccessClient {
  const transport = makeTransport(options, "createClient");
  const orders: GuestOrders = {
    track: (trackingToken, callOptions) => {
      const wrongType = notAString({ trackingToken });
      if (wrongType) return refuse("invalid_argument", wrongType);
      // "", "." and ".." would not be one path segment (GET /v1/tracking/ or /v1/): no token is
      // any of them, so they are the service's answer to any malformed token, decided here.
      if (trackingToken === "" || trackingToken === "." || trackingToken === "..") return refuse("not_found", "Not found.");
      return perform(
        transport,
        { method: "GET", path: `/v1/tracking/${encodeURIComponent(trackingToken)}`, secrets: [trackingToken], success: 200, accept: trackedOrder },
        callOptions,
      );
    },
    requestAccessCode: (orderNumber, email, callOptions) => {
      const wrongType = notAString({ orderNumber, email });
      if (wrongType) return refuse("invalid_argument", wrongType);
      if (!isOrderNumber(orderNumber)) return refuse("invalid_argument", orderNumberMessage);
      return perform(transport, { method: "POST", path: "/v1/access-codes", body: { orderNumber, email }, success: 202, accept: accepted }, callOptions);
    },
    verifyAccessCode: (orderNumber, email, code, callOptions) => {
      const wrongType = notAString({ orderNumber, email, code });
      if (wrongType) return refuse("invalid_argument", wrongType);
      if (!isOrderNumber(orderNumber)) return refuse("invalid_argument", orderNumberMessage);
      return perform(
        transport,
        {
          method: "POST",
          path: "/v1/access-codes/verify",
          body: { orderNumber, email, code },
          success: 200,
          accept: verifiedAccess,
          // An answer that fails the shape check may still hold a live access token, which the
          // caller never gets: sign it out (best effort, bounded by the same timeout) so it does
          // not stay valid for 30 minutes with nobody holding it.
          onRejected: async (body) => {
            const token = isObject(body) ? body["accessToken"] : undefined;
            if (typeof token === "string" && token !== "") await perform(transport, signOutCall(token), callOptions);
          },
        },
        callOptions,
      );
    },
    getByAccessToken: (accessToken, callOptions) =>
      notAString({ accessToken }) ? refuse("invalid_argument", "accessToken must be a string.") : perform(transport, { method: "GET", path: "/v1/guest/order", bearer: accessToken, success: 200, accept: orderDetail }, callOptions),
    signOut: (accessToken, callOptions) =>
      notAString({ accessToken }) ? refuse("invalid_argument", "accessToken must be a string.") : perform(transport, signOutCall(accessToken), callOptions),
  };
  return Object.freeze({ orders: Object.freeze(orders) });
}
