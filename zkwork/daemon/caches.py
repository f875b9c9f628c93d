"""The daemon's caches: values parsed from files (zkeys), reused while the file is the same
one, least recently used first out, bounded in count and in bytes (a value counts as its file's
size plus what it built beside it and says in `extra_bytes`, e.g. a zkey's fixed-base tables)."""
import os
from collections import OrderedDict

DEFAULT_MAX_ENTRIES = 4
DEFAULT_MAX_BYTES = 1 << 30  # a parsed zkey holds about its file's size in arrays (3.05 MB for d20's 3.06)


def file_identity(path):
    """(realpath, st_dev, st_ino, size, mtime_ns) of `path`: a file replaced, rewritten or
    touched gets another identity, so its cached value is not reused."""
    st = os.stat(path)
    return os.path.realpath(path), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


class FileCache:
    """An LRU of load(path) values keyed by file_identity, each counted as its file's size plus
    its `extra_bytes` (if it has that attribute) at the time the bound is checked."""

    def __init__(self, max_entries=DEFAULT_MAX_ENTRIES, max_bytes=DEFAULT_MAX_BYTES):
        """At most `max_entries` values, whose files add up to at most `max_bytes`."""
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._entries = OrderedDict()
        self.hits = self.misses = 0

    def get(self, path, load):
        """load(path), or the value it returned for the same file before. The load's errors
        pass as they are, and a file that cannot be stat'ed is just loaded (to fail as it would)."""
        try:
            key = file_identity(path)
        except OSError:
            return load(path)
        if key in self._entries:
            self.hits += 1
            self._entries.move_to_end(key)
            return self._entries[key]
        self.misses += 1
        value = load(path)
        try:
            unchanged = file_identity(path) == key
        except OSError:
            unchanged = False
        if unchanged and key[3] <= self.max_bytes:  # a file rewritten while it was read is not kept
            self._entries[key] = value
            while len(self._entries) > self.max_entries or self.bytes() > self.max_bytes:
                self._entries.popitem(last=False)
        return value

    def bytes(self):
        """The sizes of the cached values' files and their extra_bytes, added up."""
        return sum(key[3] + getattr(value, "extra_bytes", 0) for key, value in self._entries.items())

    def describe(self):
        """{entries, bytes, hits, misses, files}, for `zkwork daemon status`."""
        return {"entries": len(self._entries), "bytes": self.bytes(), "hits": self.hits, "misses": self.misses,
                "files": [key[0] for key in self._entries]}
