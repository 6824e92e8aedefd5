import { codeForStatus, isServiceErrorCode, type GuestAccessError, type Result } from "./errors.js";

/**
 * Headers as `fetch` takes them (HeadersInit): an object of names to values, an array of
 * `[name, value]` pairs, or a `Headers` (anything with `forEach((value, name) => …)`).
 */
export type HeadersLike =
  | Record<string, string>
  | ReadonlyArray<readonly [string, string]>
  | { forEach(callback: (value: string, name: string) => void): void };

// The published types name no DOM type (AbortSignal, RequestInit, Response, Headers), so that a
// server-side consumer compiled without the DOM lib or @types/node type-checks: these structural
// types say what the SDK uses, and the DOM's and Node's own types fit them.

/** The parts of an `AbortSignal` the SDK uses. */
export interface AbortSignalLike {
  readonly aborted: boolean;
  addEventListener(type: "abort", listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: "abort", listener: () => void): void;
}

/** The platform's `AbortSignal` where its types are loaded (DOM lib, @types/node), else {@link AbortSignalLike}. */
export type PlatformAbortSignal = typeof globalThis extends { AbortSignal: { prototype: infer S } } ? S : AbortSignalLike;

/** What the SDK passes as `fetch`'s second argument. The DOM's `RequestInit` takes it as it is. */
export interface FetchInit {
  method: "GET" | "POST" | "DELETE";
  headers: Record<string, string>;
  body?: string;
  signal: PlatformAbortSignal;
  /** Redirects are never followed: a 3xx is `unexpected_response`. */
  redirect: "manual";
  /** Set where the runtime's `Request` has the field (not Cloudflare Workers before 2024-11-11). */
  credentials?: "omit";
}

/** A body stream's reader, as far as the SDK reads it. */
export interface FetchBodyReader {
  read(): Promise<{ done: boolean; value?: unknown }>;
  cancel(reason?: unknown): Promise<void>;
}

/** What the SDK reads of the answer `fetch` resolves to. The DOM's (and Node's) `Response` is one. */
export interface FetchResponse {
  readonly status: number;
  /** `"opaqueredirect"` for a browser's redirect under `redirect: "manual"`. */
  readonly type?: string;
  readonly headers: { get(name: string): string | null };
  /** A body stream (read up to 1 MiB); without one, `text()` is used. */
  readonly body?: { getReader(): FetchBodyReader; cancel?(reason?: unknown): Promise<void> } | null;
  text(): Promise<string>;
}

/** The last, optional argument of every call. */
export interface CallOptions {
  /** Abort the call: it then resolves to `{ data: null, error: { code: "aborted", status: 0 } }`. */
  signal?: AbortSignalLike;
  /**
   * Extra request headers for this call only, over the client's `headers`. A
   * storefront backend calling on a shopper's behalf passes the shopper's
   * address here (`{ "X-Forwarded-For": shopperIp }`); see the README for when
   * the service honours it. `Accept`, `Content-Type` and `Authorization` are
   * the SDK's own and cannot be replaced; `Cookie` and `Host` are refused (`invalid_argument`).
   * An object, an array of `[name, value]` pairs or a `Headers`.
   */
  headers?: HeadersLike;
}

/** The `fetch` the SDK calls: always with a string URL and a {@link FetchInit}. The global `fetch` fits. */
export type FetchFunction = (input: string, init: FetchInit) => Promise<FetchResponse>;

/** What both `createClient` and `createAdminClient` take. */
export interface BaseClientOptions {
  /** Where the service is, e.g. `"https://guest-access.example"` (a path prefix is kept). */
  baseUrl: string;
  /** Milliseconds a call may take, answer body included, before it resolves to `timeout`. Default 15000. */
  timeoutMs?: number;
  /**
   * A `fetch` to use instead of the global one (tests, instrumentation, a proxy
   * agent). The SDK calls it as `fetch(url, init)` with a string URL; the global
   * `fetch` fits, and so does any wrapper of that shape.
   */
  fetch?: FetchFunction;
  /**
   * Headers sent with every call (e.g. a `User-Agent` naming your storefront); per-call `headers`
   * win. An object, an array of `[name, value]` pairs or a `Headers`; `Cookie` and `Host` throw.
   */
  headers?: HeadersLike;
}

