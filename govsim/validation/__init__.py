"""Pattern-oriented validation: stylised facts from sources, checked against the model.

``govsim check`` runs :func:`check` on :func:`load_patterns`'s patterns
(``patterns.yaml``) and prints each pattern's source, observed value, model
value with its interval, and verdict; ``docs/validation.md`` reports them.
"""

from govsim.validation.check import CheckResult, Outcome, check
from govsim.validation.patterns import DEFAULT_PATTERNS, Pattern, PatternError, load_patterns

__all__ = ["DEFAULT_PATTERNS", "CheckResult", "Outcome", "Pattern", "PatternError", "check", "load_patterns"]
