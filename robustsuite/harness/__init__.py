"""The harness: the suite's session state, model cache, results store and timing.
The pytest wiring lives in `plugin.py` and is the only module here that imports pytest."""
from robustsuite.harness.cache import ModelCache, code_version
from robustsuite.harness.records import SCHEMA_VERSION, load_records, read_record, validate
from robustsuite.harness.store import ResultsStore
from robustsuite.harness.suite import Case, Options, Suite, parse_seeds
from robustsuite.harness.timing import stopwatch, synced_perf_counter

__all__ = ["SCHEMA_VERSION", "Case", "ModelCache", "Options", "ResultsStore", "Suite", "code_version", "load_records",
           "parse_seeds", "read_record", "stopwatch", "synced_perf_counter", "validate"]
