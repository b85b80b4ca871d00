"""Platform-agnostic commands. Importing this package registers every command on the router's registry.

The import order below is the order /help lists the commands in.
"""

# isort: off
from handlers import log  # noqa: F401
from handlers import update  # noqa: F401
from handlers import show  # noqa: F401
from handlers import delete  # noqa: F401
from handlers import restore  # noqa: F401
from handlers import history  # noqa: F401
from handlers import list  # noqa: F401
from handlers import talks  # noqa: F401
from handlers import plan  # noqa: F401
from handlers import checklist  # noqa: F401
from handlers import followup  # noqa: F401
from handlers import export  # noqa: F401
from handlers import stats  # noqa: F401
from handlers import report  # noqa: F401
from handlers import digest  # noqa: F401
from handlers import goal  # noqa: F401
from handlers import funnel  # noqa: F401
from handlers import feedback  # noqa: F401
from handlers import poll  # noqa: F401
from handlers import vote  # noqa: F401
from handlers import survey  # noqa: F401
from handlers import community  # noqa: F401
from handlers import ask  # noqa: F401
from handlers import attendance  # noqa: F401
from handlers import member  # noqa: F401
from handlers import forget  # noqa: F401
from handlers import settings  # noqa: F401
from handlers import connect  # noqa: F401
from handlers import team  # noqa: F401
from handlers import admin  # noqa: F401
from handlers import help  # noqa: F401

# isort: on
from handlers.router import Registry, Request, Router, parse_command_line, registry

__all__ = ["Registry", "Request", "Router", "parse_command_line", "registry"]
