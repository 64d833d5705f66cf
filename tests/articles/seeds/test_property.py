"""The reader on arbitrary input: it returns a record or raises SeedError, nothing else."""

import string
from datetime import UTC, datetime

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles.seeds import SeedError, SeedRecord, read_seed
from articles.seeds.read import KNOWN_KEYS

from .builders import seed_mapping

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40)
    | st.sampled_from(["", " ", "https://x.example/a", "javascript:x", "2021-04-13T16:17:00Z"])
    | st.datetimes(timezones=st.just(UTC))
    | st.dates()
    | st.binary(max_size=10)
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
keys = st.sampled_from(sorted(KNOWN_KEYS)) | st.text(string.ascii_letters, min_size=1, max_size=12)


def outcome(data: bytes):
    try:
        return read_seed(data, name="f.md", max_bytes=4096)
    except SeedError as error:
        assert str(error).startswith("f.md")
        return error


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=600))
def test_arbitrary_bytes_give_a_record_or_a_seed_error(data):
    assert isinstance(outcome(data), SeedRecord | SeedError)
    assert isinstance(outcome(b"---\n" + data + b"\n---\n"), SeedRecord | SeedError)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(keys, values, max_size=12), st.booleans())
def test_arbitrary_yaml_mappings_give_a_record_or_a_seed_error(mapping, on_a_valid_file):
    """Arbitrary mappings, alone or overriding the keys of a valid file."""
    document = {**seed_mapping(), **mapping} if on_a_valid_file else mapping
    data = b"---\n" + yaml.safe_dump(document, allow_unicode=True).encode() + b"---\n"
    result = outcome(data)
    assert isinstance(result, SeedRecord | SeedError)
    if isinstance(result, SeedRecord):
        assert result.title and "\x00" not in result.title
        assert result.published_at.tzinfo is not None
        assert result.published_at.utcoffset().total_seconds() == 0
        assert result.web_url.lower().startswith(("http://", "https://"))


def test_a_valid_file_is_a_record():
    """The strategies above can produce records: a valid mapping is one."""
    data = b"---\n" + yaml.safe_dump(seed_mapping()).encode() + b"---\n"
    assert isinstance(outcome(data), SeedRecord)
    assert outcome(data).published_at == datetime(2021, 4, 13, 16, 17, tzinfo=UTC)
