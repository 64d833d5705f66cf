"""A Redis cache that a Redis outage cannot take the site down with."""

import logging
import threading
import time

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import OutOfMemoryError
from redis.exceptions import TimeoutError as RedisTimeoutError

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

OUTAGE = (RedisConnectionError, RedisTimeoutError)
# After a failure, Redis is not asked again for this long: requests meanwhile see a miss at
# once instead of each waiting for a socket timeout.
RETRY_AFTER = 5.0
# An outage is logged at most once per this many seconds (per process), not once per request.
LOG_INTERVAL = 60.0

_UNAVAILABLE = object()
_lock = threading.Lock()
_state = {"down_until": 0.0, "logged_at": None, "full_logged_at": None}


class ResilientRedisCache(RedisCache):
    """Django's Redis cache, where an unreachable Redis behaves as an empty cache: reads miss,
    writes are dropped, and the failure is logged once per `LOG_INTERVAL`. Pages then come
    from the database, as on a cold cache. A Redis full to its `maxmemory` that refuses writes
    (`maxmemory-policy noeviction`, Redis's default) drops them the same way, and is still
    read. (Cache instances are per thread; the outage state is shared by the whole process.)"""

    def _call(self, method, miss, *args, **kwargs):
        now = time.monotonic()
        if now < _state["down_until"]:
            return miss
        try:
            return method(*args, **kwargs)
        except OUTAGE as error:
            with _lock:
                _state["down_until"] = now + RETRY_AFTER
            _log_now_and_then("logged_at", now, "cache unavailable, serving without it", error)
            return miss
        except OutOfMemoryError as error:
            message = "cache full, not storing (README: maxmemory-policy allkeys-lru)"
            _log_now_and_then("full_logged_at", now, message, error)
            return miss

    def get(self, key, default=None, version=None):
        return self._call(super().get, default, key, default, version)

    def get_many(self, keys, version=None):
        return self._call(super().get_many, {}, keys, version)

    def has_key(self, key, version=None):
        return self._call(super().has_key, False, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().add, False, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().set, None, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().set_many, list(data), data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().touch, False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call(super().delete, False, key, version)

    def delete_many(self, keys, version=None):
        return self._call(super().delete_many, None, keys, version)

    def incr(self, key, delta=1, version=None):
        # As for a key that is not there: callers of incr() already handle that ValueError.
        result = self._call(super().incr, _UNAVAILABLE, key, delta, version)
        if result is _UNAVAILABLE:
            raise ValueError(f"Key '{key}' not found (cache unavailable).")
        return result

    def clear(self):
        return self._call(super().clear, False)


def _log_now_and_then(last: str, now: float, message: str, error: Exception) -> None:
    """Log `message` and `error` unless it was logged less than `LOG_INTERVAL` ago (when
    `_state[last]` says)."""
    with _lock:
        logged_at = _state[last]
        if logged_at is not None and now - logged_at < LOG_INTERVAL:
            return
        _state[last] = now
    logger.error("%s: %s: %s", message, type(error).__name__, error)
