"""Era A (reports of 2008–2018): template `2008`, table `stats` (shared/reference/era-a.md).

Stages, each its own module: template (the registry's data), stream (a document as one text
with cell separators), appendix (the statistics table found by its labels), split (run-together
cells settled by identities, prose and neighbouring years), prose (figures stated in sentences),
checks (A1–A12, P1, X1), stage (the chain, as one Extraction), series (X1 across a run).
"""
