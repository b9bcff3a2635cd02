"""A batch's judge slots: at most N calls in flight, and work after a call that lets freed slots go first.

Answers with a similar latency arrive together. If each answer were checked (and the next transcript
tagged) as it came, every new call would wait behind all of that work, and the slots would stand
empty for a good part of each wave (``bench/batch_grade.py``). So the work after a call waits until
each freed slot has been taken again by a call that was waiting for one.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class JudgeSlots:
    """At most ``size`` judge calls at once, shared by the transcripts of a batch."""

    def __init__(self, size: int) -> None:
        self.size = max(1, size)
        self._free = asyncio.Semaphore(self.size)
        self._in_flight = 0
        self._waiting = 0
        self._settled = asyncio.Event()
        self._settled.set()

    @asynccontextmanager
    async def call(self) -> AsyncIterator[None]:
        """Hold a slot while the body (one model call) runs."""
        self._waiting += 1
        try:
            await self._free.acquire()
        except BaseException:  # cancelled while queued
            self._waiting -= 1
            self._update()
            raise
        self._waiting -= 1
        self._in_flight += 1
        self._update()
        try:
            yield
        finally:
            self._in_flight -= 1
            self._free.release()
            self._update()

    async def handed_over(self) -> None:
        """Return once no freed slot is left waiting for a call that is queued for one."""
        await self._settled.wait()

    def _update(self) -> None:
        if self._waiting == 0 or self._in_flight == self.size:
            self._settled.set()
        else:
            self._settled.clear()
