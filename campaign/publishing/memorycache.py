"""The in-process page store: bounded in bytes, not only in entries.

Flask-Caching's SimpleCache counts entries only, and a public page can weigh
hundreds of kilobytes, so 2,000 entries could hold far more memory than a
worker has. This store keeps the most recently used pages within
CACHE_MAX_BYTES (what it stores: the pickled value and its key) and
CACHE_THRESHOLD entries, dropping the least recently used first, and never
keeps a value larger than the whole bound. It is the default CACHE_TYPE;
RedisCache, for several workers, is bounded by Redis itself (README).
"""

import pickle
import threading
import time
from collections import OrderedDict

from flask_caching.backends.base import BaseCache

# What a kept entry costs beyond its key and value: the tuple, the dict slot, the ints.
ENTRY_OVERHEAD_BYTES = 200


class BoundedMemoryCache(BaseCache):
    def __init__(self, max_bytes: int, threshold: int, default_timeout: int = 300):
        super().__init__(default_timeout=default_timeout)
        self.max_bytes = max_bytes
        self.threshold = threshold
        self.size_in_bytes = 0
        self._entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._lock = threading.RLock()

    @classmethod
    def factory(cls, app, config, args, kwargs):
        return cls(
            max_bytes=config["CACHE_MAX_BYTES"],
            threshold=config["CACHE_THRESHOLD"],
            default_timeout=config["CACHE_DEFAULT_TIMEOUT"],
        )

    def __len__(self) -> int:
        return len(self._entries)

    @staticmethod
    def _cost(key: str, data: bytes) -> int:
        return len(key.encode()) + len(data) + ENTRY_OVERHEAD_BYTES

    def _drop(self, key: str) -> bool:
        entry = self._entries.pop(key, None)
        if entry is None:
            return False
        self.size_in_bytes -= self._cost(key, entry[1])
        return True

    def _live(self, key: str) -> bytes | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires, data = entry
        if expires and expires <= time.monotonic():
            self._drop(key)
            return None
        return data

    def get(self, key: str):
        with self._lock:
            data = self._live(key)
            if data is None:
                return None
            self._entries.move_to_end(key)  # recently used: kept longest
            return pickle.loads(data)  # noqa: S301 - only this process wrote it

    def has(self, key: str) -> bool:
        with self._lock:
            return self._live(key) is not None

    def set(self, key: str, value, timeout: int | None = None) -> bool:
        data = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
        cost = self._cost(key, data)
        timeout = self._normalize_timeout(timeout)
        expires = time.monotonic() + timeout if timeout else 0
        with self._lock:
            self._drop(key)
            if cost > self.max_bytes:
                return False  # larger than the whole bound: never kept
            while self._entries and (
                self.size_in_bytes + cost > self.max_bytes or len(self._entries) >= self.threshold
            ):
                self._drop(next(iter(self._entries)))  # the least recently used
            self._entries[key] = (expires, data)
            self.size_in_bytes += cost
            return True

    def add(self, key: str, value, timeout: int | None = None) -> bool:
        with self._lock:
            if self._live(key) is not None:
                return False
            return self.set(key, value, timeout)

    def delete(self, key: str) -> bool:
        with self._lock:
            return self._drop(key)

    def clear(self) -> bool:
        with self._lock:
            self._entries.clear()
            self.size_in_bytes = 0
            return True
