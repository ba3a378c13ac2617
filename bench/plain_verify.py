"""The floor for ``audit verify``: stream the audit rows, recompute each HMAC-SHA-256, check
each row links to the one before (stdlib only; the chain as ``services.audit.chain`` keys it).

Run by ``bench.cli``; on its own: ``python bench/plain_verify.py STORE KEY_FILE``.
"""

import hashlib
import hmac
import json
import sqlite3
import sys


def main() -> int:
    store, key_file = sys.argv[1], sys.argv[2]
    with open(key_file, encoding="ascii") as fh:
        secret = bytes.fromhex(fh.read().strip())
    key = hmac.new(secret, b"hallterm audit chain v1", hashlib.sha256).digest()
    con = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    prev, expected, rows = "0" * 64, 1, 0
    for r in con.execute("SELECT seq, at, business_day, actor, approver, terminal, action, "
                         "entity, entity_id, payload, prev_hash, hash FROM audit_log "
                         "ORDER BY seq"):
        if r[0] != expected or r[10] != prev:
            print(f"broken at {r[0]}")
            return 1
        body = json.dumps(list(r[:11]), separators=(",", ":"), ensure_ascii=False)
        if not hmac.compare_digest(hmac.new(key, body.encode(), hashlib.sha256).hexdigest(), r[11]):
            print(f"altered at {r[0]}")
            return 1
        prev, expected, rows = r[11], expected + 1, rows + 1
    print(f"ok {rows} rows, head {prev}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
