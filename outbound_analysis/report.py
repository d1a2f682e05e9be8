"""A report inside a notebook: load, filter, compute, show and export, one call per section.

A report notebook does::

    informe = oa.Informe("resumen", envios=envios, ..., salida=salida, interactivo=interactivo)
    informe.encabezado()        # data files, filters in force, load report
    informe.panel()             # filter panel (only when interactivo)
    informe.mostrar("embudo")   # one section: explanation, chart, table
    informe.exportar()          # CSV/JSON/XLSX into ``salida`` (the runner sets it)

Headless (papermill, nbval) sections display plain HTML and plotly figures. With
``interactivo`` each section is drawn inside an ``ipywidgets.Output`` that the panel
redraws when a filter changes, using the same :class:`Filtros` and metric functions.
"""

from __future__ import annotations

import datetime as dt
import html as _html_escape
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from . import _html, charts, metrics
from ._text import fmt_int, fmt_pct
from .errors import ParamsError
from .exports import export_report
from .filters import Filtros, envios_mask, unmatched_values
from .labels import CONCEPTO_LABELS, ORIGEN_LABELS
from .load import Dataset, load_data, read_secret_key
from .params import Parametros
from .privacy import anonymize

REPORTS = tuple(metrics.TABLES)
SECTIONS: dict[str, tuple[str, ...]] = {
    "resumen": ("kpis", "embudo", "por_origen", "reconciliacion", "fallas"),
    "detallado": ("tabla", "tasas", "envios", "contacto"),
    # flujos shows each of its tables, after the warning about mixed campaigns
    "flujos": ("aviso", *metrics.TABLES["flujos"]),
}

Part = str | go.Figure

#: what every section shows when no send passes the filters (all reports, all sections)
SIN_ENVIOS = "No hay envíos que cumplan los filtros elegidos."
#: flujos: sends pass the filters, but none of a flow campaign
SIN_ENVIOS_FLUJO = "No hay envíos de campañas de flujo que cumplan los filtros elegidos."
#: flujos: flow sends, but no eventos file was given
SIN_ARCHIVO_EVENTOS = (
    "No se indicó ningún archivo de eventos: sin eventos no se sabe qué respondieron los contactos en "
    "el flujo. Completá el parámetro eventos con la descarga de eventos de las conversaciones."
)
#: flujos: flow sends and eventos, but no evento of their conversations
SIN_EVENTOS_COINCIDENTES = (
    "Ningún evento coincide con las conversaciones de estos envíos: revisá el archivo de eventos (que sea "
    "de las mismas campañas y fechas que los envíos) y la columna conversacion_id de los dos archivos."
)
#: flujos: events of the conversations, but none written by the contact
SIN_RESPUESTAS = (
    "Ningún contacto escribió en las conversaciones de estos envíos: no hay flujos respondidos para analizar."
)


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


def render_into(out: object, parts: list[Part]) -> None:
    """Replace the contents of an ``ipywidgets.Output`` with ``parts``.

    Sets the widget's ``outputs`` directly instead of capturing with ``with out:``: a
    debounced widget callback runs outside any cell, where captured output is lost.
    """
    from IPython import get_ipython
    from IPython.core.formatters import DisplayFormatter
    from IPython.display import HTML

    shell = get_ipython()
    if shell is not None and hasattr(shell, "kernel"):
        formatter = shell.display_formatter
    else:  # outside a kernel (tests): every mimetype, as a kernel would produce
        formatter = DisplayFormatter()
        formatter.active_types = formatter.format_types
    bundles = []
    for part in parts:
        if isinstance(part, go.Figure):
            # a Figure displays itself (_ipython_display_) and the formatter returns nothing:
            # ask for its bundle (plotly mimetype for JupyterLab + offline HTML) directly
            data, metadata = part._repr_mimebundle_(), {}
        else:
            data, metadata = formatter.format(HTML(part))
        bundles.append({"output_type": "display_data", "data": data, "metadata": metadata})
    out.outputs = tuple(bundles)  # type: ignore[attr-defined]