export const defaultTimeoutMs = 15_000;
/** The longest delay timers take (2^31 - 1 ms); longer ones fire at once. */
export const maxTimeoutMs = 2_147_483_647;

/** A validated client configuration. */
export interface Transport {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly fetch: FetchFunction;
  readonly headers: ReadonlyArray<readonly [string, string]>;
}

/** One call of the contract. */
export interface CallSpec<T> {
  method: "GET" | "POST" | "DELETE";
  path: string;
  body?: unknown;
  /** An `Authorization: Bearer …` credential (access token or admin key). */
  bearer?: string;
  /** Other values the call carries that must not reach a log (the tracking token, as given). */
  secrets?: string[];
  /** The one status the contract answers success with (200, 201, 202 or 204); any other 2xx is `unexpected_response`. */
  success: 200 | 201 | 202 | 204;
  /** The body of the success answer as `T`, or `undefined` when its shape is not the contract's. `null` body for 204. */
  accept: (body: unknown) => T | undefined;
  /** Runs (and is awaited) before a 2xx answer is turned into unexpected_response, with its parsed body. */
  onRejected?: (body: unknown) => Promise<void>;
}

const tokenPattern = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const valuePattern = /^[\t\x20-\x7e\x80-\xff]*$/;
/** The SDK's own headers: silently kept as the SDK sets them, whatever the caller passes. */
const ownHeaders = new Set(["accept", "content-type", "authorization"]);
/** Headers the caller may not set at all: a TypeError at creation, invalid_argument per call. */
const refusedHeaders = new Set(["cookie", "host"]);

/** Checks the options every client takes; throws a TypeError naming what is wrong (a programming error, not an HTTP answer). */
export function makeTransport(options: BaseClientOptions, who: string): Transport {
  if (options === null || typeof options !== "object") {
    throw new TypeError(`${who}: options are required, e.g. { baseUrl: "https://guest-access.example" }`);
  }
  const { timeoutMs = defaultTimeoutMs, headers = {} } = options;
  const baseUrl = checkBaseUrl(options.baseUrl, who);
  // setTimeout fires at once past 2^31 - 1 ms (about 24.8 days): refused, not capped.
  if (typeof timeoutMs !== "number" || !Number.isFinite(timeoutMs) || timeoutMs <= 0 || timeoutMs > maxTimeoutMs) {
    throw new TypeError(`${who}: timeoutMs must be a positive number of milliseconds, at most ${maxTimeoutMs}`);
  }
  const fetchImpl = options.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== "function") {
    throw new TypeError(`${who}: no fetch available (Node >= 18 or a browser), and none passed as options.fetch`);
  }
  const checked = checkHeaders(headers);
  if (typeof checked === "string") throw new TypeError(`${who}: headers: ${checked}`);
  return {
    baseUrl: (baseUrl.origin + baseUrl.pathname).replace(/\/+$/, ""),
    timeoutMs,
    // Called as a plain function: a browser's fetch must not be called as a method of another object.
    fetch: options.fetch ? options.fetch : (input, init) => globalThis.fetch(input, init),
    headers: checked,
  };
}

/**
 * `baseUrl` parsed with `new URL()`: absolute http(s), a host, no query or fragment, and no
 * credentials (user:password@ would ride along in logs and error messages; never echoed).
 */
