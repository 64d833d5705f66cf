"""Settings for the serving benchmark (`bench/serve.py`): the production settings, with the
bench-only URLs of `bench/urls.py` in front of the site's. Never used outside `bench/`."""

from newsroom.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
