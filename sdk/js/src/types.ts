/**
 * The views the service answers with, as in the contract (`openapi.yaml`,
 * `components.schemas`, and the spec's "OrderDetail"). Money is an integer in
 * minor units (cents) beside an ISO 4217 `currency`; times are RFC 3339 UTC
 * strings. A property the schema does not require may be absent or `null`.
 */

/** `OrderStatus` in openapi.yaml. */
export type OrderStatus =
  | "PENDING"
  | "CONFIRMED"
  | "PROCESSING"
  | "SHIPPED"
  | "DELIVERED"
  | "CANCELLED"
  | "REFUNDED";

/** `PaymentStatus` in openapi.yaml. */
export type PaymentStatus = "UNPAID" | "PAID" | "PARTIALLY_PAID" | "REFUNDED" | "VOIDED";

/** `FulfillmentStatus` in openapi.yaml. */
export type FulfillmentStatus = "UNFULFILLED" | "PARTIALLY_FULFILLED" | "FULFILLED";

/** One line of the tracking view: no price, no SKU. */
export interface TrackedOrderItem {
  name: string;
  quantity: number;
  imageUrl: string | null;
}

/**
 * `GET /v1/tracking/{trackingToken}` (`TrackingView` in openapi.yaml): the
 * minimized, masked view. Never holds street lines, postal code, region,
 * recipient, phone, the full email, billing address or per-item prices.
 */
export interface TrackedOrder {
  orderNumber: string;
  status: OrderStatus;
  paymentStatus: PaymentStatus;
  fulfillmentStatus: FulfillmentStatus;
  /** ISO 4217, e.g. `"USD"`. */
  currency: string;
  /** Minor units (cents). */
  grandTotal: number;
  /** Fixed-width mask: `jane.doe@example.com` → `j***@e***.com`. */
  emailMasked: string;
  shippingCity: string | null;
  shippingCountry: string | null;
  items: TrackedOrderItem[];
  /** RFC 3339 UTC. */
  createdAt: string;
}

/** The name openapi.yaml gives {@link TrackedOrder}. */
export type TrackingView = TrackedOrder;

/** `PostalAddress` in openapi.yaml. */
export interface PostalAddress {
  name: string;
  line1: string;
  line2?: string | null;
  city: string;
  region?: string | null;
  postalCode?: string | null;
  /** ISO 3166-1 alpha-2, e.g. `"US"`. */
  country: string;
}

/** `OrderItem` in openapi.yaml; prices in minor units. */
export interface OrderItem {
  name: string;
  sku?: string | null;
  quantity: number;
  unitPrice: number;
  total: number;
  imageUrl?: string | null;
}

/** `Fulfillment` in openapi.yaml (`status` is free text there, e.g. `"SHIPPED"`). */
export interface Fulfillment {
  status: string;
  carrier?: string | null;
  trackingNumber?: string | null;
  trackingUrl?: string | null;
  shippedAt?: string | null;
  deliveredAt?: string | null;
}

/** `OrderDetail` in openapi.yaml: the full view, only after verification. */
export interface OrderDetail {
  orderNumber: string;
  status: OrderStatus;
  paymentStatus: PaymentStatus;
  fulfillmentStatus: FulfillmentStatus;
  currency: string;
  subtotal: number;
  shippingAmount: number;
  taxAmount: number;
  discountAmount: number;
  grandTotal: number;
  /** The email on record at the storefront, in full. */
  email: string;
  phone?: string | null;
  shippingAddress?: PostalAddress | null;
  billingAddress?: PostalAddress | null;
  items: OrderItem[];
  fulfillments: Fulfillment[];
  createdAt: string;
  updatedAt: string;
}

/** `Accepted` in openapi.yaml: the one answer of `requestAccessCode`, whatever happened. */
export interface AccessCodeRequested {
  status: "accepted";
}

/** `VerifiedAccess` in openapi.yaml: the answer to a right code. */
export interface VerifiedAccess {
  /** HS256 JWT scoped to this one order; send it to `getByAccessToken` / `signOut`. */
  accessToken: string;
  tokenType: "Bearer";
  /** Seconds the token is valid from now (1800, 30 minutes, by default policy). */
  expiresIn: number;
  order: OrderDetail;
}

/** `POST /v1/admin/tracking-tokens` → 201. */
export interface MintedTrackingToken {
  /** `gt_…`, URL-safe; put it in the confirmation email's tracking link. */
  trackingToken: string;
}
