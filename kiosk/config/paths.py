"""Where the kiosk keeps its files and looks for its configuration: the platform's folders
(platformdirs), outside the bundle, so a new bundle never touches them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kiosk.config.schema import KioskConfig

APP_NAME = "healthcode-kiosk"
CONFIG_FILE_NAME = "kiosk.toml"


@dataclass(frozen=True)
class DataPaths:
    """Where the kiosk keeps its files: outside the bundle, so a new bundle never touches them."""

    root: Path
    database: Path  # root/kiosk.db
    keys_dir: Path  # root/keys (owner-only)
    store_key: Path  # root/keys/store.key
    logs_dir: Path  # root/logs

    def create(self) -> DataPaths:
        """Make the folders, each its owner's only (0700: the store, its key and the logs hold
        personal data or secrets), and return self."""
        for folder in (self.root, self.keys_dir, self.logs_dir):
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            folder.chmod(0o700)
        return self


def data_dir(config: KioskConfig | None = None) -> DataPaths:
    """The data folder (`[kiosk] data_dir`, or the platform's user data folder when empty) and
    the standard files in it. Nothing is created: call `.create()` when about to write."""
    configured = config.kiosk.data_dir if config is not None else ""
    if configured:
        root = Path(configured).expanduser()
    else:
        import platformdirs

        root = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    keys = root / "keys"
    return DataPaths(root, root / "kiosk.db", keys, keys / "store.key", root / "logs")


def default_config_path() -> Path:
    """Where the kiosk looks for its configuration when none is given on the command line."""
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / CONFIG_FILE_NAME
