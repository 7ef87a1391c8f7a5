"""Studies of thesis chapter 5 and a memoised evaluator shared by the hierarchical cases.

A study names the data, hierarchy, flat recipe (its defences are derived from it), the HAR
component model and the attack budgets. `Evaluator` trains (through the model cache) and
measures lazily, memoising every (study, seed, model, attack) so the cases share the work.
Also here: the cases' negative controls (changed copies of a study, per tier) and the pooled
rates of leaf errors that stay in their meta-class.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import torch

from robustsuite.attacks import AttackSpec, attack
from robustsuite.attacks.hierarchical import hierarchical_search
from robustsuite.claims import Control
from robustsuite.data import DataSpec
from robustsuite.data.hierarchy import HIERARCHIES, get_hierarchy, random_hierarchy
from robustsuite.metrics import accuracy, predict
from robustsuite.metrics.hierarchical import attacked_points, meta_correct, meta_ok_given_leaf_wrong
from robustsuite.train import TrainConfig, kw
from robustsuite.train.har import HARRecipe

DEFENCES = ("standard", "pgd10", "pgd10t", "trades", "l2pgd10")


@dataclass(frozen=True)
class HierStudy:
    id: str
    dataset: str
    eval_data: DataSpec  # the fixed evaluation subset
    hierarchy: str
    flat: TrainConfig  # the flat model's standard recipe; defences and seeds are derived from it
    har_model: str
    har_kwargs: tuple[tuple[str, object], ...]
    eps: float  # Linf
    step: float
    l2_eps: float
    steps: tuple[int, int] = (20, 200)  # the short and the long attack
    l2_steps: int = 50
    at_steps: int = 10
    trades_beta: float = 6.0
    plain_hier: bool = False  # a negative control: every hierarchical PGD is plain PGD of the same budget
    slot_as: tuple[tuple[str, str], ...] = ()  # a negative control: (defence, recipe) trains that slot with another recipe
    shuffled_transfer: bool = False  # a negative control (C003-2.05): transferred perturbations land on other points
    one_target: bool = False  # a negative control (C003-5.04): the worst-case search tries one random eligible target
    pgd_as_hier: bool = False  # a negative control (C003-5.03): untargeted PGD is loose hierarchical PGD
    flat_epochs: int = 0  # a negative control (C003-5.12): the flat models alone train this many epochs (0: recipe)
    meta_as_pgd: bool = False  # a negative control (C003-5.09): PGD-Meta is untargeted PGD on the full HAR
    search_targets: int | None = None  # targets the worst-case search tries per input (None: every eligible one)

    def objective(self, defence: str) -> tuple[str, tuple]:
        at = dict(eps=self.eps, steps=self.at_steps, step_size=self.step)
        return {"standard": ("standard", ()), "pgd10": ("pgd_at", kw(**at)),
                "pgd10t": ("pgd_at_targeted", kw(**at, hierarchy=self.hierarchy)),
                "trades": ("trades", kw(**at, beta=self.trades_beta)),
                "l2pgd10": ("pgd_at", kw(eps=self.l2_eps, norm="l2", steps=self.at_steps,
                                         step_size=2.5 * self.l2_eps / self.at_steps))}[defence]

    def flat_config(self, defence: str, seed: int) -> TrainConfig:
        obj, okw = self.objective(dict(self.slot_as).get(defence, defence))
        return self.flat.replace(objective=obj, objective_kwargs=okw, seed=seed,
                                 label=f"{self.id}-flat-{defence}-s{seed}")

    def har(self, defence: str, seed: int) -> HARRecipe:
        return HARRecipe(self.flat_config(defence, seed), self.hierarchy, self.har_model, self.har_kwargs)

    def attack(self, key: str) -> AttackSpec:
        """'pgd20', 'hier200', 'hierloose20', 'hieravg20', 'meta20', 'leaf20', 'l2pgd50', 'l2hier50', 'fgsm'."""
        h = get_hierarchy(self.hierarchy)
        if key == "fgsm":
            return attack("fgsm", eps=self.eps)
        name = key.rstrip("0123456789")
        k = int(key[len(name):])
        if name.startswith("l2"):
            base = dict(eps=self.l2_eps, norm="l2", steps=k, step_size=2.5 * self.l2_eps / k)
            name = name[2:]
        else:
            base = dict(eps=self.eps, norm="linf", steps=k, step_size=self.step)
        if self.plain_hier and name.startswith("hier"):
            name = "pgd"
        if self.pgd_as_hier and name == "pgd":
            name = "hierloose"
        if self.meta_as_pgd and name == "meta":
            name = "pgd"
        hier = dict(hierarchy=h, **base)
        return {"pgd": lambda: attack("pgd", **base),
                "hier": lambda: attack("hierarchical_pgd", **hier),
                "hierloose": lambda: attack("hierarchical_pgd", success="loose", **hier),
                "hieravg": lambda: attack("hierarchical_pgd", strategy="average", **hier),
                "meta": lambda: attack("pgd_meta", **hier),
                "leaf": lambda: attack("pgd_leaf", **hier)}[name]()

    def worst_case_attacks(self, har: bool, long: bool = False) -> tuple[str, ...]:
        """HAR is scored by the per-point minimum over every attack (C003-5.09); `long` adds the
        long-run untargeted and hierarchical PGD (the paper tier's 200 steps)."""
        s, s_long = self.steps
        keys = [f"pgd{s}", f"hier{s}", f"hierloose{s}", f"meta{s}"] + ([f"leaf{s}"] if har else [])
        return tuple(keys + ([f"pgd{s_long}", f"hier{s_long}"] if long else []))


class Evaluator:
    """Per (case session, study, seed): models and per-point meta-correctness, memoised in `rs`."""

    def __init__(self, rs, study: HierStudy, seed: int) -> None:
        self.rs, self.study, self.seed = rs, study, seed
        self.h = get_hierarchy(study.hierarchy)

    @property
    def data(self):
        return self.rs.data(self.study.eval_data, train=False)

    def model(self, kind: str, defence: str):
        key = ("hier-model", self.study.id, kind, defence, self.seed)
        if kind == "flat":
            cfg = self.study.flat_config(defence, self.seed)
            cfg = cfg.replace(epochs=self.study.flat_epochs) if self.study.flat_epochs else cfg
            return self.rs.memo(key, lambda: self.rs.model(cfg))
        return self.rs.memo(key, lambda: self.study.har(defence, self.seed).build(self.rs.model))

    def points(self, kind: str, defence: str, key: str) -> torch.Tensor:
        def compute():
            d = self.data
            if key == "clean":
                return d.x
            # seeded by the attack, not its step count: PGD-20 and PGD-200 start from the same
            # random point, so their difference is convergence, not a second random start (C003-5.08)
            torch.manual_seed(10_007 * self.seed + sum(map(ord, key.rstrip("0123456789"))))
            return attacked_points(self.model(kind, defence), d.x, d.y, self.study.attack(key))

        return self.rs.memo(("hier-points", self.study.id, kind, defence, self.seed, key), compute)

    def correct(self, kind: str, defence: str, key: str) -> torch.Tensor:
        """(n,) bool: meta-class kept at the points of attack `key` ('clean' for none)."""
        return self.rs.memo(("hier-correct", self.study.id, kind, defence, self.seed, key), lambda: meta_correct(
            self.model(kind, defence), self.points(kind, defence, key), self.data.y, self.h))

    def meta_acc(self, kind: str, defence: str, key: str) -> float:
        return 100.0 * self.correct(kind, defence, key).float().mean().item()

    def worst_case(self, kind: str, defence: str, long: bool = False) -> float:
        ok = self.correct(kind, defence, "clean")
        for key in self.study.worst_case_attacks(kind == "har", long):
            ok = ok & self.correct(kind, defence, key)
        return 100.0 * ok.float().mean().item()

    def leaf_acc(self, kind: str, defence: str) -> float:
        return accuracy(self.model(kind, defence), self.data.x, self.data.y)

    def predictions(self, kind: str, defence: str, key: str) -> torch.Tensor:
        return predict(self.model(kind, defence), self.points(kind, defence, key))

    def search(self, kind: str, defence: str, **kw_):
        torch.manual_seed(self.seed)
        d = self.data
        s = self.study
        if s.one_target:  # every search is the average case: the same one random target per input
            kw_ = {**kw_, "strategy": "average"}
        return hierarchical_search(self.model(kind, defence), d.x, d.y, hierarchy=self.h, eps=s.eps,
                                   steps=s.steps[0], step_size=s.step, max_targets=s.search_targets, **kw_)




def random_grouping(study: HierStudy, seed: int = 0) -> HierStudy:
    """A negative control: the study with its hierarchy's leaves regrouped at random (same classes and
    group sizes), so that a hierarchy-aware model has no semantic grouping to exploit."""
    h = random_hierarchy(get_hierarchy(study.hierarchy), seed)
    if h.name not in HIERARCHIES:
        HIERARCHIES.add(h.name, h)
    return dataclasses.replace(study, id=f"{study.id}-random-grouping{seed}", hierarchy=h.name)


def hierarchical_as_plain(study: HierStudy) -> HierStudy:
    """A negative control: the study with hierarchical PGD (strict, loose, average) replaced by plain
    untargeted PGD of the same budget, so that no gain of the hierarchical attack can show."""
    return dataclasses.replace(study, id=f"{study.id}-hier-as-pgd", plain_hier=True)


def slot_as(study: HierStudy, defence: str, recipe: str) -> HierStudy:
    """A negative control: the study with the `defence` slot trained with `recipe`'s objective
    (e.g. PGD10's slot trained as a standard model), so a comparison must see the difference."""
    return dataclasses.replace(study, id=f"{study.id}-{defence}-as-{recipe}", slot_as=((defence, recipe),))


def one_step(study: HierStudy) -> HierStudy:
    """A negative control: the study's short attack is a single PGD step (no iteration to converge)."""
    return dataclasses.replace(study, id=f"{study.id}-one-step", steps=(1, study.steps[1]))


def one_target(study: HierStudy) -> HierStudy:
    """A negative control: the worst-case hierarchical search tries a single random eligible target
    (the average case's draw), so it cannot find more successes than the average case."""
    return dataclasses.replace(study, id=f"{study.id}-one-target", one_target=True)


def pgd_as_hier(study: HierStudy) -> HierStudy:
    """A negative control of the opposite kind, for a claim that PGD keeps mistakes inside the meta-class:
    untargeted PGD replaced by loose hierarchical PGD, which seeks a leaf of another meta-class."""
    return dataclasses.replace(study, id=f"{study.id}-pgd-as-hier", pgd_as_hier=True)


def meta_as_pgd(study: HierStudy) -> HierStudy:
    """A negative control of an erratum (C003-5.09, PGD-Meta is the stronger attack): PGD-Meta's slot is
    filled by untargeted PGD on the full HAR, so the two attacks it compares are one attack."""
    return dataclasses.replace(study, id=f"{study.id}-meta-as-pgd", meta_as_pgd=True)


def flat_undertrained(study: HierStudy, epochs: int = 1) -> HierStudy:
    """A negative control of the opposite kind, for a claim that HAR gains no clean accuracy over a
    flat model: the flat models (not HAR's components) train `epochs` epochs, a known deficit."""
    return dataclasses.replace(study, id=f"{study.id}-flat-{epochs}-epoch", flat_epochs=epochs)


def shuffled_transfer(study: HierStudy) -> HierStudy:
    """A negative control: each transferred perturbation is added to another point than the one it was
    crafted for (same sizes and statistics, no alignment with its input)."""
    return dataclasses.replace(study, id=f"{study.id}-shuffled-transfer", shuffled_transfer=True)


# --- the studies ---------------------------------------------------------------------------------
DIGITS = HierStudy(
    "digits-mlp", "digits", DataSpec("digits", n_test=300), "digits-visual",
    TrainConfig(DataSpec("digits"), "mlp", kw(hidden=(256, 256)), lr=0.1, momentum=0.9, weight_decay=5e-4,
                epochs=20, batch_size=128, schedule="cosine"),
    har_model="mlp", har_kwargs=kw(hidden=(128, 128)), eps=0.2, step=0.05, l2_eps=1.0)


def _cifar(name: str, dataset: str, hierarchy: str) -> HierStudy:
    """Thesis §5.6.1: ResNet-50 flat vs ResNet-10 HAR components, 200 epochs, SGD 0.1 (x0.1 at 100, 150),
    momentum 0.9, weight decay 2e-4, batch 128; eps 8/255, step 2/255; L2 eps 0.5 PGD50; 1000 test points."""
    return HierStudy(
        name, dataset, DataSpec(dataset, n_test=1000), hierarchy,
        TrainConfig(DataSpec(dataset), "resnet50", lr=0.1, momentum=0.9, weight_decay=2e-4, epochs=200,
                    batch_size=128, schedule="step", milestones=(0.5, 0.75), augment="crop_flip"),
        har_model="resnet10", har_kwargs=(), eps=8 / 255, step=2 / 255, l2_eps=0.5)


CIFAR100 = _cifar("cifar100-resnet", "cifar100", "cifar100")
CIFAR10 = _cifar("cifar10-resnet", "cifar10", "cifar10")
CIFAR5X5 = _cifar("cifar5x5-resnet", "cifar100", "cifar5x5")
CIFAR5X5 = dataclasses.replace(CIFAR5X5, eval_data=DataSpec("cifar5x5", n_test=1000),
                               flat=CIFAR5X5.flat.replace(data=DataSpec("cifar5x5")))


# negative control: hierarchical PGD replaced by plain PGD of the same budget
HIER_AS_PGD = {tier: [Control("hier-as-pgd", "hierarchical PGD is plain untargeted PGD of the same budget",
                              hierarchical_as_plain(s))] for tier, s in (("mini", DIGITS), ("paper", CIFAR100))}
# negative control: the short attack is one PGD step, so it neither beats FGSM nor has converged
ONE_STEP = {tier: [Control("one-step", "the short PGD attack is a single step (no iteration)", one_step(s))]
            for tier, s in (("mini", DIGITS), ("paper", CIFAR100))}
# negative control: each transferred perturbation applied to another point
SHUFFLED_TRANSFER = {tier: [Control("shuffled-transfer", "each transferred perturbation lands on another point "
                                    "than the one it was crafted for", shuffled_transfer(s))]
                     for tier, s in (("mini", DIGITS), ("paper", CIFAR100))}
# negative control: the semantic hierarchy replaced by a random grouping
GROUPING_AS_RANDOM = Control("random-grouping", "the semantic hierarchy is a random grouping of the same sizes",
                             random_grouping(DIGITS))
# negative control: untargeted PGD replaced by loose hierarchical PGD
PGD_AS_HIER = {tier: [Control("pgd-as-hier", "untargeted PGD is loose hierarchical PGD, which seeks another "
                              "meta-class", pgd_as_hier(s)) for s in group]
               for tier, group in (("mini", [DIGITS]), ("paper", [CIFAR100, CIFAR10]))}
# negative control: the worst-case search tries one target
ONE_TARGET = {tier: [Control("one-target", "the worst-case search tries one random eligible target", one_target(s))]
              for tier, s in (("mini", DIGITS), ("paper", CIFAR100))}
# negative control: the PGD10 arm trained as a standard model
PGD10_AS_STANDARD = {tier: [Control("pgd10-as-standard", "the PGD10 arm is trained as a standard model, which "
                                    "targeted AT does beat", slot_as(s, "pgd10", "standard"))]
                     for tier, s in (("mini", DIGITS), ("paper", CIFAR100))}


def random_grouping_control(study: HierStudy) -> Control:
    """The negative control of a HAR-vs-flat case: the hierarchy regrouped at random."""
    return Control("random-grouping", "the hierarchy's leaves regrouped at random (same group sizes)",
                   random_grouping(study))


# negative control: the flat models undertrained, a known clean-accuracy deficit
FLAT_ONE_EPOCH = {tier: [Control("flat-one-epoch", "the flat models train one epoch, a known clean-accuracy "
                                 "deficit HAR must show", flat_undertrained(s))]
                  for tier, s in (("mini", DIGITS), ("paper", CIFAR10))}



def pooled_vs_control(rs, study) -> float:
    """Standard model, clean errors of every seed together: semantic rate - mean of 20 random groupings."""
    preds, ys = [], []
    for seed in rs.seeds(3):
        ev = Evaluator(rs, study, seed)
        preds.append(ev.predictions("flat", "standard", "clean"))
        ys.append(ev.data.y)
    pred, y = torch.cat(preds), torch.cat(ys)
    h = Evaluator(rs, study, rs.seeds(3)[0]).h
    controls = [meta_ok_given_leaf_wrong(pred, y, random_hierarchy(h, 100 + r)) for r in range(20)]
    return meta_ok_given_leaf_wrong(pred, y, h) - sum(controls) / len(controls)


def pooled_delta(ev_list, defence, key):
    """PGD - clean P(meta ok | leaf wrong), errors pooled over seeds, and the per-seed deltas."""
    pooled = {"clean": [], key: []}
    per_seed = []
    for ev in ev_list:
        rates = []
        for k in ("clean", key):
            pred, y = ev.predictions("flat", defence, k), ev.data.y
            wrong = pred != y
            pooled[k].append((ev.h.meta_labels(pred[wrong]) == ev.h.meta_labels(y[wrong])).float())
            rates.append(meta_ok_given_leaf_wrong(pred, y, ev.h))
        per_seed.append(rates[1] - rates[0])
    pc, pp = (100 * torch.cat(pooled[k]).mean().item() for k in ("clean", key))
    return pp - pc, per_seed, len(torch.cat(pooled["clean"]))

# negative control of the erratum C003-5.09: PGD-Meta is the full-HAR PGD it is compared with
META_AS_PGD = {tier: [Control("meta-as-pgd", "PGD-Meta's slot is untargeted PGD on the full HAR, the attack it is "
                              "compared with", meta_as_pgd(s))] for tier, s in (("mini", DIGITS), ("paper", CIFAR100))}
