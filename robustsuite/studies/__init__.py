"""The studies: what each benchmark case measures, and how. One module per family or topic.

A study is a frozen dataclass with an `id` and a `dataset` (or `datasets`): the data, models,
training recipes and attack budgets of one experiment at one tier. A case names its studies per
tier (`@pytest.mark.studies(mini=[...], paper=[...])`) and its negative controls, changed copies
of a study (`@pytest.mark.controls(...)`).

The rule: a study module holds the study types, the study instances for each tier, their negative
`Control` declarations, and the functions that measure them (training through `rs.model`,
memoised through `rs.memo`: `rs` is the object the case passes in). The case files under
`benchmarks/` hold only the pytest cases: markers, the `measure` closure, the rule and
`rs.conclude`; helpers that time (`rs.measure`), decide (`rs.sequential`) or conclude stay there.

Layering: data -> models -> train -> attacks/metrics -> claims -> studies -> harness -> report.
Nothing here imports pytest, `robustsuite.harness` or `robustsuite.report`
(tests/studies/test_layering.py). Nothing imports this package by itself either: a case imports
the study modules it uses.
"""
