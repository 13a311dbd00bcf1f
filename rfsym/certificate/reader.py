"""Reading a certificate's text with bounds, before anything in it is looked at.

At most :data:`MAX_BYTES` of UTF-8, JSON nested at most :data:`MAX_NESTING` deep (checked by a
scan before parsing, so no recursion limit is reached), no float, ``NaN`` or ``Infinity``, and
no JSON number of more than 12 digits (exact numbers are decimal strings in expression trees).
"""

from __future__ import annotations

import json
import re

from rfsym.certificate.terms import CertificateFormatError
from rfsym.errors import LimitError, ProofError

__all__ = ["MAX_BYTES", "MAX_NESTING", "CertificateError", "canonical", "get_field", "load"]

MAX_BYTES = 32 * 1024 * 1024
MAX_NESTING = 400


class CertificateError(ProofError):
    """A certificate is malformed, or one of its steps, tables or results does not check."""


def canonical(obj: object) -> str:
    return json.dumps(obj, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def _reject_constant(name: str) -> None:
    raise CertificateFormatError(f"{name} is not allowed in a certificate")


def _reject_float(text: str) -> None:
    raise CertificateFormatError(f"the number {text} is not exact; write integers as strings")


def _small_int(text: str) -> int:
    if len(text) > 12:
        raise CertificateFormatError(f"the JSON number {text[:20]}... is too large")
    return int(text)


def load(text: str | bytes, source: str = "certificate") -> dict:
    """Parse certificate text with bounds; no float, NaN or deep nesting is accepted."""
    if len(text) > MAX_BYTES:
        raise LimitError(f"{source}: {len(text)} bytes; a certificate may have {MAX_BYTES}")
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as err:
            raise CertificateError(f"{source}: not UTF-8 text ({err.reason})") from None
    depth = deepest = 0
    for bracket in re.findall(r"[\[\]{}]", re.sub(r'"(?:[^"\\]|\\.)*"', "", text)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    if deepest > MAX_NESTING:
        raise LimitError(f"{source}: JSON nested {deepest} deep; at most {MAX_NESTING} allowed")
    try:
        data = json.loads(
            text, parse_constant=_reject_constant, parse_float=_reject_float, parse_int=_small_int
        )
    except CertificateFormatError as err:
        raise CertificateError(f"{source}: {err}") from None
    except json.JSONDecodeError as err:
        raise CertificateError(f"{source}: not valid JSON: {err}") from None
    if not isinstance(data, dict):
        raise CertificateError(f"{source}: a certificate is a JSON object")
    return data


def get_field(obj: object, key: str, kind: type | tuple, where: str):
    if not isinstance(obj, dict):
        raise CertificateFormatError(f"{where}: expected an object")
    if key not in obj:
        raise CertificateFormatError(f"{where}: the field {key!r} is missing")
    value = obj[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise CertificateFormatError(f"{where}: the field {key!r} has the wrong type")
    return value
