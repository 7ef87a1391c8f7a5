"""Datasets (torchvision-backed and embedded) as in-memory Splits, streamed ones (too large for
memory) as Streams, and dataset variants."""
import importlib
import pkgutil

from robustsuite.data.datasets import DATASETS, list_datasets, load_dataset, register_dataset
from robustsuite.data.split import Split
from robustsuite.data.stream import Stream
from robustsuite.data.variants import TRANSFORMS, DataSpec, register_transform

for _m in pkgutil.iter_modules(__path__):  # dataset and transform files register themselves on import
    importlib.import_module(f"{__name__}.{_m.name}")

__all__ = ["DATASETS", "TRANSFORMS", "DataSpec", "Split", "Stream", "list_datasets", "load_dataset", "register_dataset",
           "register_transform"]
