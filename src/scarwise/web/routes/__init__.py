"""The app's routers, one module per area: ``api`` (JSON under ``/api/v1``) and the pages
(``pages``: home, learn and plan; ``assess``: the wizard; ``analysis``: photos; ``people``:
progress; ``records``: one record's page, downloads and deleting one record). A router reaches
the app's context through ``scarwise.web.context``, never by importing the app.
"""

from scarwise.web.routes import analysis, api, assess, pages, people, records

__all__ = ["analysis", "api", "assess", "pages", "people", "records"]
