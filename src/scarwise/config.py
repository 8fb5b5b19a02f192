"""Settings: where the data lives, which store to use, and the limits on untrusted input.

Read from ``SCARWISE_*`` environment variables; never a module-global singleton: callers build a
:class:`Settings` and pass it on.
"""

from __future__ import annotations

from pathlib import Path

import platformdirs
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings"]


def _default_data_dir() -> Path:
    # platformdirs follows XDG_DATA_HOME on Linux, as contracts/cli.md asks.
    return Path(platformdirs.user_data_dir("scarwise", appauthor=False))


class Settings(BaseSettings):
    """Runtime settings (environment prefix ``SCARWISE_``)."""

    model_config = SettingsConfigDict(env_prefix="SCARWISE_", extra="ignore", frozen=True)

    data_dir: Path = Field(default_factory=_default_data_dir)
    database_url: str | None = None
    max_upload_bytes: int = 50 * 1024 * 1024
    max_image_pixels: int = 64_000_000
    #: Pixels of all photos of one web analysis together (the 3-D analysis takes up to 16; about
    #: 9 bytes of memory each): eight 12-megapixel photos.
    max_analysis_pixels: int = 96_000_000

    @property
    def store_url(self) -> str:
        """The SQLAlchemy URL of the store: ``database_url`` or the SQLite file in ``data_dir``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'scarwise.db'}"

    @property
    def web_secret_file(self) -> Path:
        """The web app's secret (signs CSRF tokens), an owner-only file in the data dir."""
        return self.data_dir / "web-secret"

    @property
    def photo_dir(self) -> Path:
        """Where stripped, re-encoded photos are kept, beside the SQLite database."""
        return self.data_dir / "photos"
