"""One torch thread: these tests run beside other work on a small shared CPU."""
import torch

torch.set_num_threads(1)