def _display(parts: list[Part]) -> None:
    from IPython.display import HTML, display

    for part in parts:
        display(HTML(part) if isinstance(part, str) else part)


class Informe:
    """One report (resumen, detallado or flujos) over the loaded data and the current filters."""

    def __init__(
        self,
        nombre: str,
        *,
        salida: str = "",
        base: str | Path | None = None,
        cargar_eventos: bool | None = None,
        datos: Dataset | None = None,
        **params: object,
    ):
        """Load the files of ``params`` (or use ``datos``, already loaded) for report ``nombre``."""
        if nombre not in REPORTS:
            raise ParamsError(f"«{nombre}» no es un informe. Informes: {', '.join(REPORTS)}.")
        self.nombre = nombre
        self.parametros = Parametros.from_mapping(params, source=f"parámetros de {nombre}")
        self.base = Path(base) if base is not None else Path.cwd()
        # only flujos reads the events: resumen and detallado skip that load entirely
        if cargar_eventos is None:
            cargar_eventos = nombre == "flujos"
        self.datos: Dataset = (
            datos
            if datos is not None
            else load_data(
                self.parametros.envios,
                self.parametros.eventos if cargar_eventos else None,
                columnas=self.parametros.columnas,
                zona_horaria=self.parametros.zona_horaria,
                base=self.base,
            )
        )
        self.salida = salida
        self.interactivo = bool(self.parametros.interactivo) and _in_kernel()
        self._key = read_secret_key() if self.parametros.anonimizar else None
        self._profile: metrics.EventProfile | None = None
        self._outputs: list[tuple[str, object]] = []
        self.filtros = self.parametros.filtros()
        self._tables: dict[str, pd.DataFrame] | None = None
        self._env: pd.DataFrame | None = None

    @classmethod
    def de_datos(cls, nombre: str, datos: Dataset, **params: object) -> Informe:
        """A report over an already loaded :class:`Dataset`: no file is read.

        ``params`` are the usual parameters (filters, formatos, anonimizar...); ``envios``
        is not needed and the time zone defaults to the data's.
        """
        params.setdefault("envios", "(datos en memoria)")
        params.setdefault("zona_horaria", datos.zona_horaria)
        return cls(nombre, datos=datos, **params)

    # ------------------------------------------------------------------ state

    @property
    def envios(self) -> pd.DataFrame:
        """The sends that pass the current filters."""
        if self._env is None:
            self._env = self.datos.envios[envios_mask(self.datos.envios, self.filtros)]
        return self._env

    @property
    def perfil_eventos(self) -> metrics.EventProfile:
        if self._profile is None:
            self._profile = metrics.profile_events(self.datos.eventos)
        return self._profile

    @property
    def tablas(self) -> dict[str, pd.DataFrame]:
        """This report's tables for the current filters (pseudonymized when anonimizar)."""
        if self._tables is None:
            eventos = self.perfil_eventos if self.nombre == "flujos" else None
            tables = metrics.compute(self.nombre, self.envios, eventos)
            self._tables = anonymize(tables, self._key) if self._key is not None else tables
        return self._tables

    def aplicar(self, filtros: Filtros) -> None:
        """Use ``filtros`` from now on and redraw the interactive sections."""
        self.filtros = filtros
        self._tables = None
        self._env = None
        for seccion, out in self._outputs:
            render_into(out, self.partes(seccion))

    # ------------------------------------------------------------------ display

    def encabezado(self) -> None:
        """Data files, filters in force, the load report and any warning."""
        _display(self._header_parts())

    def _header_parts(self) -> list[Part]:
        d = self.datos
        env_total = d.totales("envios")
        ev_total = d.totales("eventos")
        items = [
            f"Envíos cargados: {fmt_int(len(d.envios))} de {fmt_int(env_total['leidas'])} filas leídas "
            f"({fmt_int(env_total['rechazadas'])} rechazadas, {fmt_int(env_total['duplicadas'])} "
            f"duplicadas, {fmt_int(env_total['reemplazadas'])} reemplazadas por una descarga posterior).",
        ]
        if len(d.archivos[d.archivos["tabla"] == "eventos"]):
            items.append(
                f"Eventos cargados: {fmt_int(len(d.eventos))} de {fmt_int(ev_total['leidas'])} filas "
                f"({fmt_int(ev_total['rechazadas'])} rechazadas)."
            )
        parts: list[Part] = [_html.STYLE, _html.bullet_list(items)]
        parts.append(_html.note(self.filtros.describe()))
        parts.append(
            _html.paragraph(
                f"Envíos que pasan los filtros: {fmt_int(len(self.envios))}. Generado el "
                f"{dt.datetime.now():%d/%m/%Y %H:%M}."
            )
        )
        files = d.archivos.assign(archivo=d.archivos["archivo"].map(lambda p: Path(p).name))
        parts.append(_html.table(files, sortable=False))
        if self.envios.empty:
            parts.append(_html.warn(self._sin_envios_text()))
        for text in unmatched_values(d.envios, self.filtros):
            parts.append(_html.warn(text + " Revisá cómo está escrito en los datos."))
        rejected = env_total["rechazadas"] + ev_total["rechazadas"]
        if rejected:
            real = d.rechazos[~d.rechazos["motivo"].str.contains("envio_id repetido|duplicado exacto")]
            reasons = real.groupby(["columna", "motivo"]).size().sort_values(ascending=False).head(3)
            top = "; ".join(f"{c}: {m} ({fmt_int(n)})" for (c, m), n in reasons.items())
            parts.append(
                _html.warn(
                    f"Se rechazaron {fmt_int(rejected)} filas con datos faltantes o ilegibles. Motivos más "
                    f"frecuentes: {top}. El detalle (archivo, fila, columna, valor, motivo) se exporta en "
                    "rechazos.csv; corregí esas filas en el archivo y volvé a correr el informe."
                )
            )
        if env_total["duplicadas"] or env_total["reemplazadas"]:
            parts.append(
                _html.note(
                    f"Descargas superpuestas: {fmt_int(env_total['duplicadas'])} envíos repetidos idénticos "
                    f"se contaron una sola vez y {fmt_int(env_total['reemplazadas'])} se tomaron de la "
                    "descarga leída después (su estado había cambiado). Están listados en rechazos.csv."
                )
            )
        if self._key is not None:
            parts.append(
                _html.note(
                    "Informe anonimizado: los contactos y teléfonos se muestran como seudónimos estables "
                    "(anon-…)."
                )
            )
        return parts

    def _sin_envios_text(self) -> str:
        """Why the report is empty, with the loaded date range so a wrong range is easy to spot."""
        text = SIN_ENVIOS[:-1] + ": ampliá las fechas o quitá algún filtro."
        fechas = self.datos.envios["fecha_envio"].dropna()
        if len(fechas):
            tz = self.filtros.zona_horaria
            first, last = fechas.min().tz_convert(tz), fechas.max().tz_convert(tz)
            text += f" Los envíos cargados van del {first:%d/%m/%Y} al {last:%d/%m/%Y}."
        else:
            text += " No se cargó ningún envío: revisá el reporte de carga."
        return text + " Las exportaciones se escriben igual, con sus encabezados y sin filas."

    def panel(self) -> None:
        """The filter panel, only when interactive (headless runs never display widgets)."""
        if not self.interactivo:
            return
        from .interactive import FilterPanel

        FilterPanel(self).show()

    def mostrar(self, seccion: str) -> None:
        """Display one section; in interactive mode it is redrawn when filters change."""
        valid = SECTIONS[self.nombre]
        if seccion not in valid:
            raise ParamsError(
                f"«{seccion}» no es una sección de {self.nombre}. Secciones: {', '.join(valid)}."
            )
        if not self.interactivo:
            _display(self.partes(seccion))
            return
        import ipywidgets as widgets
        from IPython.display import display

        if seccion == "contacto":
            from .interactive import contact_lookup

            display(contact_lookup(self))
            return
        out = widgets.Output()
        self._outputs.append((seccion, out))
        render_into(out, self.partes(seccion))
        display(out)

    def partes(self, seccion: str) -> list[Part]:
        """What a section shows (HTML fragments and figures), for the current filters."""
        renderer: Callable[[Informe], list[Part]] = _RENDERERS[(self.nombre, seccion)]
        if self.envios.empty:  # the same clear sentence in every section of every report
            return [_html.empty(SIN_ENVIOS)]
        return renderer(self)

    def buscar(self, texto: str) -> pd.DataFrame:
        """Every send (within the filters) to the contacts matching ``texto``."""
        found = metrics.buscar_contacto(self.envios, texto)
        if self._key is not None:
            found = anonymize({"t": found}, self._key)["t"]
        return found

    # ------------------------------------------------------------------ export

    def exportar(self, carpeta: str | Path | None = None) -> None:
        """Write the tables (CSV/JSON/XLSX per ``formatos``), the load report and the rejections.

        Without ``carpeta`` it writes into ``salida``; with neither, headless runs only
        say so and interactive sessions show an "Exportar" button.
        """
        target = carpeta or self.salida
        if not target:
            if self.interactivo:
                from IPython.display import display

                from .interactive import export_button

                display(export_button(self))
            else:
                _display(
                    [
                        _html.note(
                            "Sin carpeta de salida: no se exportó nada. El comando "
                            "`outbound-analysis run` la completa."
                        )
                    ]
                )
            return
        written = self.escribir(Path(target))
        names = ", ".join(p.name for p in written)
        notes = [_html.note(f"Exportado en {Path(target).name}/: {names}.")]
        cut = getattr(self, "_xlsx_cortadas", {})
        if cut:
            sheets = ", ".join(f"{name} ({fmt_int(n)})" for name, n in cut.items())
            notes.append(
                _html.warn(
                    f"El XLSX cortó {fmt_int(sum(cut.values()))} celdas de texto en 32.767 caracteres, el "
                    f"máximo de Excel (hojas: {sheets}). El texto completo está en los CSV y JSON; el "
                    "conteo queda en carga.csv y en la hoja «carga»."
                )
            )
        _display(notes)

    def escribir(self, carpeta: Path) -> list[Path]:
        """Write exports into ``carpeta`` without displaying anything; return the files.

        The tables in ``formatos``, plus ``rechazos.csv`` and ``carga.csv`` always, and the
        ``rechazos`` and ``carga`` sheets in the XLSX. The XLSX cells cut at 32,767
        characters are counted in carga and kept, per sheet, in ``_xlsx_cortadas``.
        """
        tables = {name: self.tablas[name] for name in metrics.TABLES[self.nombre]}
        rejects = self.datos.rechazos
        if self._key is not None:
            rejects = anonymize({"r": rejects}, self._key)["r"]
        result = export_report(
            tables,
            carpeta,
            self.nombre,
            self.parametros.formatos,
            rechazos=rejects,
            carga=self.datos.archivos,
        )
        self._xlsx_cortadas = result.cut
        return result.files

    def with_filtros(self, **changes: object) -> Informe:
        """A copy of this report with some filters changed (the data is not reloaded)."""
        other = self.como(self.nombre)
        other.filtros = replace(self.filtros, **changes)
        return other

    def como(self, nombre: str) -> Informe:
        """Another report (resumen, detallado, flujos) over the same loaded data and filters."""
        if nombre not in REPORTS:
            raise ParamsError(f"«{nombre}» no es un informe. Informes: {', '.join(REPORTS)}.")
        other = object.__new__(Informe)
        other.__dict__.update(self.__dict__)
        other.nombre = nombre
        other._tables = None
        other._env = None
        other._outputs = []
        return other


