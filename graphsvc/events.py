"""Wake-ups for live subscriptions: a write tells the hub, subscribers wake and read what
changed from the store's audit log (where other processes' writes appear too: they are
found by the periodic poll).

Examples
--------
>>> import asyncio
>>> async def demo() -> bool:
...     hub = EventHub(poll_seconds=5)
...     waiting = asyncio.ensure_future(hub.wait())
...     await asyncio.sleep(0)
...     hub.notify()
...     return await waiting
>>> asyncio.run(demo())
True
"""

from __future__ import annotations

import asyncio

__all__ = ["EventHub"]


class EventHub:
    """Subscribers `await wait()`; writers `notify()` (both on the event loop's thread)."""

    def __init__(self, poll_seconds: float = 1.0) -> None:
        self.poll_seconds = poll_seconds
        self._event: asyncio.Event | None = None

    def notify(self) -> None:
        """Wake every waiting subscriber."""
        if self._event is not None:
            self._event.set()
            self._event = None

    async def wait(self) -> bool:
        """Until the next `notify()` (True) or the poll interval passes (False)."""
        if self._event is None:
            self._event = asyncio.Event()
        event = self._event
        try:
            async with asyncio.timeout(self.poll_seconds):
                await event.wait()
        except TimeoutError:
            return False
        return True
