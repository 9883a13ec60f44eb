"""The central database, SQLAlchemy 2 typed models by domain. Alembic migrations follow these
tables; importing this package registers every table on `Base.metadata`."""

from central.core.models.administration import (
    Administrator,
    AdminSession,
    AuditEntry,
    Employee,
    Enterprise,
    LoginFailures,
    RateLimitHit,
    Region,
)
from central.core.models.base import Base, new_id
from central.core.models.issuance import (
    AreaColourCount,
    AreaRisk,
    FeedHead,
    NationalRiskArea,
    NationalRiskList,
    Person,
    PersonArea,
    RecomputeJob,
    SmsChallenge,
    StatusFeedEntry,
    insert_people,
)
from central.core.models.kiosks import (
    Checkpoint,
    EnrollmentCode,
    FeverCase,
    Kiosk,
    KioskRelease,
    Operator,
    OverrideRecord,
    PassageDay,
    ReceivedPassage,
    RequestNonce,
    TrustListRecord,
)
from central.core.models.reports import ExportJob, JobLease, PushDelivery
from central.core.models.scenes import SceneRecord
from central.core.models.tipoffs import TipOff

__all__ = [
    "AdminSession",
    "Administrator",
    "AreaColourCount",
    "AreaRisk",
    "AuditEntry",
    "Base",
    "Checkpoint",
    "Employee",
    "EnrollmentCode",
    "Enterprise",
    "ExportJob",
    "FeedHead",
    "FeverCase",
    "JobLease",
    "Kiosk",
    "KioskRelease",
    "LoginFailures",
    "NationalRiskArea",
    "NationalRiskList",
    "Operator",
    "OverrideRecord",
    "PassageDay",
    "Person",
    "PersonArea",
    "PushDelivery",
    "RateLimitHit",
    "ReceivedPassage",
    "RecomputeJob",
    "Region",
    "RequestNonce",
    "SceneRecord",
    "SmsChallenge",
    "StatusFeedEntry",
    "TipOff",
    "TrustListRecord",
    "insert_people",
    "new_id",
]
