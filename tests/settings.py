"""Settings for the test suite: the real `newsroom.settings`, with test-only defaults for what
the environment does not give (CI's DATABASE_URL, say, still wins)."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# No page cache: a TestCase never commits, so the content version that invalidates cached pages
# never moves. tests/test_cache*.py switch it on and commit for real.
os.environ.setdefault("PAGE_CACHE_SECONDS", "0")

from newsroom.settings import *  # noqa: F403

# Hashing test passwords with the slow default hasher costs seconds per run for nothing.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# No collectstatic before tests: serve static files from the app folders, unhashed.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
WHITENOISE_USE_FINDERS = True
