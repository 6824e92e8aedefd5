import type { Result } from "./errors.js";
import { isOrderNumber, makeTransport, notAString, orderNumberMessage, perform, refuse, shapes, type BaseClientOptions, type CallOptions } from "./transport.js";
import type { MintedTrackingToken } from "./types.js";

/** `createAdminClient`'s options. */
export interface AdminClientOptions extends BaseClientOptions {
  /** The service's admin API key (`--admin-key-file` / `GUEST_ACCESS_ADMIN_KEY`). Server side only. */
  apiKey: string;
  /**
   * Allow a plain `http:` baseUrl whose host is not loopback (e.g. a private network the
   * service's traffic never leaves). Without it, such a baseUrl throws: the admin key would cross
   * the network in clear text. `http://127.0.0.1`, `localhost` and `[::1]` need no flag.
   */
  allowInsecureHttp?: boolean;
}

export interface AdminTrackingTokens {
  /**
   * `POST /v1/admin/tracking-tokens`: a new tracking token for the order, for
   * the confirmation email's link. Unknown order: `not_found` (404).
   */
  mint(orderNumber: string, options?: CallOptions): Promise<Result<MintedTrackingToken>>;
}

export interface AdminOrders {
  /**
   * `POST /v1/admin/orders/{orderNumber}/revoke`: the order's tracking tokens,
   * pending codes and every access token issued so far stop working. Success
   * is `{ data: null, error: null }`.
   */
  revoke(orderNumber: string, options?: CallOptions): Promise<Result<null>>;
}

/** The storefront backend's calls, with the admin API key. */
export interface GuestAccessAdminClient {
  readonly trackingTokens: AdminTrackingTokens;
  readonly orders: AdminOrders;
}

/**
 * Whether this looks like a browser: a page (`window` or `document` global) or a Web Worker
 * (`importScripts` or `WorkerGlobalScope`; a worker has no window or document). Deno before 2
 * defines `window` too, so it is refused; Deno 2 does not.
 */
function inBrowser(): boolean {
  const scope = globalThis as { window?: unknown; document?: unknown; importScripts?: unknown; WorkerGlobalScope?: unknown };
  return (
    typeof scope.window !== "undefined" ||
    typeof scope.document !== "undefined" ||
    typeof scope.importScripts === "function" ||
    typeof scope.WorkerGlobalScope !== "undefined"
  );
}

/** Whether a URL's hostname is this machine: 127.0.0.0/8, localhost (and *.localhost), [::1]. */
function isLoopback(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === "localhost" || host.endsWith(".localhost") || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

const minted = shapes.object<MintedTrackingToken>([["trackingToken", "string"]]);

/**
 * A client for the service-to-service calls of a storefront backend. The
 * admin key can mint tracking tokens for and revoke any order: it must never
 * reach a browser, so this throws in a page or a Web Worker (a `window`,
 * `document`, `importScripts` or `WorkerGlobalScope` global; Deno < 2 too,
 * which defines `window`).
 *
 * ```js
 * const admin = createAdminClient({ baseUrl, apiKey: process.env.GUEST_ACCESS_ADMIN_KEY });
 * const { data, error } = await admin.trackingTokens.mint("ORD-2026-0042");
 * ```
 */
export function createAdminClient(options: AdminClientOptions): GuestAccessAdminClient {
  if (inBrowser()) {
    throw new Error(
      "createAdminClient: refusing to run in a browser (found a window, document, importScripts or WorkerGlobalScope global). " +
        "The admin API key mints tracking tokens for and revokes any order; keep it on your server " +
        "and call createAdminClient only from server-side code.",
    );
  }
  const transport = makeTransport(options, "createAdminClient");
  const { protocol, hostname } = new URL(transport.baseUrl);
  if (protocol !== "https:" && !isLoopback(hostname) && options.allowInsecureHttp !== true) {
    throw new TypeError(
      "createAdminClient: baseUrl must be https unless its host is loopback (127.0.0.0/8, localhost, [::1]): " +
        "the admin key would cross the network in clear text. Pass allowInsecureHttp: true to accept that.",
    );
  }
  const apiKey: unknown = options.apiKey;
  if (typeof apiKey !== "string" || apiKey.trim() === "") {
    throw new TypeError("createAdminClient: apiKey is required (the service's admin API key)");
  }
  // Printable ASCII, no spaces: a key read from a file with its trailing newline (or pasted with a
  // space) fails here, not as 401s later. The key is never echoed.
  if (!/^[\x21-\x7e]+$/.test(apiKey)) {
    throw new TypeError("createAdminClient: apiKey has whitespace, a line break or characters past ASCII (trim the file or variable it comes from)");
  }
  const trackingTokens: AdminTrackingTokens = {
    mint: (orderNumber, callOptions) => {
      const wrongType = notAString({ orderNumber });
      if (wrongType) return refuse("invalid_argument", wrongType);
      if (!isOrderNumber(orderNumber)) return refuse("invalid_argument", orderNumberMessage);
      return perform(
        transport,
        { method: "POST", path: "/v1/admin/tracking-tokens", body: { orderNumber }, bearer: apiKey, success: 201, accept: minted },
        callOptions,
      );
    },
  };
  const orders: AdminOrders = {
    revoke: (orderNumber, callOptions) => {
      const wrongType = notAString({ orderNumber });
      if (wrongType) return refuse("invalid_argument", wrongType);
      // Checked before it becomes a path segment: ".." would send the admin key to POST /v1/admin/revoke.
      if (!isOrderNumber(orderNumber)) return refuse("invalid_argument", orderNumberMessage);
      return perform(
        transport,
        { method: "POST", path: `/v1/admin/orders/${encodeURIComponent(orderNumber)}/revoke`, bearer: apiKey, success: 204, accept: shapes.empty },
        callOptions,
      );
    },
  };
  return Object.freeze({ trackingTokens: Object.freeze(trackingTokens), orders: Object.freeze(orders) });
}
