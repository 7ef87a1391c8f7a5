"""Speed and memory measurements are reported but never compared between runs."""
import pytest

from robustsuite.report.compare import VOLATILE


@pytest.mark.parametrize("name", ["l2-torch_seconds", "l2-faiss_pairs_per_s", "evals_track_s", "threads",
                                  "seconds_per_batch_soar_over_pgd10", "l2-torch_peak_bytes"])
def test_speed_and_memory_names_are_volatile(name):
    assert VOLATILE.search(name)


@pytest.mark.parametrize("name", ["clean_acc_sgd", "lipschitz_sgd", "sgd_lead_avg_robust", "transfer[source->t1]",
                                  "pgd_acc@saturation=2", "ratio_adaptive_over_sgd", "second_order_err"])
def test_claim_metrics_are_compared(name):
    assert not VOLATILE.search(name)
