"""Where the SQL engines run: one query text, DuckDB or Spark underneath.

Every query is written once, in DuckDB's SQL, as a Jinja template; a few dialect
macros cover what no transpiler maps (local time in a zone). :class:`DuckDB` runs the
text as is; :class:`Spark` transpiles it with sqlglot (``read="duckdb", write="spark"``)
and runs it through ``spark.sql``. Both return pandas DataFrames of the (small) result.

The relations a query reads are ``envios`` and ``eventos`` as the loader normalizes them
(one row per send / per event, the loader's column names and types; ``eventos`` carries
``orden``, its position in the loaded files, so "by fecha, then file order" survives
partitioning) and ``sel``, the sends that pass the filters (see :func:`where_filtros`).

>>> render("SELECT {{ local('fecha_envio') }} AS f FROM envios", DUCKDB_DIALECT)
"SELECT timezone('America/Argentina/Buenos_Aires', fecha_envio) AS f FROM envios"
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jinja2
import pandas as pd
import pyarrow as pa

from ..errors import EngineMemoryError, ParamsError
from ..filters import LIST_FILTERS, Filtros
from ..load import DEFAULT_TZ


@dataclass(frozen=True)
class Dialect:
    """The few expressions a query needs that differ by engine (everything else: sqlglot)."""

    name: str
    tz: str = DEFAULT_TZ

    def local(self, column: str) -> str:
        """``column`` (an instant) as wall-clock time in the report's zone (a naive timestamp)."""
        if self.name == "spark":
            return f"from_utc_timestamp({column}, '{self.tz}')"
        return f"timezone('{self.tz}', {column})"

    def instant(self, local_text: str) -> str:
        """The instant of wall-clock ``local_text`` (``'2026-08-01 00:00:00'``) in the report's zone."""
        if self.name == "spark":
            return f"to_utc_timestamp(TIMESTAMP '{local_text}', '{self.tz}')"
        return f"timezone('{self.tz}', TIMESTAMP '{local_text}')"

    def micros(self, expr: str) -> str:
        """Microseconds since the epoch of instant ``expr`` (a BIGINT)."""
        if self.name == "spark":
            return f"unix_micros({expr})"
        return f"epoch_us(CAST({expr} AS TIMESTAMPTZ))"

    def quantile(self, expr: str, q: float) -> str:
        """The ``q`` quantile of ``expr`` with linear interpolation (as pandas' default)."""
        if self.name == "spark":
            return f"percentile({expr}, {q})"
        return f"quantile_cont({expr}, {q})"


DUCKDB_DIALECT = Dialect("duckdb")
SPARK_DIALECT = Dialect("spark")

_JINJA = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True)


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def render(template: str, dialect: Dialect, **context: object) -> str:
    """``template`` with the dialect's macros (``local``, ``instant``) and ``context`` filled in."""
    return _JINJA.from_string(template).render(
        local=dialect.local,
        instant=dialect.instant,
        quantile=dialect.quantile,
        micros=dialect.micros,
        q=_quote,
        **context,
    )


def where_filtros(filtros: Filtros | None, dialect: Dialect) -> str:
    """The SQL condition of CONTRACT §2 for ``filtros`` over ``envios`` (``TRUE`` when none).

    Same rules as :func:`outbound_analysis.filters.envios_mask`: inclusive local dates,
    a list keeps rows whose value is in it, a row with no value fails a non-empty list.
    """
    if filtros is None:
        return "TRUE"
    d = Dialect(dialect.name, filtros.zona_horaria)
    parts = []
    if filtros.fecha_desde is not None:
        parts.append(f"fecha_envio >= {d.instant(f'{filtros.fecha_desde:%Y-%m-%d} 00:00:00')}")
    if filtros.fecha_hasta is not None:
        end = filtros.fecha_hasta + dt.timedelta(days=1)
        parts.append(f"fecha_envio < {d.instant(f'{end:%Y-%m-%d} 00:00:00')}")
    for name, (column, _) in LIST_FILTERS.items():
        values = getattr(filtros, name)
        if values:
            parts.append(f"{column} IN ({', '.join(_quote(v) for v in values)})")
    return " AND ".join(parts) or "TRUE"


def _spark_sql(sql: str) -> str:
    import sqlglot

    return ";\n".join(sqlglot.transpile(sql, read="duckdb", write="spark"))


