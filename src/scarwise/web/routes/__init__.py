"""The app's routers, one module per area: ``api`` (JSON under ``/api/v1``) and the pages
(``pages``: home, learn and plan; ``assess``: the wizard; ``analysis``: photos; ``people``:
progress). A router reaches the app's context through ``scarwise.web.context``, never by
importing the app.
"""

from scarwise.web.routes import analysis, api, assess, pages, people

__all__ = ["analysis", "api", "assess", "pages", "people"]
