"""After a deployment: the public endpoints answer (scoring API ready with a model, dashboard up).
Standard library only, so that it runs on a bare CI runner.

    python3 deploy/smoke_test.py https://<scoring-api host> https://<ui host>
"""

from __future__ import annotations

import json
import sys
import time
import urllib.request


def check(url: str, attempts: int = 30, pause: float = 10) -> bytes:
    for attempt in range(1, attempts + 1):
        try:
            with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (the deployment's own https URLs)
                if response.status == 200:
                    print(f"ok   {url}")
                    return bytes(response.read())
        except OSError as error:
            print(f"wait {url} ({attempt}/{attempts}): {error}")
        time.sleep(pause)
    sys.exit(f"FAIL {url} did not answer 200")


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    scoring, ui = (url.rstrip("/") for url in sys.argv[1:])
    ready = json.loads(check(f"{scoring}/ready"))
    print(f"     model {ready.get('model', ready)}")
    check(f"{scoring}/health")
    check(f"{ui}/_stcore/health")


if __name__ == "__main__":
    main()
