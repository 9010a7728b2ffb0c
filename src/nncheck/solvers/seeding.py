"""Seeds of the sample points: unguessable with a course secret, reproducible, auditable.

A formula is checked at sample points (symbolic sizes, formula symbols, re-drawn weights). Were
the points computable from the problem and part ids alone, a student could fit a polynomial
through them. So every seed is an HMAC-SHA256 under the course secret (`NNCHECK_SECRET`, or
the file `.nncheck-secret` in the bank) of the problem's content and the part's id: without
the secret nobody can compute the points, and with it grading is deterministic.

A fingerprint (a short hash of the secret and the bank's content, which reveals neither) is
recorded with every result, so a regrade can show that the same points were used.

A second round of points, drawn when a claim passes the first, is seeded by the part's seed and
the claim's own text: the points then move whenever the claim is changed to fit them.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

SECRET_ENV = "NNCHECK_SECRET"
SECRET_FILE = ".nncheck-secret"
MAX_SECRET = 4096  # bytes
FINGERPRINT_CHARS = 16


def content_digest(text: str) -> bytes:
    """The digest of a problem's content (its validated form, as JSON)."""
    return hashlib.sha256(text.encode()).digest()


def part_seed(secret: bytes, digest: bytes, problem_id: str, part_id: str) -> int:
    """A 128-bit seed for one part: the same for the same secret, problem and part."""
    message = b"points\0" + digest + f"\0{problem_id}\0{part_id}".encode()
    mac = hmac.new(secret, message, hashlib.sha256).digest()
    return int.from_bytes(mac[:16], "big")


def claim_seed(seed: int, claim: str) -> int:
    """A seed for a second round of points: the part's seed and the claim's text."""
    mac = hmac.new(seed.to_bytes(16, "big"), b"claim\0" + claim.encode(), hashlib.sha256)
    return int.from_bytes(mac.digest()[:16], "big")


def fingerprint(secret: bytes, digests: Iterable[bytes]) -> str:
    """A short public fingerprint of the secret and the bank's content: equal fingerprints,
    equal points. One-way, so it reveals neither the secret nor the points."""
    h = hashlib.sha256(b"nncheck points fingerprint\0")
    h.update(hashlib.sha256(b"secret\0" + secret).digest())
    for d in sorted(digests):
        h.update(d)
    return h.hexdigest()[:FINGERPRINT_CHARS]


def keyed(secret: bytes, purpose: str, *fields: str) -> bytes:
    """An HMAC-SHA256 under the course secret of a purpose and some fields (variants.py: the
    draws of a variant, a student's variant, a sheet's check code)."""
    message = purpose.encode() + b"".join(b"\0" + f.encode("utf-8", "surrogatepass")
                                          for f in fields)
    return hmac.new(secret, message, hashlib.sha256).digest()
