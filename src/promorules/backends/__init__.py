"""Optional evaluation backends: other engines that run the same rulesets.

They are oracles and integrations, not the default evaluator (``Ruleset.evaluate`` is).
Each backend imports its third-party engine lazily, so importing promorules never
imports them:

- :mod:`promorules.backends.durable`: pass/fail decisions as durable_rules rulesets
  (``pip install 'promorules[durable]'``).
"""

__all__: list[str] = []
