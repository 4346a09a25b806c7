"""beleidsgraaf: a knowledge graph of municipal policy (DIN) with cited answers.

The code lives in the top-level folders ontology/, ingest/, shapes/, queries/ and api/;
pyproject.toml maps them to the subpackages beleidsgraaf.ontology, beleidsgraaf.ingest, ...
so that the folders show the architecture and the imports stay unambiguous.
"""

__version__ = "0.1.0"
