// Small local HTTP peers for the tests: a port nobody listens on, a server
// that accepts requests and never answers, and a storefront order provider
// (GET /orders/{orderNumber}) that can be switched between up and failing.
import { createServer } from "node:http";
import { once } from "node:events";

/** A loopback port that was free a moment ago and is now closed. */
export async function closedPort() {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address();
  server.close();
  await once(server, "close");
  return port;
}

/** A server that reads requests and never answers; `close()` drops the hung connections. */
export async function silentServer() {
  const sockets = new Set();
  let requests = 0;
  const server = createServer(() => {
    requests += 1;
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    get requests() {
      return requests;
    },
    openConnections: () => sockets.size,
    async close() {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, "close");
    },
  };
}

/** A server answering every request with `handler(req) → { status, headers, body }`. */
export async function scriptedServer(handler) {
  const server = createServer((req, res) => {
    const { status, headers = {}, body = "" } = handler(req);
    res.writeHead(status, headers);
    res.end(body);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    async close() {
      server.closeAllConnections?.();
      server.close();
      await once(server, "close");
    },
  };
}

/**
 * The storefront's order-detail provider the service calls:
 * `GET /orders/{orderNumber}` → 200 OrderDetail or 404. `mode` "up" serves
 * `orders`; "failing" answers 500 to everything; `close()` makes it unreachable.
 */
export async function orderProvider(orders) {
  const byNumber = new Map(orders.map((o) => [o.orderNumber, o]));
  const state = { mode: "up", calls: 0 };
  const server = createServer((req, res) => {
    state.calls += 1;
    if (state.mode === "failing") {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end("storefront down");
      return;
    }
    const match = /^\/orders\/([^/?]+)$/.exec(req.url ?? "");
    const order = match ? byNumber.get(decodeURIComponent(match[1])) : undefined;
    if (req.method === "HEAD" || req.url === "/") {
      res.writeHead(200);
      res.end();
    } else if (order) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(order));
    } else {
      res.writeHead(404, { "content-type": "application/json" });
      res.end("{}");
    }
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    state,
    async close() {
      server.closeAllConnections?.();
      server.close();
      await once(server, "close");
    },
  };
}
