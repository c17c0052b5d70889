"""API-level errors: an HTTP status, a stable machine code and a human message."""

from __future__ import annotations

__all__ = ["ApiError"]


class ApiError(Exception):
    """A client or service error that maps to ``{"error": {"code", "message"}}``."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.request_id = request_id
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
