"""The two input tables: canonical columns, their kinds, header aliases and code labels.

This module is data only. The loader matches each file header against the aliases
below with :func:`outbound_analysis._text.key` (case, accents, spaces, punctuation and
Spanish function words do not matter), so ``"Fecha de envío"``, ``"FECHA ENVIO"`` and
``"fecha_envio"`` all name ``fecha_envio``. Aliases are listed in priority order: when
two headers of one file name the same column, the earlier alias wins and the other
header is reported as ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: id: identifier (arrow string); label: repeated name (category); text: free text (arrow
#: string); code: one of a fixed set (category); canal: platform code, maybe with its line.
Kind = Literal["id", "label", "text", "timestamp", "bool", "code", "canal", "list"]

ORIGENES: tuple[str, ...] = (
    "flujo",
    "plantilla",
    "plantilla_individual",
    "webhook",
    "mensaje_agente",
    "otro",
)
ESTADOS: tuple[str, ...] = ("exitoso", "fallido", "pendiente")
AUTORES: tuple[str, ...] = ("bot", "cliente", "agente")
FINALIZACIONES: tuple[str, ...] = ("abandono", "asignacion", "finalizacion_automatica")
TIPOS_TIPIFICACION: tuple[str, ...] = (
    "fin_positivo",
    "fin_negativo",
    "seguimiento",
    "fin_autogestion",
    "seguimiento_autogestion",
)
#: Tipos whose tipificaciones only a bot applies: they mark a flow that ended by itself.
TIPOS_AUTOGESTION: tuple[str, ...] = ("fin_autogestion", "seguimiento_autogestion")


@dataclass(frozen=True)
class Column:
    """One canonical column of an input table."""

    name: str
    kind: Kind
    required: bool
    aliases: tuple[str, ...]
    description: str
    #: for ``kind == "code"``: accepted codes (None = any value, normalized)
    codes: tuple[str, ...] | None = None


# Platform labels (by key) that name a code. Keys already equal to a code need no entry.
CODE_LABELS: dict[str, dict[str, str]] = {
    "origen": {
        "campana_flujo": "flujo",
        "flujos": "flujo",
        "bot": "flujo",
        "campana_plantilla": "plantilla",
        "plantillas": "plantilla",
        "plantilla_masiva": "plantilla",
        "template": "plantilla",
        "plantilla_individuales": "plantilla_individual",
        "plantillas_individuales": "plantilla_individual",
        "individual": "plantilla_individual",
        "campana_webhook": "webhook",
        "webhooks": "webhook",
        "api": "webhook",
        "mensaje_agente": "mensaje_agente",
        "mensajes_agente": "mensaje_agente",
        "agente": "mensaje_agente",
        "otros": "otro",
    },
    "estado": {
        "enviado": "exitoso",
        "enviada": "exitoso",
        "entregado": "exitoso",
        "entregada": "exitoso",
        "exito": "exitoso",
        "exitosa": "exitoso",
        "ok": "exitoso",
        "sent": "exitoso",
        "delivered": "exitoso",
        "read": "exitoso",
        "success": "exitoso",
        "error": "fallido",
        "fallida": "fallido",
        "fallo": "fallido",
        "failed": "fallido",
        "rechazado": "fallido",
        "pendiente": "pendiente",
        "cola": "pendiente",  # key("En cola"): "en" is a dropped function word
        "enviando": "pendiente",
        "pending": "pendiente",
        "queued": "pendiente",
    },
    "autor": {
        "contacto": "cliente",
        "usuario": "cliente",
        "customer": "cliente",
        "user": "cliente",
        "flujo": "bot",
        "sistema": "bot",
        "asesor": "agente",
        "operador": "agente",
        "agent": "agente",
    },
    "finalizacion": {
        "abandonado": "abandono",
        "asignado": "asignacion",
        "asignada": "asignacion",
        "asignacion_agente": "asignacion",
        "asignado_agente": "asignacion",
        "automatica": "finalizacion_automatica",
        "finalizacion_automatica": "finalizacion_automatica",
        "fin_automatico": "finalizacion_automatica",
    },
    "tipo_tipificacion": {
        "fin_autogestionado": "fin_autogestion",
        "seguimiento_autogestionado": "seguimiento_autogestion",
    },
}

# Channel labels (by key) for platforms written out in full.
CANAL_LABELS: dict[str, str] = {
    "whatsapp": "WA",
    "wa": "WA",
    "facebook": "FB",
    "messenger": "FB",
    "facebook_messenger": "FB",
    "instagram": "IG",
    "web": "WEB",
    "webchat": "WEB",
    "web_chat": "WEB",
    "telegram": "TW",
}

_TIPIF_ALIASES = ("Tipificación", "Tipificación final", "Última tipificación")
_TIPO_TIPIF_ALIASES = ("Tipo de tipificación", "Tipo tipificación", "Tipo de tipificación final")
_CONV_ALIASES = ("ID de conversación", "ID conversación", "Conversación", "Conversación ID")

ENVIOS: tuple[Column, ...] = (
    Column(
        "envio_id", "id", True, ("ID de envío", "ID envío", "Envío", "ID"), "identificador único del envío"
    ),
    Column(
        "fecha_envio",
        "timestamp",
        True,
        ("Fecha de envío", "Fecha y hora de envío", "Fecha envío", "Fecha"),
        "cuándo se intentó el envío",
    ),
    Column(
        "campana", "label", True, ("Nombre de campaña", "Campaña", "Nombre campaña"), "nombre de la campaña"
    ),
    Column(
        "origen",
        "code",
        True,
        ("Tipo de origen", "Origen", "Tipo de campaña"),
        "cómo se envió la campaña",
        ORIGENES,
    ),
    Column(
        "canal", "canal", True, ("Canal",), "código de la plataforma en mayúsculas (WA, FB, IG, WEB, TW...)"
    ),
    Column(
        "linea",
        "label",
        False,
        ("Línea", "Número de línea", "Línea del canal", "Página"),
        "número o página del canal",
    ),
    Column(
        "contacto_id",
        "id",
        True,
        (
            "Teléfono",
            "Contacto",
            "ID de contacto",
            "Teléfono del contacto",
            "Número de teléfono",
            "Celular",
            "Cliente",
            "PSID",
        ),
        "el contacto (teléfono, PSID...)",
    ),
    Column(
        "estado",
        "code",
        True,
        ("Estado", "Estado del envío", "Estado de envío"),
        "resultado del envío",
        ESTADOS,
    ),
    Column(
        "codigo_error",
        "label",
        False,
        ("Código de error", "Error", "Código error"),
        "código de error del proveedor de un envío fallido",
    ),
    Column("conversacion_id", "id", False, _CONV_ALIASES, "conversación en la que quedó el envío"),
    Column(
        "conversacion_nueva",
        "bool",
        False,
        ("Conversación nueva", "Nueva conversación", "Inició conversación", "Conversación iniciada"),
        "sí: el envío abrió una conversación nueva; no: entró en una ya abierta",
    ),
    Column(
        "leido",
        "bool",
        False,
        ("Leído", "Leída", "Visto", "Vista"),
        "el contacto leyó el mensaje (vacío = no informado)",
    ),
    Column(
        "respondido",
        "bool",
        False,
        ("Respondido", "Respondida", "Respuesta"),
        "el contacto respondió (vacío = no informado)",
    ),
    Column(
        "asignada",
        "bool",
        False,
        ("Asignada", "Asignado", "Asignación"),
        "la conversación pasó a un agente (vacío = no informado)",
    ),
    Column(
        "fecha_lectura",
        "timestamp",
        False,
        ("Fecha de lectura", "Fecha leído", "Fecha visto"),
        "cuándo se leyó; si hay fecha, se leyó",
    ),
    Column(
        "fecha_respuesta",
        "timestamp",
        False,
        ("Fecha de respuesta", "Fecha respondido"),
        "cuándo respondió; si hay fecha, respondió",
    ),
    Column(
        "fecha_asignacion",
        "timestamp",
        False,
        ("Fecha de asignación", "Fecha asignada"),
        "cuándo se asignó; si hay fecha, se asignó",
    ),
    Column("grupo", "label", False, ("Grupo", "Último grupo", "Equipo"), "último grupo asignado"),
    Column("agente", "label", False, ("Agente", "Último agente", "Asesor"), "último agente asignado"),
    Column("tipificacion", "label", False, _TIPIF_ALIASES, "tipificación final de la conversación"),
    Column(
        "tipo_tipificacion",
        "code",
        False,
        _TIPO_TIPIF_ALIASES,
        "tipo de la tipificación (otros valores se conservan normalizados)",
    ),
    Column(
        "venta",
        "bool",
        False,
        ("Venta", "Es venta", "Tipificación de venta"),
        "se aplicó alguna vez una tipificación marcada como venta",
    ),
    Column(
        "etiquetas",
        "list",
        False,
        ("Etiquetas", "Etiqueta", "Tags"),
        "etiquetas de la conversación, separadas por | o ,",
    ),
)

EVENTOS: tuple[Column, ...] = (
    Column("conversacion_id", "id", True, _CONV_ALIASES, "une con envios.conversacion_id"),
    Column(
        "fecha", "timestamp", True, ("Fecha", "Fecha y hora", "Fecha del mensaje", "Hora"), "cuándo ocurrió"
    ),
    Column(
        "autor",
        "code",
        True,
        ("Autor", "Emisor", "Remitente", "Enviado por"),
        "quién escribió: bot, cliente o agente",
        AUTORES,
    ),
    Column(
        "mensaje", "text", False, ("Mensaje", "Texto", "Contenido", "Texto del mensaje"), "texto del mensaje"
    ),
    Column("nodo", "label", False, ("Nodo", "Paso", "Paso del flujo", "Bloque"), "paso del flujo"),
    Column(
        "opcion",
        "label",
        False,
        ("Opción", "Opción elegida", "Botón"),
        "opción de menú o botón que eligió el contacto",
    ),
    Column("tipificacion", "label", False, ("Tipificación",), "tipificación aplicada en este paso"),
    Column("tipo_tipificacion", "code", False, _TIPO_TIPIF_ALIASES, "tipo de esa tipificación"),
    Column("etiqueta", "label", False, ("Etiqueta", "Etiquetas", "Tag"), "etiqueta aplicada en este paso"),
    Column(
        "finalizacion",
        "code",
        False,
        ("Finalización", "Tipo de finalización", "Motivo de finalización"),
        "abandono, asignacion o finalizacion_automatica",
        FINALIZACIONES,
    ),
)

TABLES: dict[str, tuple[Column, ...]] = {"envios": ENVIOS, "eventos": EVENTOS}


def column_names(table: str) -> list[str]:
    """Canonical column names of ``table`` ("envios" or "eventos"), in contract order."""
    return [c.name for c in TABLES[table]]


def alias_table_markdown() -> str:
    """The alias table as Markdown (docs/contrato.md embeds it; a test keeps them equal)."""
    kinds = {
        "id": "identificador (texto)",
        "label": "nombre (texto)",
        "text": "texto libre",
        "timestamp": "fecha y hora",
        "bool": "sí/no",
        "code": "código",
        "canal": "código de canal",
        "list": "lista de etiquetas",
    }
    lines = []
    for table, columns in TABLES.items():
        lines += [
            f"#### {table}",
            "",
            "| columna | tipo | obligatoria | encabezados aceptados | significado |",
            "|---|---|---|---|---|",
        ]
        for c in columns:
            codes = f" ({', '.join(c.codes)})" if c.codes else ""
            aliases = ", ".join(f"«{a}»" for a in (c.name, *c.aliases))
            lines.append(
                f"| {c.name} | {kinds[c.kind]}{codes} | {'sí' if c.required else 'no'} | "
                f"{aliases} | {c.description} |"
            )
        lines.append("")
    return "\n".join(lines)
