"""Bad options fail once, at start-up, with a usage error naming the value and what is allowed."""
import pytest

from robustsuite.harness.option_checks import marker_names

CASES = """
import pytest

@pytest.mark.digits
def test_one():
    pass

def test_two():
    pass
"""


def run(pytester, *args):
    pytester.makepyfile(test_cases=CASES)
    return pytester.runpytest_subprocess("--results-dir", "res", *args)


@pytest.mark.parametrize("args, message", [
    (["--seeds", "abc"], "--seeds='abc' is not allowed; give a count (3) or a list (0,1,2)"),
    (["--seeds", "0"], "--seeds='0' is not allowed; the count must be >= 1"),
    (["--shard", "3/2"], "--shard"),
    (["--shard", "x"], "--shard"),
    (["--gpus", "0"], "--workers/--gpus '0' is not allowed; give a number of workers >= 1"),
    (["--gpus", "two"], "--workers/--gpus 'two' is not allowed"),
    (["--device", "gpu"], "--device 'gpu' is not allowed; use auto, cpu, cuda or cuda:N"),
    (["--checkpoint-every", "-1"], "--checkpoint-every -1 is not allowed"),
    (["--checkpoint-seconds", "-5"], "--checkpoint-seconds -5.0 is not allowed"),
    (["--threads", "0"], "--threads 0 is not allowed"),
    (["-m", "digitz or mnist"], "-m 'digitz or mnist': unknown marker(s) ?'digitz'?; markers are: ?'alignment_transfer'*"),
])
def test_bad_option_is_one_usage_error(pytester, args, message):
    result = run(pytester, *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: *{message}*"])
    assert result.stderr.str().count("ERROR:") == 1
    assert "passed" not in result.stdout.str()  # nothing ran


@pytest.mark.parametrize("args, message", [
    (["--precision", "fp16"], "argument --precision: invalid choice: 'fp16' (choose from*bf16*"),
])
def test_typed_options_are_refused_by_the_parser(pytester, args, message):
    result = run(pytester, *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*{message}*"])


def test_known_markers_pass(pytester):
    run(pytester, "-m", "digits and not theory").assert_outcomes(passed=1)  # theory: registered, on no case
    run(pytester, "-m", "not digits").assert_outcomes(passed=1)


def test_marker_names_of_an_expression():
    assert marker_names("cifar10 and not (slow or theory)") == {"cifar10", "slow", "theory"}
    assert marker_names('claim(id="C1", n=3) or mnist') == {"claim", "mnist"}
