"""Pass verification rate, offline: ``verify_token`` against the bare Ed25519 verify of the same bytes.

Run: ``FUGONG_ENV=test .venv/bin/python bench/pass_verify.py [count]``. One process, one core.
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from datetime import date

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fugong.settings")
django.setup()

from fugong.workforce import passes  # noqa: E402


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    tokens = [passes.sign_pass(pass_id=uuid.uuid4(), person_id=uuid.uuid4(), enterprise_id=i, valid_from=date(2020, 2, 1),
                               valid_to=date(2020, 2, 29)) for i in range(1000)]
    keys = passes.public_keys()
    key = next(iter(keys.values()))
    revoked = {str(uuid.uuid4()) for _ in range(10_000)}
    today = date(2020, 2, 10)
    raw = [(passes._b64decode(t.split(".")[1]), t.split(".")[0].encode()) for t in tokens]

    start = time.perf_counter()
    for i in range(count):
        assert passes.verify_token(tokens[i % 1000], public_keys=keys, today=today, revoked=revoked).valid
    ours = count / (time.perf_counter() - start)

    start = time.perf_counter()
    for i in range(count):
        signature, data = raw[i % 1000]
        key.verify(signature, data)
    bare = count / (time.perf_counter() - start)

    print(f"verify_token:        {ours:10,.0f} verifications/s")
    print(f"bare Ed25519 verify: {bare:10,.0f} verifications/s")
    print(f"ratio:               {ours / bare:10.1%}  (target: ≥ 10,000/s per core)")


if __name__ == "__main__":
    main()
