"""The DfE's published validation rules for SSDA903 and the CIN census, one function each.

``run_rules(data, previous)`` runs every rule that applies to a return's kind and year and
returns a Failure for every failing row; ``RULES`` lists what is registered.
"""

from turnaround.returns.rules import cin, ssda903
from turnaround.returns.rules.registry import RULES, Hits, Rule, Tables, rule, rules_for, run_rules

__all__ = ["RULES", "Hits", "Rule", "Tables", "cin", "rule", "rules_for", "run_rules", "ssda903"]
