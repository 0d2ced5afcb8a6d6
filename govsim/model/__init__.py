"""The agent-based model: GovModel and its actors. Knows nothing of files or the CLI.

``GovModel`` is loaded on first use so that policies can import the model's
array helpers without a circular import.
"""

__all__ = ["GovModel"]


def __getattr__(name: str):
    if name == "GovModel":
        from govsim.model.govmodel import GovModel

        return GovModel
    raise AttributeError(f"module 'govsim.model' has no attribute {name!r}")
