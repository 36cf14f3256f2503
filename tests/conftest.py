"""Cross-app tests: the live server listens on 127.0.0.1, the only host a page may call."""

import os

# pytest-django reads this when the session's live_server starts; "localhost" would make the
# browser tests' own-host check depend on name resolution.
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")
