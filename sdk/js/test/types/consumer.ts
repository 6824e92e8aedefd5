// A storefront's TypeScript, compiled with `strict` against the package's
// published types (resolved by name through package.json "exports").
// Every `@ts-expect-error` line must fail to compile: if the types were
// `any`, the directive itself would be the error (TS2578).
import {
  createAdminClient,
  createClient,
  type CallOptions,
  type ErrorCode,
  type FulfillmentStatus,
  type GuestAccessError,
  type OrderDetail,
  type OrderStatus,
  type PaymentStatus,
  type Result,
  type TrackedOrder,
  type VerifiedAccess,
} from "@guest-access/client";

const client = createClient({ baseUrl: "https://guest-access.example", timeoutMs: 5000, headers: { "User-Agent": "shop/1.0" } });
// The global fetch and a wrapper typed for what the SDK passes both fit the fetch option.
createClient({ baseUrl: "https://guest-access.example", fetch });
createClient({
  baseUrl: "https://guest-access.example",
  fetch: async (url: string, init: RequestInit): Promise<Response> => fetch(url, { ...init, keepalive: false }),
});
// @ts-expect-error a fetch that resolves to something else does not
createClient({ baseUrl: "https://guest-access.example", fetch: async (url: string) => url });

export async function trackPage(token: string): Promise<string> {
  const { data, error } = await client.orders.track(token);
  if (error) {
    const code: ErrorCode = error.code;
    const status: number = error.status;
    const wait: number | undefined = error.retryAfter;
    return `${code} ${status} ${wait ?? ""}`;
  }
  // Narrowed by the check above: data is a TrackedOrder here.
  const order: TrackedOrder = data;
  const status: OrderStatus = order.status;
  const payment: PaymentStatus = order.paymentStatus;
  const fulfillment: FulfillmentStatus = order.fulfillmentStatus;
  const city: string | null = order.shippingCity;
  const images: Array<string | null> = order.items.map((item) => item.imageUrl);
  // @ts-expect-error the tracking view has no full email
  order.email;
  // @ts-expect-error nor a shipping address
  order.shippingAddress;
  return `${status} ${payment} ${fulfillment} ${city ?? ""} ${images.length} ${order.emailMasked} ${order.grandTotal / 100}`;
}

export async function verify(orderNumber: string, email: string, code: string, signal: AbortSignal): Promise<OrderDetail | GuestAccessError> {
  const options: CallOptions = { signal, headers: { "X-Forwarded-For": "203.0.113.7" } };
  const requested = await client.orders.requestAccessCode(orderNumber, email, options);
  if (requested.data) {
    const accepted: "accepted" = requested.data.status;
    void accepted;
  }
  const { data, error } = await client.orders.verifyAccessCode(orderNumber, email, code, options);
  if (error) {
    switch (error.code) {
      case "invalid_code":
      case "rate_limited":
      case "timeout":
      case "aborted":
      case "network_error":
        return error;
      default:
        return error;
    }
  }
  const access: VerifiedAccess = data;
  const bearer: "Bearer" = access.tokenType;
  const seconds: number = access.expiresIn;
  void bearer;
  void seconds;
  const refetch = await client.orders.getByAccessToken(access.accessToken);
  // @ts-expect-error data may be null until error is checked
  refetch.data.orderNumber;
  const out = await client.orders.signOut(access.accessToken);
  const nothing: null = out.data;
  void nothing;
  const order = access.order;
  const line2: string | null | undefined = order.shippingAddress?.line2;
  const sku: string | null | undefined = order.items[0]?.sku;
  const carrier: string | null | undefined = order.fulfillments[0]?.carrier;
  void line2;
  void sku;
  void carrier;
  return order;
}

export function statuses(): void {
  // @ts-expect-error not a status of the contract
  const wrong: OrderStatus = "LOST";
  // @ts-expect-error not a payment status
  const wrongPayment: PaymentStatus = "PENDING";
  // @ts-expect-error not an error code of the contract or the SDK
  const wrongCode: ErrorCode = "forbidden";
  void wrong;
  void wrongPayment;
  void wrongCode;
}

export async function backend(apiKey: string): Promise<string | null> {
  const admin = createAdminClient({ baseUrl: "https://guest-access.example", apiKey });
  const minted = await admin.trackingTokens.mint("ORD-2026-0042");
  const revoked: Result<null> = await admin.orders.revoke("ORD-2026-0042", { signal: new AbortController().signal });
  void revoked;
  // @ts-expect-error the admin client has no guest calls
  admin.orders.track("gt_x");
  // @ts-expect-error apiKey is required
  createAdminClient({ baseUrl: "https://guest-access.example" });
  // @ts-expect-error per-call headers are strings
  await client.orders.track("gt_x", { headers: { "X-Forwarded-For": 1 } });
  return minted.error ? null : minted.data.trackingToken;
}
