"""Set-up work done on first use instead of at start-up.

Importing the plugins' page and API modules, compiling their routes and writing the
OpenAPI document is most of what building the application costs; a command such as
``rathaus tenants show`` needs none of it. :class:`RathausFlask` therefore finishes its
web part when something first needs it: the routing (every request, ``url_for``,
``test_request_context``), the registered blueprints (also their template folders)
or the view functions.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from flask import Flask


class DeferredSetup:
    """Steps run once, in order, on the first :meth:`run` — from any thread.

    A second thread calling :meth:`run` meanwhile waits until every step has finished;
    a step that reaches :meth:`run` again (re-entry) returns at once. A step that raises
    drops the remaining steps and passes the error on.
    """

    def __init__(self) -> None:
        self._steps: list[Callable[[], None]] = []
        self._lock = threading.RLock()
        self._running = False

    @property
    def pending(self) -> bool:
        """Whether there are steps still to run."""
        return bool(self._steps)

    def add(self, step: Callable[[], None]) -> None:
        """Queue a step."""
        self._steps.append(step)

    def run(self) -> None:
        """Run the queued steps unless done or already running in this thread."""
        if not self._steps:
            return
        with self._lock:
            if self._running:
                return
            self._running = True
            try:
                while self._steps:
                    self._steps[0]()
                    # Removed only once done: other threads keep waiting meanwhile.
                    self._steps.pop(0)
            except BaseException:
                self._steps.clear()
                raise
            finally:
                self._running = False


def _finishing(name: str) -> property:
    """An attribute of the app whose reading first finishes the deferred setup."""
    private = f"_deferred_{name}"

    def get(self: RathausFlask) -> Any:
        web = self.__dict__.get("web_setup")
        if web is not None and web.pending:
            web.run()
        return self.__dict__[private]

    def set(self: RathausFlask, value: Any) -> None:
        self.__dict__[private] = value

    return property(get, set, doc=f"Flask's ``{name}``, complete with the deferred setup.")


class RathausFlask(Flask):
    """Flask, with the pages and the API set up on first use (see the module doc)."""

    url_map = _finishing("url_map")
    blueprints = _finishing("blueprints")
    view_functions = _finishing("view_functions")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: What :func:`core.create_app` left for first use; ``finish_setup()`` runs it.
        self.web_setup = DeferredSetup()

    def finish_setup(self) -> None:
        """Run the deferred setup now (a server before it takes requests; tests)."""
        self.web_setup.run()
