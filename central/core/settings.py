"""Settings from the environment (`CENTRAL_*`) or a `central.env` file in the working folder.

With no settings at all the service runs in the working folder: an SQLite file and a `keys`
folder there. A secret that is still a placeholder is refused rather than used.
"""

from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import Literal, Self
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SETTINGS_FILE = "central.env"
DATABASE_FILE = "central.db"
KEYS_FOLDER = "keys"
PLACEHOLDER_SECRETS = frozenset(
    {"changethis", "changeme", "change-me", "secret", "password", "placeholder", "xxx", "todo"}
)


class PlaceholderSecretError(ValueError):
    """A secret setting still holds an example value."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CENTRAL_", env_file=SETTINGS_FILE, env_file_encoding="utf-8", extra="forbid"
    )

    data_dir: Path = Field(
        default_factory=Path.cwd, description="Folder of the SQLite file and keys"
    )
    database_url: SecretStr | None = Field(
        default=None, description="SQLAlchemy URL; default an SQLite file in data_dir"
    )
    keys_dir: Path | None = Field(default=None, description="Key hierarchy; default data_dir/keys")
    issuer_region_code: str = Field(default="610000", pattern=r"^\d{6}$")
    issuer_name_zh: str = "陕西省"
    issuer_name_en: str = "Shaanxi"
    enrollment_code_ttl_s: int = Field(default=24 * 3600, gt=0)
    admin_setup_ttl_s: int = Field(default=7 * 24 * 3600, gt=0)
    admin_session_ttl_s: int = Field(default=12 * 3600, gt=0)
    signature_tolerance_s: int = Field(default=300, gt=0, description="Accepted clock skew")
    record_max_age_days: int = Field(
        default=400,
        gt=0,
        le=36500,
        description="Kiosk records older than this are refused (the retention window)",
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Addresses or networks of reverse proxies whose X-Forwarded-For is believed; "
        "empty: the client address is the peer's (uvicorn's forwarded-allow-ips follows this)",
    )
    accept_legacy_kiosk_signatures: bool = Field(
        default=False,
        description="Also accept kiosk signatures that do not cover @authority and @query "
        "(kiosks before issue 27), only while a fleet updates",
    )
    enrollment_attempts_per_minute: int = Field(default=30, gt=0)
    login_attempts_per_minute: int = Field(
        default=20, gt=0, description="Logins a client address may try a minute (any names)"
    )
    jobs_interval_s: int = Field(
        default=60, ge=0, description="central serve runs due background jobs this often; 0: never"
    )
    # Issue 14: exports and the scheduled push (docs/reports.md).
    exports_dir: Path | None = Field(
        default=None, description="Export files; default data_dir/exports"
    )
    export_inline_max_rows: int = Field(
        default=5000,
        ge=0,
        description="Exports up to this many rows are made at once; larger ones by the jobs runner",
    )
    export_batch_rows: int = Field(default=1000, gt=0, description="Rows per progress step")
    export_ttl_minutes: int = Field(
        default=60,
        gt=0,
        description="Export files (personal data) are deleted this long after they are made, "
        "or at once when downloaded",
    )
    push_time: time = Field(default=time(10, 0), description="Local time of the daily push")
    push_time_zone: str = "Asia/Shanghai"
    push_dir: Path | None = Field(default=None, description="Push files; default data_dir/push")
    push_url: str | None = Field(
        default=None, description="The upper platform: each push file is POSTed here too"
    )
    push_attempts: int = Field(default=3, gt=0, description="POST tries per run, with backoff")
    # Issue 28: the feed as files (central/issuance/feed_files.py).
    feed_files_dir: Path | None = Field(
        default=None, description="Feed snapshot files and cached deltas; default data_dir/feed"
    )
    feed_snapshot_coalesce_s: int = Field(
        default=60, ge=0, description="A new snapshot file at most this often while the feed moves"
    )
    feed_files_grace_s: int = Field(
        default=1800, ge=0, description="Old snapshot files stay this long (resumed downloads)"
    )
    feed_files_accel_prefix: str | None = Field(
        default=None,
        description="Behind nginx: answer snapshot files with X-Accel-Redirect to this internal "
        "location (e.g. /internal/feed-files/) and let nginx send the bytes",
    )
    # Issue 26: the national list of risk areas (central/issuance/national_risk.py).
    national_risk_key_file: Path | None = Field(
        default=None, description="The national list publisher's public key (PEM), pinned"
    )
    national_risk_url: str | None = Field(
        default=None, description="Where the signed national list is polled (with the key set)"
    )
    national_risk_poll_s: int = Field(
        default=3600, gt=0, description="How often the national list URL is polled"
    )
    # Issue 24: the residents' SMS codes (central/issuance/sms.py, sms_aliyun.py).
    sms_provider: Literal["aliyun", "log"] | None = Field(
        default=None,
        description="aliyun: Alibaba Cloud SMS; log: codes written to the log (development and "
        "demo only); unset: the service refuses to start",
    )
    sms_access_key_id: str | None = Field(default=None, description="aliyun AccessKey ID")
    sms_access_key_secret: SecretStr | None = Field(
        default=None, description="aliyun AccessKey secret (or sms_access_key_secret_file)"
    )
    sms_access_key_secret_file: Path | None = Field(
        default=None, description="a file holding the AccessKey secret (e.g. a mounted secret)"
    )
    sms_sign_name: str | None = Field(default=None, description="the approved SMS sign name")
    sms_template_code: str | None = Field(
        default=None, description="the approved code template, e.g. SMS_123456789"
    )
    sms_template_param: str = Field(
        default="code", description="the template's variable that takes the code"
    )
    sms_endpoint: str = Field(
        default="https://dysmsapi.aliyuncs.com/", description="the SendSms address (tests: a fake)"
    )
    sms_notice_template_code: str | None = Field(
        default=None,
        description="the approved notice template (a tip-off to its liaison: kind, number, place)",
    )
    sms_region_id: str = "cn-hangzhou"
    sms_timeout_s: float = Field(
        default=5.0, gt=0, le=30, description="connect and read timeout of one send"
    )
    sms_codes_per_phone_per_minute: int = Field(
        default=1, ge=1, le=10, description="SMS codes a phone may be sent a minute"
    )
    # Issue 25: residents' tip-offs (central/tipoffs/).
    tip_offs_per_address_per_minute: int = Field(
        default=10, ge=1, description="tip-offs a client address may post a minute"
    )
    tip_off_visit_within_h: float = Field(
        default=24.0, gt=0, description="hours a liaison has to visit before a tip-off alerts"
    )
    region_lookups_per_minute: int = Field(
        default=240, gt=0, description="Region searches a client may make a minute without login"
    )
    # Issue 24: the OpenAPI page, served with its own assets (no CDN); off in production if wished.
    api_docs: bool = Field(
        default=True, description="Serve the API's documentation at /docs and /openapi.json"
    )

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Self:
        if self.database_url is not None:
            password = urlsplit(self.database_url.get_secret_value()).password
            if password is not None and password.lower() in PLACEHOLDER_SECRETS:
                raise PlaceholderSecretError(
                    "the database password in CENTRAL_DATABASE_URL is a placeholder; set a real one"
                )
        return self

    @model_validator(mode="after")
    def _require_sms_provider_settings(self) -> Self:
        if self.sms_provider != "aliyun":
            return self
        missing = [
            f"CENTRAL_{name.upper()}"
            for name in ("sms_access_key_id", "sms_sign_name", "sms_template_code")
            if not getattr(self, name)
        ]
        if self.sms_access_key_secret is None and self.sms_access_key_secret_file is None:
            missing.append("CENTRAL_SMS_ACCESS_KEY_SECRET (or _FILE)")
        if missing:
            raise ValueError("CENTRAL_SMS_PROVIDER=aliyun needs " + ", ".join(missing))
        secret = self.sms_access_key_secret
        if secret is not None and secret.get_secret_value().lower() in PLACEHOLDER_SECRETS:
            raise PlaceholderSecretError(
                "CENTRAL_SMS_ACCESS_KEY_SECRET is a placeholder; set the real secret"
            )
        return self

    def sms_secret(self) -> str:
        """The AccessKey secret, from the setting or its file (read when the sender is built)."""
        if self.sms_access_key_secret is not None:
            return self.sms_access_key_secret.get_secret_value()
        if self.sms_access_key_secret_file is None:
            raise ValueError("no SMS AccessKey secret is set")
        secret = self.sms_access_key_secret_file.read_text(encoding="utf-8").strip()
        if not secret or secret.lower() in PLACEHOLDER_SECRETS:
            raise PlaceholderSecretError(
                f"{self.sms_access_key_secret_file} holds no real SMS AccessKey secret"
            )
        return secret

    @property
    def resolved_database_url(self) -> str:
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        return f"sqlite:///{(self.data_dir / DATABASE_FILE).resolve()}"

    @property
    def resolved_keys_dir(self) -> Path:
        return self.keys_dir if self.keys_dir is not None else self.data_dir / KEYS_FOLDER

    @property
    def resolved_exports_dir(self) -> Path:
        return self.exports_dir if self.exports_dir is not None else self.data_dir / "exports"

    @property
    def resolved_feed_files_dir(self) -> Path:
        return self.feed_files_dir if self.feed_files_dir is not None else self.data_dir / "feed"

    @property
    def resolved_push_dir(self) -> Path:
        return self.push_dir if self.push_dir is not None else self.data_dir / "push"
