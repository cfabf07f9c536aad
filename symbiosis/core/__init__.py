"""The ground floor: the park data package and its rules. Imports nothing of flows/, matching/ or the top.

park, loader, schema, limits, units, taxonomy (the package and how it is read); datasets, factors (reference
tables); accounting, exchanges (rules every layer above applies the same way); plan, scenario (the contracts
the layers above exchange); errors, i18n, excel (messages and the one export guard); generate (synthetic parks).
"""
