"""errors.py: the exceptions ludus raises. Every negative code of the C
library becomes one subclass of ludus.Error carrying the library's message,
and each also derives from the built-in exception a Python user would
expect (ValueError for a bad argument, KeyError for an unknown id, ...), so
`except ValueError` works without knowing ludus.
"""

LUDUS_EINVAL = -1
LUDUS_ENOMEM = -2
LUDUS_ENOTFOUND = -3
LUDUS_EIO = -4
LUDUS_EFORMAT = -5
LUDUS_ESTATE = -6
LUDUS_EUNSUPPORTED = -7
LUDUS_EINTERNAL = -8


class Error(Exception):
    """Base of every ludus error. `code` is the C library's negative code
    (None for errors raised by the Python layer alone); `message` the text."""

    def __init__(self, message, code=None):
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self):
        # KeyError would repr() its argument; a message reads better plain.
        return self.message


class InvalidArgumentError(Error, ValueError):
    """A bad argument: a bad action, seed, option or buffer (LUDUS_EINVAL)."""


class FormatError(Error, ValueError):
    """Malformed input that does not parse (LUDUS_EFORMAT)."""


class NotFoundError(Error, KeyError):
    """A named thing does not exist: an unknown world id (LUDUS_ENOTFOUND)."""


class StateError(Error, RuntimeError):
    """An object used in the wrong state: stepping before reset, or after
    close (LUDUS_ESTATE)."""


class UnsupportedError(Error, NotImplementedError):
    """This world or build does not offer that, e.g. frames (LUDUS_EUNSUPPORTED)."""


class OutOfMemoryError(Error, MemoryError):
    """An allocation in the library failed (LUDUS_ENOMEM)."""


class LudusIOError(Error, OSError):
    """Reading or writing a file failed (LUDUS_EIO)."""


class InternalError(Error, RuntimeError):
    """A broken invariant inside the library: a bug, please report it
    (LUDUS_EINTERNAL)."""


_BY_CODE = {
    LUDUS_EINVAL: InvalidArgumentError,
    LUDUS_ENOMEM: OutOfMemoryError,
    LUDUS_ENOTFOUND: NotFoundError,
    LUDUS_EIO: LudusIOError,
    LUDUS_EFORMAT: FormatError,
    LUDUS_ESTATE: StateError,
    LUDUS_EUNSUPPORTED: UnsupportedError,
    LUDUS_EINTERNAL: InternalError,
}


def from_code(code, message):
    """The exception for a negative C return code and its message."""
    cls = _BY_CODE.get(code, Error)
    return cls(message or "ludus error %d" % code, code)
