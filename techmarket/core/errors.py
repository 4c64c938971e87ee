"""Errors that services raise and every entry point renders the same way.

The API turns them into 422 ``{"errors": [{"field", "code", "message"}]}``;
views show the messages next to the named fields.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ErrorItem:
    field: str | None
    code: str
    message: str

    def as_dict(self) -> dict:
        return {"field": self.field, "code": self.code, "message": str(self.message)}


class ApplicationError(Exception):
    """A validation or business-rule refusal, with Chinese messages."""

    def __init__(self, message: str | None = None, *, field: str | None = None, code: str = "invalid",
                 errors: list[ErrorItem] | None = None):
        self.errors: list[ErrorItem] = list(errors or [])
        if message is not None:
            self.errors.insert(0, ErrorItem(field, code, str(message)))
        super().__init__("; ".join(e.message for e in self.errors))

    @classmethod
    def from_django(cls, exc) -> "ApplicationError":
        """Convert a django ValidationError (field dict or list) into our shape."""
        items: list[ErrorItem] = []
        if hasattr(exc, "error_dict"):
            for field, errs in exc.error_dict.items():
                for err in errs:
                    msg = err.message % err.params if err.params else err.message
                    items.append(ErrorItem(None if field == "__all__" else field, err.code or "invalid", str(msg)))
        else:
            for err in exc.error_list:
                msg = err.message % err.params if err.params else err.message
                items.append(ErrorItem(None, err.code or "invalid", str(msg)))
        return cls(errors=items)

    def as_list(self) -> list[dict]:
        return [e.as_dict() for e in self.errors]
