// Orders for `serve --orders` and the test provider: the contract's example
// order (as in the demo) and a second one, so tests can revoke one order
// without touching another's.
export const janeOrder = {
  orderNumber: "ORD-2026-0042",
  status: "SHIPPED",
  paymentStatus: "PAID",
  fulfillmentStatus: "FULFILLED",
  currency: "USD",
  subtotal: 5998,
  shippingAmount: 599,
  taxAmount: 0,
  discountAmount: 1200,
  grandTotal: 5397,
  email: "jane.doe@example.com",
  phone: "+1 503 555 0100",
  shippingAddress: { name: "Jane Doe", line1: "123 Main St", line2: "Apt 4B", city: "Portland", region: "OR", postalCode: "97201", country: "US" },
  billingAddress: { name: "Jane Doe", line1: "123 Main St", line2: "Apt 4B", city: "Portland", region: "OR", postalCode: "97201", country: "US" },
  items: [{ name: "Classic T-Shirt", sku: "CT-WHT-M", quantity: 2, unitPrice: 2999, total: 5998, imageUrl: "https://shop.example.com/media/ct-white.png" }],
  fulfillments: [{ status: "SHIPPED", carrier: "UPS", trackingNumber: "1Z999AA10123456784", trackingUrl: "https://www.ups.com/track?tracknum=1Z999AA10123456784", shippedAt: "2026-03-24T09:00:00Z", deliveredAt: null }],
  createdAt: "2026-03-23T14:30:00Z",
  updatedAt: "2026-03-24T09:00:00Z",
};

export const maxOrder = {
  orderNumber: "ORD-2026-0101",
  status: "PENDING",
  paymentStatus: "UNPAID",
  fulfillmentStatus: "UNFULFILLED",
  currency: "EUR",
  subtotal: 1000,
  shippingAmount: 0,
  taxAmount: 190,
  discountAmount: 0,
  grandTotal: 1190,
  email: "max@shop.example",
  phone: null,
  shippingAddress: null,
  billingAddress: null,
  items: [{ name: "Sticker", quantity: 1, unitPrice: 1000, total: 1000 }],
  fulfillments: [],
  createdAt: "2026-11-20T08:00:00Z",
  updatedAt: "2026-11-20T08:00:00Z",
};
