"""Where the reference package finds its typed data and where the seeds are written."""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"
REPO_ROOT = PACKAGE_DIR.parents[1]
SEEDS_DIR = REPO_ROOT / "dbt" / "seeds" / "reference"
