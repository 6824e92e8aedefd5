// A server-side TypeScript consumer without the DOM lib and without @types/node
// (lib ES2022, types []): the published .d.ts must not need either. It brings
// its own fetch, typed with the SDK's structural types.
import {
  createAdminClient,
  createClient,
  type AbortSignalLike,
  type FetchFunction,
  type FetchInit,
  type FetchResponse,
  type GuestAccessError,
  type OrderDetail,
} from "@guest-access/client";

declare const platformFetch: (url: string, init: FetchInit) => Promise<FetchResponse>;
declare const signal: AbortSignalLike;

const fetch: FetchFunction = async (url, init) => {
  const method: string = init.method;
  const headers: Record<string, string> = init.headers;
  const body: string | undefined = init.body;
  void method;
  void headers;
  void body;
  return platformFetch(url, init);
};

const client = createClient({ baseUrl: "https://guest-access.example", fetch, headers: [["User-Agent", "shop/1"]] });
const admin = createAdminClient({ baseUrl: "https://guest-access.example", apiKey: "k", fetch });

export async function lookup(orderNumber: string, email: string, code: string): Promise<OrderDetail | GuestAccessError> {
  const { data, error } = await client.orders.verifyAccessCode(orderNumber, email, code, { signal, headers: { "X-Forwarded-For": "203.0.113.7" } });
  if (error) return error;
  await admin.orders.revoke(orderNumber);
  return data.order;
}

// @ts-expect-error a fetch that resolves to something else does not fit
createClient({ baseUrl: "https://guest-access.example", fetch: async (url: string) => url });