# ---------------------------------------------------------------------- section renderers


def _pct_of(n: int, total: int) -> str:
    return fmt_pct(n / total) if total else "–"


def _r_kpis(inf: Informe) -> list[Part]:
    k = inf.tablas["kpis"].iloc[0]
    ok = int(k["envios_exitosos"])
    items = [
        ("Total contactos", fmt_int(k["total_contactos"]), "contactos distintos en los envíos"),
        (
            "Envíos",
            fmt_int(k["envios"]),
            f"{fmt_int(ok)} exitosos · {fmt_int(k['envios_fallidos'])} fallidos · "
            f"{fmt_int(k['envios_pendientes'])} pendientes",
        ),
        ("Leídos", fmt_int(k["leidos"]), f"{_pct_of(k['leidos'], ok)} de los exitosos (mínimo)"),
        ("Respondidos", fmt_int(k["respondidos"]), f"{_pct_of(k['respondidos'], ok)} de los exitosos"),
        ("Asignadas", fmt_int(k["asignadas"]), f"{_pct_of(k['asignadas'], ok)} de los exitosos"),
        ("Ventas", fmt_int(k["ventas"]), f"{_pct_of(k['ventas'], ok)} de los exitosos"),
        (
            "Lectura no informada",
            fmt_int(k["lectura_no_informada"]),
            "exitosos sin dato de lectura ni respuesta",
        ),
        (
            "Conversaciones iniciadas",
            fmt_int(k["conversaciones_iniciadas"]),
            f"{fmt_int(k['sobre_conversacion_abierta'])} entraron en una conversación abierta",
        ),
    ]
    return [_html.STYLE, _html.cards(items)]


