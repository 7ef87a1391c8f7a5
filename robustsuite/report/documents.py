"""Short titles of the source documents, keyed by the document ids of `robustsuite.claims.FAMILIES`."""
from __future__ import annotations

from robustsuite.claims import FAMILIES

TITLES = {
    "000_26f91df1a62d2ee7": "Advancing the adversarial robustness of neural networks from the data perspective",
    "001_2bae822e47c6d8f5": "On the sensitivity of adversarial robustness to input data distributions",
    "002_88526a5ffe8b7d5d": "Disentangling adversarial robustness and generalization (Stutz et al.)",
    "003_cfec855d4f89a13d": "Understanding adversarial robustness in deep learning (thesis, B. Ma)",
}


def document_title(document: str) -> str:
    """'TITLE [id]' for a known document, the id itself otherwise."""
    title = TITLES.get(document)
    return f"{title} [{document}]" if title else document


def document_families(document: str) -> list[str]:
    """The claim families checking a document."""
    return sorted(f for f, (doc, _) in FAMILIES.items() if doc == document)
