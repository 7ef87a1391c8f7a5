import os

import torch

pytest_plugins = ["pytester"]
torch.set_num_threads(1)
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