def _funnel_notes(inf: Informe) -> list[Part]:
    k = inf.tablas["kpis"].iloc[0]
    notes: list[Part] = []
    ok = inf.envios[(inf.envios["estado"] == "exitoso").to_numpy(dtype=bool, na_value=False)]
    assigned_no_reply = ok[
        ok["asignada"].to_numpy(dtype=bool, na_value=False)
        & ~ok["respondido"].to_numpy(dtype=bool, na_value=False)
    ]
    if k["asignadas"] > k["respondidos"] or len(assigned_no_reply):
        by_origin = assigned_no_reply["origen"].astype("string").value_counts()
        detail = ", ".join(f"{ORIGEN_LABELS.get(o, o)}: {fmt_int(n)}" for o, n in by_origin.items())
        notes.append(
            _html.warn(
                f"El embudo no siempre se achica: {fmt_int(len(assigned_no_reply))} envíos fueron asignados "
                f"sin respuesta informada ({detail or 'ninguno'}). Las plantillas individuales no informan "
                "lectura ni respuesta, pero el agente igual toma la conversación: por eso puede haber más "
                "asignadas que respondidas."
            )
        )
    if k["lectura_no_informada"]:
        notes.append(
            _html.note(
                f"{fmt_int(k['lectura_no_informada'])} envíos exitosos no informan lectura (ni tienen "
                "respuesta): no se cuentan como leídos ni como no leídos. WhatsApp solo informa la lectura "
                "si el contacto tiene activadas las confirmaciones, así que la tasa de lectura es un mínimo; "
                "una respuesta prueba que el mensaje se vio y por eso cuenta como leído."
            )
        )
    return notes


