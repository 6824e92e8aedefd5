#!/usr/bin/env python3
"""A TCP relay for tests: listens on loopback and forwards every connection to
--target HOST:PORT, so a test can cut a server off from the service and bring
it back without touching the server.

  --control FILE holding "cut"   close every relayed connection, and close new ones at once
  --control FILE holding "open"  relay again

(A file polled every 20 ms, not a signal: a test runner's threads may block
signals, and a spawned child inherits that mask.)

Writes the port it listens on to --port-file; appends one JSON line per
state change to --out. Standard library only.
"""
import argparse
import asyncio
import json


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", required=True)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--control", required=True)
    args = parser.parse_args()
    host, port = args.target.rsplit(":", 1)
    state = {"cut": False}
    live: set[asyncio.StreamWriter] = set()

    def record(event: str) -> None:
        with open(args.out, "a") as out:
            out.write(json.dumps({"event": event}) + "\n")

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def handle(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        if state["cut"]:
            client_writer.close()
            return
        try:
            server_reader, server_writer = await asyncio.open_connection(host, int(port))
        except OSError:
            client_writer.close()
            return
        live.update({client_writer, server_writer})
        await asyncio.gather(pipe(client_reader, server_writer), pipe(server_reader, client_writer))
        live.difference_update({client_writer, server_writer})

    def cut() -> None:
        state["cut"] = True
        for writer in list(live):
            writer.close()
        live.clear()
        record("cut")

    def restore() -> None:
        state["cut"] = False
        record("restored")

    async def watch() -> None:
        while True:
            try:
                with open(args.control) as control:
                    wanted = control.read().strip()
            except OSError:
                wanted = "open"
            if wanted == "cut" and not state["cut"]:
                cut()
            elif wanted == "open" and state["cut"]:
                restore()
            await asyncio.sleep(0.02)

    watcher = asyncio.create_task(watch())
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    with open(args.port_file, "w") as out:
        out.write(str(server.sockets[0].getsockname()[1]))
    async with server:
        await server.serve_forever()
    watcher.cancel()


if __name__ == "__main__":
    asyncio.run(main())