function checkBaseUrl(value: unknown, who: string): URL {
  const wanted = `${who}: baseUrl must be an absolute http(s) URL, e.g. "https://guest-access.example"`;
  if (typeof value !== "string" || !/^https?:\/\//i.test(value)) throw new TypeError(wanted);
  const authority = value.slice(value.indexOf("//") + 2).split(/[/?#\\]/)[0] ?? "";
  if (authority.includes("@")) {
    throw new TypeError(`${who}: baseUrl must not carry credentials (user:password@); the SDK sends only the API key or token it is given`);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`${wanted}; this one is not a valid URL`);
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.hostname === "") throw new TypeError(wanted);
  if (url.username !== "" || url.password !== "") {
    throw new TypeError(`${who}: baseUrl must not carry credentials (user:password@); the SDK sends only the API key or token it is given`);
  }
  if (/[?#]/.test(value)) throw new TypeError(`${who}: baseUrl must not have a query or fragment`);
  return url;
}

/** The headers as pairs, or a sentence saying which one HTTP cannot carry (never echoing a value: it may be a secret). */
function checkHeaders(headers: unknown): Array<[string, string]> | string {
  const form = "must be an object of header names to values, an array of [name, value] pairs, or a Headers";
  if (headers === null || typeof headers !== "object") return form;
  const raw: Array<[unknown, unknown]> = [];
  if (Array.isArray(headers)) {
    for (const pair of headers as unknown[]) {
      if (!Array.isArray(pair) || pair.length !== 2) return form;
      raw.push([pair[0], pair[1]]);
    }
  } else if (typeof (headers as { forEach?: unknown }).forEach === "function") {
    // A Headers (or anything iterating (value, name) the same way).
    (headers as { forEach(callback: (value: unknown, name: unknown) => void): void }).forEach((value, name) => raw.push([name, value]));
  } else {
    raw.push(...Object.entries(headers as Record<string, unknown>));
  }
  // Within one set, a name given twice (any case) is joined with ", ", as new Headers() does.
  const byName = new Map<string, [string, string]>();
  for (const [name, value] of raw) {
    if (typeof name !== "string" || !tokenPattern.test(name)) {
      return `${typeof name === "string" ? `"${name.slice(0, 64)}"` : "a name that is no string"} is not a valid header name`;
    }
    if (typeof value !== "string" || !valuePattern.test(value)) {
      return `the value of ${name} is not a string HTTP can carry (line breaks and characters past U+00FF are not)`;
    }
    const key = name.toLowerCase();
    if (refusedHeaders.has(key)) {
      return `${name} cannot be set: the SDK sends no cookies, and the host is baseUrl's`;
    }
    if (ownHeaders.has(key)) continue;
    const previous = byName.get(key);
    byName.set(key, previous ? [previous[0], `${previous[1]}, ${value.trim()}`] : [name, value.trim()]);
  }
  return [...byName.values()];
}

function failure(error: GuestAccessError): { data: null; error: GuestAccessError } {
  return { data: null, error };
}

/** A call decided without sending anything (status 0). */
export function refuse<T>(code: "invalid_argument" | "not_found", message: string): Promise<Result<T>> {
  return Promise.resolve(failure({ code, message, status: 0 }));
}

/** The first of `values` (name → value) that is not a string, by name, for an invalid_argument message. */
export function notAString(values: Record<string, unknown>): string | undefined {
  for (const [name, value] of Object.entries(values)) if (typeof value !== "string") return `${name} must be a string.`;
  return undefined;
}

/** openapi.yaml's `OrderNumber`: 1–64 of A–Z a–z 0–9 _ -, starting with a letter or digit (so never a dot segment). */
export function isOrderNumber(value: unknown): value is string {
  return typeof value === "string" && /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(value);
}

export const orderNumberMessage =
  "orderNumber is not well-formed: 1 to 64 of A-Z, a-z, 0-9, _ and -, starting with a letter or digit.";

function clientError(code: "aborted" | "timeout" | "invalid_argument", message: string): GuestAccessError {
  return { code, message, status: 0 };
}

/** The most of an answer's body the SDK reads: the contract's answers are a few KiB. */
export const maxBodyBytes = 1_048_576;
const tooLarge: unique symbol = Symbol("too large");

/**
 * The body as text, or `tooLarge` once it passes `maxBodyBytes`: refused at once on a larger
 * Content-Length, otherwise read from the body stream counting bytes and cancelled past the cap.
 * Only an answer without a body stream (a custom fetch's) is read with text(). Every read races
 * `stopped`.
 */
async function readCapped(response: FetchResponse, stopped: Promise<never>): Promise<string | typeof tooLarge> {
  const declared = response.headers.get("content-length")?.trim();
  if (declared !== undefined && /^\d+$/.test(declared) && Number(declared) > maxBodyBytes) {
    discard(response);
    return tooLarge;
  }
  const stream = response.body;
  if (stream === null) return "";
  if (typeof stream !== "object" || typeof stream.getReader !== "function") {
    const text = await Promise.race([response.text(), stopped]);
    return text.length > maxBodyBytes ? tooLarge : text;
  }
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let text = "";
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), stopped]);
      if (done) break;
      if (!ArrayBuffer.isView(value)) throw new TypeError("the answer's body stream gave something other than bytes");
      size += value.byteLength;
      if (size > maxBodyBytes) {
        reader.cancel().catch(() => undefined);
        return tooLarge;
      }
      text += decoder.decode(value, { stream: true });
    }
  } catch (error) {
    reader.cancel().catch(() => undefined);
    throw error;
  }
  return text + decoder.decode();
}