def _r_embudo(inf: Informe) -> list[Part]:
    table = inf.tablas["embudo"]
    return [charts.embudo(table), *_funnel_notes(inf), _html.table(table, sortable=False)]


def _r_por_origen(inf: Informe) -> list[Part]:
    return [_html.table(inf.tablas["por_origen"])]


def _r_reconciliacion(inf: Informe) -> list[Part]:
    table = inf.tablas["reconciliacion"]
    k = dict(zip(table["concepto"], table["cantidad"], strict=True))
    text = (
        f"De {fmt_int(k['envios_exitosos'])} envíos exitosos, {fmt_int(k['conversaciones_iniciadas'])} "
        f"abrieron una conversación nueva y {fmt_int(k['sobre_conversacion_abierta'])} entraron en una "
        "conversación que ya estaba abierta: el Reporte Outbound los cuenta como envíos exitosos, pero "
        "el Reporte General no los cuenta como conversaciones iniciadas."
    )
    if k["sin_dato_de_conversacion"]:
        text += f" {fmt_int(k['sin_dato_de_conversacion'])} no informan si abrieron conversación."
    shown = table.assign(concepto=table["concepto"].map(CONCEPTO_LABELS))
    return [charts.reconciliacion(table), _html.note(text), _html.table(shown, sortable=False)]


