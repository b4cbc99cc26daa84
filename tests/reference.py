"""Where the public reference data sets (GV100AD, GeoNames postcodes) are.

They are inputs, not part of the repository: ``RATHAUS_SHARED_DATA`` names their
folder (CI sets it), else the first ``shared/data`` folder above the checkout.
"""

from __future__ import annotations

import os
from pathlib import Path


def shared_data_dir() -> Path | None:
    """The folder holding the reference data, or None when it is not available."""
    configured = os.environ.get("RATHAUS_SHARED_DATA")
    if configured:
        return Path(configured)
    for folder in Path(__file__).resolve().parents:
        if (folder / "shared" / "data").is_dir():
            return folder / "shared" / "data"
    return None


def shared_file(name: str) -> Path | None:
    """A file of the reference data, or None when it is not available."""
    folder = shared_data_dir()
    return folder / name if folder is not None and (folder / name).is_file() else None
