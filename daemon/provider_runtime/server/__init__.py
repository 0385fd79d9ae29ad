"""The stdio JSON-RPC daemon: framing, dispatch, one handler per method; see protocol.md §8.

Only this package turns runtime errors into JSON-RPC errors.
"""

from .daemon import ServeOptions, run_server, serve
from .framing import DEFAULT_MAX_MESSAGE_BYTES, Framing

__all__ = ["DEFAULT_MAX_MESSAGE_BYTES", "Framing", "ServeOptions", "run_server", "serve"]
