"""What a scenario is: financial years, dotted paths, vocabularies, field metadata, the typed
frozen assumption models, the rules that need more than one field, loading and reference data.

Imports only the standard library, numpy-free third parties (pydantic, PyYAML, pandas for the
reference tables) and its own modules.
"""
