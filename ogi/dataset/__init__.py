"""The comparison dataset (`ogi dataset`): every agency and year of many `ogi parse` runs in one
DuckDB database with Parquet, CSV and a Frictionless data package. See build.py."""
