"""Changes to calendars and what runs them: one path for every edit (file and store together), the
session, plans, hand edits of items and blackouts, the claim journal, dispatch, check, the views."""

from calcli.core import lazy

__getattr__, __dir__ = lazy.submodules(__name__, __path__)
