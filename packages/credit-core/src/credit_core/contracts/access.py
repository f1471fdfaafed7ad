"""Who looked at which applicant, and why: the access log the scoring API keeps of every read of an
applicant's data and every score of a stored applicant. A person acting through a client (the
dashboard's user) names themselves in ``X-On-Behalf-Of`` and gives a reason from a short list in
``X-Access-Reason``."""

from datetime import datetime
from typing import Literal, get_args

from pydantic import BaseModel, Field

from credit_core.schema import MAX_ID

AccessReason = Literal["application-review", "customer-request", "complaint", "fraud-check", "audit"]
ACCESS_REASONS: tuple[AccessReason, ...] = get_args(AccessReason)
Action = Literal["read", "score"]
PERSON = r"^[A-Za-z0-9][A-Za-z0-9_.@+ -]{0,99}$"  # a user name or an e-mail address


class AccessRecord(BaseModel):
    """One row of the access log."""

    accessed_at: datetime
    client: str | None = Field(max_length=100, description="The API client (None: authentication disabled)")
    on_behalf_of: str | None = Field(max_length=100, description="The person at the client, if one was named")
    applicant_id: int = Field(ge=0, le=MAX_ID)
    action: Action = Field(max_length=10)
    reason: AccessReason | None = Field(max_length=30, description="Why: required when a person is named")
