"""Datasets (torchvision-backed and embedded) as in-memory Splits, and dataset variants."""
from robustsuite.data.datasets import DATASETS, list_datasets, load_dataset, register_dataset
from robustsuite.data.split import Split
from robustsuite.data.variants import TRANSFORMS, DataSpec, register_transform

__all__ = ["DATASETS", "TRANSFORMS", "DataSpec", "Split", "register_transform", "list_datasets", "load_dataset", "register_dataset"]