def _r_fallas(inf: Informe) -> list[Part]:
    table = inf.tablas["fallas"]
    if table.empty:
        return [_html.note("No hubo envíos fallidos con estos filtros.")]
    return [charts.fallas(table), _html.table(table)]


def _r_tabla(inf: Informe) -> list[Part]:
    return [_html.table(inf.tablas["detallado"])]


def _r_tasas(inf: Informe) -> list[Part]:
    return [charts.tasas_por_campana(inf.tablas["detallado"])]


def _r_envios(inf: Informe) -> list[Part]:
    return [_html.table(inf.tablas["envios"])]


def _r_contacto(inf: Informe) -> list[Part]:
    return [
        _html.note(
            "Para saber si un contacto respondió, abrí este notebook en JupyterLab (interactivo) y escribí "
            'su número o parte de él en el buscador, o ejecutá informe.buscar("1155") en una celda. El '
            "detalle completo de envíos está en la exportación envios.csv / detallado.xlsx."
        )
    ]


def _flujos_sin_datos(inf: Informe) -> str | None:
    """Why the flujos sections have nothing to show, or None when there are flujos respondidos.

    In order: no flow sends; no eventos file; no evento of the flow sends' conversations;
    events, but no conversation where the contact wrote (no flujo respondido).
    """
    scope = inf.envios[(inf.envios["origen"] == "flujo").to_numpy(dtype=bool, na_value=False)]
    if scope.empty:
        return SIN_ENVIOS_FLUJO
    if not (inf.datos.archivos["tabla"] == "eventos").any():
        return SIN_ARCHIVO_EVENTOS
    conversations = scope["conversacion_id"].dropna()
    if not (inf.perfil_eventos.codes(conversations) >= 0).any():
        return SIN_EVENTOS_COINCIDENTES
    if int(inf.tablas["resultados"].iloc[0]["flujos_respondidos"]) == 0:
        return SIN_RESPUESTAS
    return None


def _r_aviso(inf: Informe) -> list[Part]:
    campaigns = metrics.campanas_en_alcance(inf.envios)
    if not campaigns:
        return [_html.warn(SIN_ENVIOS_FLUJO[:-1] + ": el informe está vacío.")]
    parts: list[Part] = []
    if len(campaigns) > 1:
        listed = ", ".join(f"«{c}»" for c in campaigns[:10]) + (" …" if len(campaigns) > 10 else "")
        parts.append(
            _html.warn(
                f"Hay {len(campaigns)} campañas de flujo en el informe ({listed}). Cada campaña tiene su "
                "propio flujo: las opciones, tipificaciones y etiquetas se mezclan. Para leer bien esta "
                "sección elegí una sola campaña en el filtro campanas."
            )
        )
    else:
        parts.append(_html.note(f"Campaña analizada: «{_html_escape.escape(campaigns[0])}»."))
    reason = _flujos_sin_datos(inf)
    if reason is not None:
        parts.append(_html.warn(reason))
    return parts