class Motor:
    """An SQL engine: relations by name, and queries in DuckDB's SQL that return DataFrames."""

    nombre: str
    dialecto: Dialect

    def registrar(self, nombre: str, datos: pd.DataFrame | str | Path | list[Path]) -> None:
        """Make ``datos`` (a DataFrame, or Parquet: a file, folder, glob or list of files)
        queryable as ``nombre``."""
        raise NotImplementedError

    def vista(self, nombre: str, sql: str) -> None:
        """Define ``nombre`` as the (lazy) result of ``sql``."""
        raise NotImplementedError

    def consulta(self, sql: str) -> pd.DataFrame:
        """The result of ``sql`` (DuckDB dialect) as a pandas DataFrame."""
        raise NotImplementedError

    def consulta_lotes(self, sql: str, filas: int = 100_000) -> Iterator[pa.Table]:
        """The result of ``sql`` as Arrow tables of about ``filas`` rows (here: one chunk)."""
        frame = self.consulta(sql)
        if len(frame):
            yield pa.Table.from_pandas(frame, preserve_index=False)

    def materializar(self, nombre: str, sql: str) -> None:
        """Compute ``sql`` (DuckDB dialect) once and keep its rows as ``nombre``, until the data are
        registered again (:meth:`materializada`). Out of core on both engines: DuckDB writes a
        temp table (spilled to disk past its memory limit), Spark persists MEMORY_AND_DISK."""
        raise NotImplementedError

    def materializada(self, nombre: str) -> bool:
        """Whether ``nombre`` was materialized since the last :meth:`registrar` (of any relation)."""
        return nombre in self._materializadas

    @property
    def _materializadas(self) -> set[str]:
        """The relations materialized since the last :meth:`registrar`."""
        return self.__dict__.setdefault("_materiales", set())

    def render(self, template: str, tz: str = DEFAULT_TZ, **context: object) -> str:
        return render(template, Dialect(self.dialecto.name, tz), tz=tz, **context)


#: DuckDB's memory limit unless ``memoria`` or ``$OUTBOUND_ANALYSIS_DUCKDB_MEMORIA`` says otherwise:
#: past it DuckDB spills to disk, so a report over tens of millions of sends stays within a few GB
DUCKDB_MEMORIA = "3GB"
DUCKDB_MEMORIA_ENV = "OUTBOUND_ANALYSIS_DUCKDB_MEMORIA"
#: the share of that limit a streamed result (the per-send detail, sorted) may use: the rest is for
#: the chunks it hands to Python and the writers working on them, in the same process (at 30
#: million sends the export peaked at 4.2 GB with the whole limit, 3.2 GB with two thirds)
LOTES_FRACCION = 2 / 3
_UNIDADES = {"bytes": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40}


def tamano_en_bytes(texto: str) -> int:
    """DuckDB's way of showing a size, in bytes.

    >>> tamano_en_bytes("2.7 GiB"), tamano_en_bytes("512.0 MiB"), tamano_en_bytes("100 bytes")
    (2899102924, 536870912, 100)
    """
    numero, unidad = texto.split()
    return int(float(numero) * _UNIDADES[unidad])


class DuckDB(Motor):
    """DuckDB, embedded: reads Parquet out of core, spills to disk past ``memoria``.

    ``memoria`` (a DuckDB size such as "3GB") defaults to ``$OUTBOUND_ANALYSIS_DUCKDB_MEMORIA``,
    else :data:`DUCKDB_MEMORIA`; the spill goes to the system's temporary folder.
    """

    nombre = "duckdb"
    dialecto = DUCKDB_DIALECT

    def __init__(self, memoria: str | None = None, hilos: int | None = None) -> None:
        import duckdb

        self.con = duckdb.connect(config={"threads": hilos or os.cpu_count() or 1})
        limit = memoria or os.environ.get(DUCKDB_MEMORIA_ENV, "").strip() or DUCKDB_MEMORIA
        try:
            self.con.execute(f"SET memory_limit = {_quote(limit)}")
        except duckdb.Error as error:
            raise ParamsError(
                f"{DUCKDB_MEMORIA_ENV}={limit!r} no es un tamaño de memoria: usá por ejemplo 3GB o 500MB."
            ) from error
        self.memoria = limit
        spill = Path(tempfile.gettempdir()) / "outbound_analysis-duckdb"
        self.con.execute(f"SET temp_directory = {_quote(str(spill))}")
        self.con.execute("SET TimeZone = 'UTC'")

    def registrar(self, nombre: str, datos: pd.DataFrame | str | Path | list[Path]) -> None:
        self._materializadas.clear()  # computed from the previous data
        if isinstance(datos, pd.DataFrame):
            self.con.register(nombre, datos)
            return
        if isinstance(datos, list):
            source = "[" + ", ".join(_quote(str(f)) for f in datos) + "]"
        else:
            path = Path(datos)
            source = _quote(str(path / "**" / "*.parquet") if path.is_dir() else str(path))
        self.con.execute(
            f"CREATE OR REPLACE VIEW {nombre} AS SELECT * FROM read_parquet({source}, "
            "hive_partitioning = false, union_by_name = true)"
        )

    def vista(self, nombre: str, sql: str) -> None:
        self.con.execute(f"CREATE OR REPLACE TEMP VIEW {nombre} AS {sql}")

    def consulta(self, sql: str) -> pd.DataFrame:
        with self._sin_memoria():
            return self.con.execute(sql).df()

    def consulta_lotes(self, sql: str, filas: int = 100_000) -> Iterator[pa.Table]:
        # on the connection itself (a cursor does not see its temp views): no other query may
        # run on this engine until the chunks are read
        with self._sin_memoria(), self._limite(LOTES_FRACCION):
            reader = self.con.sql(sql).to_arrow_reader(filas)
            try:
                for batch in reader:
                    if batch.num_rows:
                        yield pa.Table.from_batches([batch])
            finally:
                reader.close()  # the connection takes queries again (the limit's restore first)

    def materializar(self, nombre: str, sql: str) -> None:
        with self._sin_memoria():
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE {nombre} AS {sql}")
        self._materializadas.add(nombre)

    @contextlib.contextmanager
    def _limite(self, fraccion: float) -> Iterator[None]:
        """DuckDB's memory limit lowered to ``fraccion`` of itself for a while, then restored."""
        actual = str(self.con.execute("SELECT current_setting('memory_limit')").fetchone()[0])  # type: ignore[index]
        self.con.execute(f"SET memory_limit = '{int(tamano_en_bytes(actual) * fraccion)}B'")
        try:
            yield
        finally:
            self.con.execute(f"SET memory_limit = {_quote(self.memoria)}")

    @contextlib.contextmanager
    def _sin_memoria(self) -> Iterator[None]:
        """DuckDB's out-of-memory error as a Spanish one that says how to get past it.

        Most of a query spills to disk past the limit; some parts cannot (the quantiles of
        ``tiempos`` hold their values: 30 million sends need the 3 GB default).
        """
        import duckdb

        try:
            yield
        except duckdb.OutOfMemoryException as error:
            raise EngineMemoryError(
                f"DuckDB se quedó sin memoria: su límite es {self.memoria} y esta consulta necesita más "
                "(los cuantiles de tiempos, por ejemplo, no pueden pasar a disco). Subí el límite con la "
                f"variable de entorno {DUCKDB_MEMORIA_ENV} (por ejemplo 4GB u 8GB, sin pasar la memoria "
                "de la máquina) o achicá la selección con fecha_desde y fecha_hasta."
            ) from error


