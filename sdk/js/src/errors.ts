/**
 * The contract's error codes (`Error.error.code` in openapi.yaml). The
 * service sends one fixed message per code and nothing more: `invalid_code`
 * never says why a code failed (wrong, expired, used, burned, unknown order,
 * wrong email all look the same) and `unauthorized` never says what was wrong
 * with a token or key. The SDK adds no detail either.
 */
export type ServiceErrorCode =
  | "invalid_request"
  | "invalid_code"
  | "unauthorized"
  | "not_found"
  | "method_not_allowed"
  | "payload_too_large"
  | "unsupported_media_type"
  | "rate_limited"
  | "unavailable"
  | "internal";

/**
 * Codes made by the SDK itself, never sent by the service. All have
 * `status: 0` (no HTTP answer was read) except `unexpected_response`, which
 * carries the status that came back.
 *
 * - `network_error`: the service could not be reached (connection refused or
 *   reset, DNS, TLS, or, in a browser, a CORS refusal).
 * - `timeout`: no complete answer within the client's `timeoutMs` (also when
 *   a custom `fetch`, or its body, ignores the abort signal: the SDK stops
 *   waiting either way).
 * - `aborted`: the caller's `AbortSignal` fired (before or during the call).
 * - `unexpected_response`: an HTTP answer the contract does not describe: a
 *   success status other than the call's own (each call succeeds on exactly
 *   one: 200, 201, 202 or 204), e.g. an HTML page from a proxy or captive
 *   portal with status 200, a body of the wrong shape, or one over 1 MiB
 *   (the SDK stops reading there); also any redirect
 *   (3xx, or a browser's opaque redirect with status 0): the SDK never follows
 *   one, so `Authorization` cannot travel elsewhere.
 * - `invalid_argument`: the SDK refused to send the request at all: an
 *   argument that is not a string (from JavaScript; a BigInt or a cyclic
 *   object never makes a call reject), an order
 *   number off openapi.yaml's `OrderNumber` pattern (so never a dot segment
 *   such as ".." in a path), or a header name or value that HTTP cannot carry
 *   (such as a token with a line break).
 *
 * One service code is also decided locally, with `status: 0`: `track("")`,
 * `track(".")` and `track("..")` are `not_found` without a request (they are
 * no path segment, and no token).
 */
export type ClientErrorCode =
  | "network_error"
  | "timeout"
  | "aborted"
  | "unexpected_response"
  | "invalid_argument";

export type ErrorCode = ServiceErrorCode | ClientErrorCode;

/** What `error` holds when a call did not succeed. A plain object: safe to log or serialize. */
export interface GuestAccessError {
  code: ErrorCode;
  /** The service's fixed sentence for `code`, or the SDK's own for a client code. */
  message: string;
  /** The HTTP status; `0` when no HTTP answer was read (`network_error`, `timeout`, `aborted`, `invalid_argument`). */
  status: number;
  /** Whole seconds (0 to 86400) to wait before trying again, from `Retry-After` (429 `rate_limited`, 503 `unavailable`). */
  retryAfter?: number;
  /** The answer's `X-Request-Id`, to find the request in the service's log. */
  requestId?: string;
  /**
   * For `network_error`, the underlying exception, for logs (never shown to shoppers): a copy
   * keeping its `name`, `code` and `cause` chain, with the request URL (which may hold a tracking
   * token) and any credential replaced by "<url>" in its messages.
   */
  cause?: unknown;
}

/** Every call resolves to one of these; it never rejects for an HTTP answer, a network failure, a timeout or an abort. */
export type Result<T> = { data: T; error: null } | { data: null; error: GuestAccessError };

const serviceCodes: ReadonlySet<string> = new Set<ServiceErrorCode>([
  "invalid_request",
  "invalid_code",
  "unauthorized",
  "not_found",
  "method_not_allowed",
  "payload_too_large",
  "unsupported_media_type",
  "rate_limited",
  "unavailable",
  "internal",
]);

/** Whether `code` is one the service sends. */
export function isServiceErrorCode(code: unknown): code is ServiceErrorCode {
  return typeof code === "string" && serviceCodes.has(code);
}

/** The code a status stands for when the answer has no (known) envelope, e.g. a proxy's own 502 page. */
export function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
      return "invalid_request";
    case 401:
      return "unauthorized";
    case 404:
      return "not_found";
    case 405:
      return "method_not_allowed";
    case 413:
      return "payload_too_large";
    case 415:
      return "unsupported_media_type";
    case 429:
      return "rate_limited";
    case 500:
      return "internal";
    case 502:
    case 503:
    case 504:
      return "unavailable";
    default:
      return "unexpected_response";
  }
}