/**
 * The exception behind a network_error, for logs: a copy keeping `name` and `code` (and, three
 * levels deep, `cause`), with the request URL (it holds a tracking token), the path and the
 * credential replaced by "<url>" in every message. The original, and its stack, are dropped.
 */
function scrubCause(cause: unknown, secrets: readonly string[], depth = 0): unknown {
  const sorted = secrets.filter((secret) => secret.length >= 4).sort((a, b) => b.length - a.length);
  const clean = (text: string): string => sorted.reduce((result, secret) => result.split(secret).join("<url>"), text);
  try {
    if (typeof cause === "string") return clean(cause);
    if (typeof cause !== "object" || cause === null) return cause;
    const source = cause as { name?: unknown; message?: unknown; code?: unknown; cause?: unknown };
    const copy = new Error(typeof source.message === "string" ? clean(source.message) : "") as Error & { code?: unknown; cause?: unknown };
    if (typeof source.name === "string") copy.name = clean(source.name);
    if (typeof source.code === "string" || typeof source.code === "number") copy.code = source.code;
    if (source.cause !== undefined && depth < 3) copy.cause = scrubCause(source.cause, secrets, depth + 1);
    return copy;
  } catch {
    return undefined;
  }
}

/** Cancels an answer's body that will not be read (best effort: a custom fetch's answer may have no stream). */
function discard(response: FetchResponse): void {
  try {
    const cancelled: unknown = response.body?.cancel?.();
    if (cancelled instanceof Promise) cancelled.catch(() => undefined);
  } catch {
    // nothing to cancel
  }
}

/** Whether this runtime's Request has a `credentials` field (browsers, Node, Deno, Bun; not workerd before 2024-11-11's compatibility date). */
function requestHasCredentials(): boolean {
  const request: unknown = (globalThis as { Request?: unknown }).Request;
  const prototype: unknown = typeof request === "function" ? (request as { prototype?: unknown }).prototype : undefined;
  return typeof prototype === "object" && prototype !== null && "credentials" in prototype;
}

/** The most `retryAfter` says: a day. A longer wait is a misconfigured proxy, not advice. */
export const maxRetryAfterSeconds = 86_400;

/** Whole seconds from a `Retry-After` value (delay-seconds or an HTTP date), clamped to 0…86400. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  let seconds: number;
  if (/^\d+$/.test(text)) {
    seconds = Number(text);
  } else {
    // HTTP dates (IMF-fixdate, RFC 850, asctime) all start with a day name; Date.parse alone
    // would read "1.5" as a date in 2001.
    if (!/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)/i.test(text)) return undefined;
    const date = Date.parse(text);
    if (Number.isNaN(date)) return undefined;
    seconds = Math.ceil((date - now) / 1000);
  }
  return Math.min(maxRetryAfterSeconds, Math.max(0, seconds));
}

/** Keys dropped from every answer: JSON.parse keeps "__proto__" as an own key, which a later merge (spread, Object.assign, a deep-merge helper) could turn into prototype pollution. */
const unsafeKeys: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

