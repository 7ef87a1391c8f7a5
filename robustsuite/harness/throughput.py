"""Count the images that go through models, for a throughput figure (images/s) in every record.

While a `ForwardCounter` is active, global module hooks add the batch size of every *outermost*
module call (a model's forward, not its layers'): training steps, attack steps and evaluation
all count, so images/s is the model-forward throughput the case achieved. Backward passes are
not counted separately. Only cases that use the `rs` fixture are counted (perf benchmarks set
their own figure), and never under torch.compile, whose graphs the hooks would break.
"""
from __future__ import annotations

import torch
from torch.nn.modules import module as _module


class ForwardCounter:
    def __init__(self) -> None:
        self.images = 0
        self.calls = 0
        self._depth = 0
        self._handles: list = []

    def _pre(self, mod, args) -> None:
        if self._depth == 0 and args and isinstance(args[0], torch.Tensor) and args[0].dim() > 0:
            self.images += int(args[0].shape[0])
            self.calls += 1
        self._depth += 1

    def _post(self, mod, args, out) -> None:
        self._depth = max(0, self._depth - 1)

    def __enter__(self) -> "ForwardCounter":
        self._handles = [_module.register_module_forward_pre_hook(self._pre),
                         _module.register_module_forward_hook(self._post, always_call=True)]
        return self

    def __exit__(self, *exc) -> None:
        for h in self._handles:
            h.remove()
        self._handles = []