def _r_resultados(inf: Informe) -> list[Part]:
    if _flujos_sin_datos(inf) == SIN_ENVIOS_FLUJO:
        return [_html.empty(SIN_ENVIOS_FLUJO)]
    r = inf.tablas["resultados"].iloc[0]
    ok = int(r["envios_exitosos"])
    items = [
        ("Total contactos", fmt_int(r["total_contactos"]), "contactos de los envíos de flujo"),
        ("Envíos exitosos", fmt_int(ok), "envíos de flujo exitosos"),
        ("Conversaciones", fmt_int(r["conversaciones"]), "conversaciones distintas de esos envíos"),
        ("Asignadas", fmt_int(r["asignadas"]), f"{_pct_of(r['asignadas'], ok)} de los exitosos"),
        ("Ventas", fmt_int(r["ventas"]), f"{_pct_of(r['ventas'], ok)} de los exitosos"),
        (
            "Flujos respondidos",
            fmt_int(r["flujos_respondidos"]),
            "conversaciones en las que el contacto escribió al menos una vez",
        ),
    ]
    return [_html.STYLE, _html.cards(items)]


def _count_section(
    table_name: str, label: str, title: str, color: str = "#1F5BD6", none: str = ""
) -> Callable[[Informe], list[Part]]:
    """A flujos count table with its bars; ``none`` says why the table is empty when it is."""

    def render(inf: Informe) -> list[Part]:
        reason = _flujos_sin_datos(inf)
        if reason is not None:
            return [_html.empty(reason)]
        table = inf.tablas[table_name]
        if table.empty and none:
            return [_html.empty(none)]
        return [charts.barras(table, label, title, color=color), _html.table(table)]

    return render


def _r_finalizacion(inf: Informe) -> list[Part]:
    reason = _flujos_sin_datos(inf)
    if reason is not None:
        return [_html.empty(reason)]
    table = inf.tablas["finalizacion"]
    return [charts.finalizacion(table), _html.table(table, sortable=False)]


def _level_section(table_name: str, label: str, title: str, none: str) -> Callable[[Informe], list[Part]]:
    """A flujos level funnel with its stacked bars; ``none`` says why it is empty when it is."""

    def render(inf: Informe) -> list[Part]:
        reason = _flujos_sin_datos(inf)
        if reason is not None:
            return [_html.empty(reason)]
        table = inf.tablas[table_name]
        if table.empty:
            return [_html.empty(none)]
        return [charts.embudo_niveles(table, label, title), _html.table(table)]

    return render


_RENDERERS: dict[tuple[str, str], Callable[[Informe], list[Part]]] = {
    ("resumen", "kpis"): _r_kpis,
    ("resumen", "embudo"): _r_embudo,
    ("resumen", "por_origen"): _r_por_origen,
    ("resumen", "reconciliacion"): _r_reconciliacion,
    ("resumen", "fallas"): _r_fallas,
    ("detallado", "tabla"): _r_tabla,
    ("detallado", "tasas"): _r_tasas,
    ("detallado", "envios"): _r_envios,
    ("detallado", "contacto"): _r_contacto,
    ("flujos", "aviso"): _r_aviso,
    ("flujos", "resultados"): _r_resultados,
    ("flujos", "primeras_opciones"): _count_section("primeras_opciones", "opcion", "Primera opción elegida"),
    ("flujos", "finalizacion"): _r_finalizacion,
    ("flujos", "embudo_tipificaciones"): _level_section(
        "embudo_tipificaciones",
        "tipificacion",
        "Embudo de tipificaciones por nivel",
        "Ninguna conversación respondida tiene tipificaciones en los eventos.",
    ),
    ("flujos", "embudo_etiquetas"): _level_section(
        "embudo_etiquetas",
        "etiqueta",
        "Embudo de etiquetas por nivel",
        "Ninguna conversación respondida tiene etiquetas en los eventos.",
    ),
    ("flujos", "ultimo_mensaje_abandono"): _count_section(
        "ultimo_mensaje_abandono",
        "mensaje",
        "Último mensaje del bot antes del abandono",
        color="#E4572E",
        none="Ningún flujo respondido terminó en abandono.",
    ),
}