function parseJSON(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text, (key, value: unknown) => (unsafeKeys.has(key) ? undefined : value)) as unknown;
  } catch {
    return undefined;
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Performs one call; never rejects. */
export async function perform<T>(transport: Transport, spec: CallSpec<T>, options?: CallOptions): Promise<Result<T>> {
  const signal = options?.signal;
  if (signal?.aborted) return failure(clientError("aborted", "The call was aborted before it was sent."));

  const extra = options?.headers === undefined ? [] : checkHeaders(options.headers);
  if (typeof extra === "string") return failure(clientError("invalid_argument", `headers: ${extra}`));
  const headers: Record<string, string> = {};
  const names = new Map<string, string>();
  for (const [name, value] of [...transport.headers, ...extra]) {
    const key = name.toLowerCase();
    const previous = names.get(key);
    if (previous !== undefined) delete headers[previous];
    names.set(key, name);
    headers[name] = value;
  }
  headers["Accept"] = "application/json";
  if (spec.bearer !== undefined) {
    if (typeof spec.bearer !== "string" || !/^[\x21-\x7e]*$/.test(spec.bearer)) {
      return failure(clientError("invalid_argument", "The token or key has characters an Authorization header cannot carry."));
    }
    if (spec.bearer !== "") headers["Authorization"] = `Bearer ${spec.bearer}`;
  }
  let body: string | undefined;
  if (spec.body !== undefined) {
    headers["Content-Type"] = "application/json";
    try {
      body = JSON.stringify(spec.body);
    } catch {
      // A BigInt or a cycle (a JavaScript caller's argument): refused, never a rejected promise.
      return failure(clientError("invalid_argument", "The request body cannot be written as JSON."));
    }
  }

  const controller = new AbortController();
  let stoppedBy: "timeout" | "aborted" | undefined;
  // Rejects when the call is stopped. The fetch and the body reads race it, so a custom fetch (or
  // body) that ignores the signal cannot hold the call past its timeout or the caller's abort.
  let stop: () => void = () => undefined;
  const stopped = new Promise<never>((_, reject) => {
    stop = () => reject(new Error("stopped"));
  });
  stopped.catch(() => undefined);
  const halt = (by: "timeout" | "aborted"): void => {
    stoppedBy ??= by;
    controller.abort();
    stop();
  };
  const onAbort = (): void => halt("aborted");
  signal?.addEventListener("abort", onAbort, { once: true });
  const timer = setTimeout(() => halt("timeout"), transport.timeoutMs);

  const init: FetchInit = {
    method: spec.method,
    headers,
    signal: controller.signal,
    // Never follow a redirect (it could carry the Authorization header elsewhere). "manual", not
    // "error": Cloudflare Workers (workerd) refuse "error"; the 3xx is refused below.
    redirect: "manual",
  };
  // Tokens travel in Authorization, never in cookies. workerd (older compatibility dates) throws on
  // a `credentials` field, and has no cookies to send: set it only where Request knows it.
  if (requestHasCredentials()) init.credentials = "omit";
  if (body !== undefined) init.body = body;

  const url = transport.baseUrl + spec.path;
  let status: number;
  let responseHeaders: FetchResponse["headers"];
  let text: string;
  let redirected = false;
  let oversized = false;
  let pending: Promise<FetchResponse> | undefined;
  try {
    pending = Promise.resolve(transport.fetch(url, init));
    const response = await Promise.race([pending, stopped]);
    status = response.status;
    responseHeaders = response.headers;
    redirected = response.type === "opaqueredirect" || status === 0 || (status >= 300 && status < 400);
    if (redirected) {
      text = "";
      discard(response);
    } else {
      const read = await readCapped(response, stopped);
      if (read === tooLarge) {
        text = "";
        oversized = true;
      } else {
        text = read;
      }
    }
  } catch (cause) {
    // A fetch that ignored the signal may still answer: drop that answer's body.
    if (stoppedBy !== undefined) pending?.then(discard, () => undefined);
    if (stoppedBy === "timeout") {
      return failure(clientError("timeout", `No answer from guest-access within ${transport.timeoutMs} ms.`));
    }
    if (stoppedBy === "aborted" || signal?.aborted) return failure(clientError("aborted", "The call was aborted."));
    const secrets = [url, spec.path, ...(spec.secrets ?? []), ...(spec.bearer ? [spec.bearer] : [])];
    return failure({ code: "network_error", message: "guest-access could not be reached.", status: 0, cause: scrubCause(cause, secrets) });
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  }

  const requestId = responseHeaders.get("x-request-id") ?? undefined;
  if (redirected) {
    // A 3xx (Node, Deno, Bun, workerd) or a browser's opaque redirect (status 0): never followed.
    const error: GuestAccessError = {
      code: "unexpected_response",
      message: `guest-access answered with a redirect (HTTP ${status}), which the SDK never follows; check baseUrl.`,
      status,
    };
    if (requestId !== undefined) error.requestId = requestId;
    return failure(error);
  }
  if (oversized) {
    const error: GuestAccessError = {
      code: "unexpected_response",
      message: `guest-access answered HTTP ${status} with a body over ${maxBodyBytes} bytes; the SDK read no further.`,
      status,
    };
    if (requestId !== undefined) error.requestId = requestId;
    return failure(error);
  }
  const parsed = parseJSON(text);
  if (status >= 200 && status < 300) {
    // Only the contract's own status is success: a proxy or captive portal answering 200 to a
    // sign-out (or anything to anything) must not look like the service's answer.
    const data = status === spec.success ? spec.accept(status === 204 ? null : parsed) : undefined;
    if (data !== undefined) return { data, error: null };
    if (spec.onRejected) {
      try {
        await spec.onRejected(parsed);
      } catch {
        // best effort
      }
    }
    const error: GuestAccessError = {
      code: "unexpected_response",
      message:
        status === spec.success
          ? `guest-access answered HTTP ${status} with a body the contract does not describe.`
          : `guest-access answered HTTP ${status}; the contract answers this call with ${spec.success}.`,
      status,
    };
    if (requestId !== undefined) error.requestId = requestId;
    return failure(error);
  }

  const envelope = isObject(parsed) && isObject(parsed["error"]) ? parsed["error"] : undefined;
  const sent = envelope?.["code"];
  const sentMessage = envelope?.["message"];
  const error: GuestAccessError = {
    code: isServiceErrorCode(sent) ? sent : codeForStatus(status),
    message: typeof sentMessage === "string" ? sentMessage : `guest-access answered HTTP ${status}.`,
    status,
  };
  const retryAfter = parseRetryAfter(responseHeaders.get("retry-after"));
  if (retryAfter !== undefined) error.retryAfter = retryAfter;
  if (requestId !== undefined) error.requestId = requestId;
  return failure(error);
}

/** What a required field must be: a JSON type, or a check of its own. */
export type FieldCheck = "string" | "number" | "object" | "array" | ((value: unknown) => boolean);

/** `accept` helpers: light shape checks, enough to tell the contract's answer from a stray page. */
export const shapes = {
  object<T>(required: ReadonlyArray<readonly [string, FieldCheck]>) {
    return (body: unknown): T | undefined => {
      if (!isObject(body)) return undefined;
      for (const [key, check] of required) {
        const value = body[key];
        const ok =
          typeof check === "function"
            ? check(value)
            : check === "object"
              ? isObject(value)
              : check === "array"
                ? Array.isArray(value)
                : typeof value === check;
        if (!ok) return undefined;
      }
      return body as T;
    };
  },
  /** Calls whose success is a bare 204 (`success: 204`): `data: null`. */
  empty(): null {
    return null;
  },
};