class Spark(Motor):
    """Spark through pyspark: ``master`` local (tests, one machine) or a cluster URL.

    ``master`` None reads ``OUTBOUND_ANALYSIS_SPARK_MASTER`` (default ``local[2]``); a
    Spark Connect URL (``sc://host:15002``) goes through ``SparkSession.builder.remote``.
    """

    nombre = "spark"
    dialecto = SPARK_DIALECT

    def __init__(self, master: str | None = None) -> None:
        self.spark = _spark_session(master or os.environ.get("OUTBOUND_ANALYSIS_SPARK_MASTER", "local[2]"))

    def registrar(self, nombre: str, datos: pd.DataFrame | str | Path | list[Path]) -> None:
        self._materializadas.clear()  # computed from the previous data
        if isinstance(datos, pd.DataFrame):
            # through Arrow: keeps every column's type (list<string> etiquetas, all-NA and empty columns)
            table = pa.Table.from_pandas(_spark_ready(datos), preserve_index=False)
            frame = self.spark.createDataFrame(table)
        else:
            files = datos if isinstance(datos, list) else [datos]
            frame = self.spark.read.parquet(*(str(f) for f in files))
        frame.createOrReplaceTempView(nombre)

    def vista(self, nombre: str, sql: str) -> None:
        self.spark.sql(_spark_sql(sql)).createOrReplaceTempView(nombre)

    def consulta(self, sql: str) -> pd.DataFrame:
        import warnings

        with warnings.catch_warnings():
            # pyspark 4's toPandas passes copy= to pandas 3 (a Pandas4Warning) when it converts instants
            warnings.filterwarnings("ignore", message="The copy keyword is deprecated")
            return self.spark.sql(_spark_sql(sql)).toPandas()

    def materializar(self, nombre: str, sql: str) -> None:
        from pyspark import StorageLevel

        persisted: dict[str, object] = self.__dict__.setdefault("_persistidas", {})
        old = persisted.pop(nombre, None)
        if old is not None:
            old.unpersist()  # type: ignore[attr-defined]
        frame = self.spark.sql(_spark_sql(sql)).persist(StorageLevel.MEMORY_AND_DISK)
        frame.count()  # filled now: the queries (and relations materialized later) read the cache
        frame.createOrReplaceTempView(nombre)
        persisted[nombre] = frame
        self._materializadas.add(nombre)


@cache
def _spark_session(master: str):  # pyspark is optional: imported here
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("outbound_analysis")
    builder = builder.remote(master) if master.startswith("sc://") else builder.master(master)
    session = (
        builder.config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC")
        .config("spark.executor.extraJavaOptions", "-Duser.timezone=UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


def _spark_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with types Spark's Arrow conversion takes: categories as text, instants in UTC."""
    out = {}
    for name, col in frame.items():
        if isinstance(col.dtype, pd.CategoricalDtype):
            col = col.astype("string")
        elif isinstance(col.dtype, pd.DatetimeTZDtype):
            col = col.dt.tz_convert("UTC")
        out[name] = col
    return pd.DataFrame(out, index=range(len(frame)))


def motor(nombre: str, **opciones: object) -> Motor:
    """The engine called ``nombre`` ("duckdb" or "spark")."""
    engines: Mapping[str, type[Motor]] = {"duckdb": DuckDB, "spark": Spark}
    if nombre not in engines:
        raise ValueError(f"unknown SQL engine {nombre!r}")
    return engines[nombre](**opciones)  # type: ignore[arg-type]
