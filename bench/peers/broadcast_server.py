"""The bare peer of item 6: a `websockets` server that relays each message to every other client.

Nothing else: no authentication, no database, no feed position — what a practitioner would start
from for live updates. `python -m bench.peers.broadcast_server PORT` prints « ready » once it listens.
"""

from __future__ import annotations

import asyncio
import sys

from websockets.asyncio.server import ServerConnection, broadcast, serve

CLIENTS: set[ServerConnection] = set()


async def relay(websocket: ServerConnection) -> None:
    CLIENTS.add(websocket)
    try:
        async for message in websocket:
            broadcast([c for c in CLIENTS if c is not websocket], message)
    finally:
        CLIENTS.discard(websocket)


async def main(port: int) -> None:
    async with serve(relay, "127.0.0.1", port, backlog=1024) as server:
        print("ready", flush=True)
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
