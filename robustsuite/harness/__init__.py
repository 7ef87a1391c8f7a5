"""The harness: the suite's session state, model cache, results store and timing.
The pytest wiring lives in `plugin.py`, `scale_plugin.py`, `option_checks.py` and `plugin_keys.py`,
the only modules here that import pytest."""
from robustsuite.harness.cache import ModelCache
from robustsuite.harness.records import SCHEMA_VERSION, load_records, read_record, validate
from robustsuite.harness.store import ResultsStore
from robustsuite.harness.suite import Case, Options, Suite, parse_seeds
from robustsuite.harness.timing import stopwatch, synced_perf_counter

__all__ = ["SCHEMA_VERSION", "Case", "ModelCache", "Options", "ResultsStore", "Suite", "load_records", "parse_seeds",
           "read_record", "stopwatch", "synced_perf_counter", "validate"]
