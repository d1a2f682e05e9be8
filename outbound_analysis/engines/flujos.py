"""The flujos report's tables on the SQL engines (DuckDB, Spark): one query per table."""

from __future__ import annotations

from ._registro import CONSULTAS

TABLAS = CONSULTAS["flujos"]
