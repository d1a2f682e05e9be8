"""Spanish labels for what a person reads: table headers, stages, codes, error meanings.

CSV and JSON exports keep the contract's column names; the HTML tables and the XLSX
headers use these labels.
"""

from __future__ import annotations

COLUMN_LABELS: dict[str, str] = {
    "total_contactos": "Total contactos",
    "envios": "Envíos",
    "envios_exitosos": "Envíos exitosos",
    "envios_fallidos": "Envíos fallidos",
    "envios_pendientes": "Envíos pendientes",
    "leidos": "Leídos",
    "respondidos": "Respondidos",
    "asignadas": "Asignadas",
    "ventas": "Ventas",
    "lectura_no_informada": "Lectura no informada",
    "conversaciones_iniciadas": "Conversaciones iniciadas",
    "sobre_conversacion_abierta": "Sobre conversación abierta",
    "etapa": "Etapa",
    "cantidad": "Cantidad",
    "pct_envios": "% de envíos exitosos",
    "pct_etapa_anterior": "% de la etapa anterior",
    "campana": "Campaña",
    "origen": "Origen",
    "canal": "Canal",
    "linea": "Línea",
    "vistas": "Vistas",
    "respondidas": "Respondidas",
    "pct_vistas": "% vistas",
    "pct_respondidas": "% respondidas",
    "pct_asignadas": "% asignadas",
    "pct_ventas": "% ventas",
    "envio_id": "ID de envío",
    "fecha_envio": "Fecha de envío",
    "contacto_id": "Contacto",
    "estado": "Estado",
    "codigo_error": "Código de error",
    "conversacion_id": "ID de conversación",
    "conversacion_nueva": "Conversación nueva",
    "leido": "Leído",
    "visto": "Visto (leído o respondido)",
    "respondido": "Respondido",
    "asignada": "Asignada",
    "venta": "Venta",
    "fecha_lectura": "Fecha de lectura",
    "fecha_respuesta": "Fecha de respuesta",
    "fecha_asignacion": "Fecha de asignación",
    "grupo": "Grupo",
    "agente": "Agente",
    "tipificacion": "Tipificación",
    "tipo_tipificacion": "Tipo de tipificación",
    "etiquetas": "Etiquetas",
    "etiqueta": "Etiqueta",
    "conversaciones": "Conversaciones",
    "flujos_respondidos": "Flujos respondidos",
    "opcion": "Opción",
    "pct": "%",
    "finalizacion": "Finalización",
    "nivel": "Nivel",
    "mensaje": "Mensaje",
    "concepto": "Concepto",
    "pct_exitosos": "% de envíos exitosos",
    "descripcion": "Significado",
    "pct_leidos": "% leídos",
    "pct_respondidos": "% respondidos",
    "pct_lectura_no_informada": "% lectura no informada",
    "leidas": "Leídas",
    "cargadas": "Cargadas",
    "rechazadas": "Rechazadas",
    "duplicadas": "Duplicadas",
    "reemplazadas": "Reemplazadas",
    "columnas_ignoradas": "Columnas ignoradas",
    "formato": "Formato",
    "tabla": "Tabla",
    "archivo": "Archivo",
    "fila": "Fila",
    "columna": "Columna",
    "valor": "Valor",
    "motivo": "Motivo",
    # resumen, CONTRACT 5.1 (evolucion, periodo_anterior, horarios, fatiga)
    "fecha": "Fecha",
    "metrica": "Indicador",
    "actual": "Período elegido",
    "anterior": "Período anterior",
    "diferencia": "Diferencia",
    "variacion": "Variación",
    "dia_semana": "Día de la semana",
    "hora": "Hora",
    "envio_numero": "N.º de envío al contacto",
    # flujos, CONTRACT 5.3 (recorridos, abandono_por_nodo)
    "paso": "Paso",
    "desde": "Desde",
    "hasta": "Hasta",
    "nodo": "Nodo",
    "abandonos": "Abandonos",
    "pct_abandono": "% abandono",
    # detallado, CONTRACT 5.2 (tiempos, comparacion, ab, segmentos, costos)
    "n": "Envíos con fecha",
    "descartados": "Descartados",
    "p25_min": "25 % (min)",
    "p50_min": "Mediana (min)",
    "p75_min": "75 % (min)",
    "p90_min": "90 % (min)",
    "ic95_inf_respondidas": "IC 95 % respondidas: desde",
    "ic95_sup_respondidas": "IC 95 % respondidas: hasta",
    "ic95_inf_ventas": "IC 95 % ventas: desde",
    "ic95_sup_ventas": "IC 95 % ventas: hasta",
    "a_exitosos": "A: exitosos",
    "a_cantidad": "A: cantidad",
    "a_pct": "A: %",
    "b_exitosos": "B: exitosos",
    "b_cantidad": "B: cantidad",
    "b_pct": "B: %",
    "ic95_inf": "IC 95 %: desde",
    "ic95_sup": "IC 95 %: hasta",
    "p_valor": "Valor p",
    "significativo": "Significativa",
    "ultimo_envio": "Último envío",
    "segmento": "Segmento",
    "contactos": "Contactos",
    "costo": "Costo",
    "costo_por_respuesta": "Costo por respuesta",
    "costo_por_asignacion": "Costo por asignación",
    "costo_por_venta": "Costo por venta",
}

ETAPA_LABELS = {
    "enviado": "Enviado",
    "leido": "Leído",
    "respondido": "Respondido",
    "asignado": "Asignado",
    "venta": "Venta",
}
FINALIZACION_LABELS = {
    "abandono": "Abandono",
    "asignacion": "Asignación",
    "finalizacion_automatica": "Finalización automática",
}
ORIGEN_LABELS = {
    "flujo": "Campaña de flujo",
    "plantilla": "Plantilla",
    "plantilla_individual": "Plantilla individual",
    "webhook": "Webhook",
    "mensaje_agente": "Mensaje de agente",
    "otro": "Otro",
}
#: tipo_tipificacion codes as the platform shows them (DOMAIN.md)
TIPO_LABELS = {
    "fin_positivo": "Fin positivo",
    "fin_negativo": "Fin negativo",
    "seguimiento": "Seguimiento",
    "fin_autogestion": "Fin autogestión",
    "seguimiento_autogestion": "Seguimiento autogestión",
}
CONCEPTO_LABELS = {
    "envios_exitosos": "Envíos exitosos",
    "conversaciones_iniciadas": "Iniciaron una conversación nueva",
    "sobre_conversacion_abierta": "Entraron en una conversación ya abierta",
    "sin_dato_de_conversacion": "Sin dato de conversación",
}
#: WhatsApp Business Platform error codes seen in failed sends (DOMAIN.md).
ERROR_CODES = {
    "131026": "destinatario no alcanzable (sin WhatsApp o no aceptó las condiciones)",
    "131049": "límite de mensajes de marketing por usuario",
    "131048": "límite por spam / calidad",
    "131056": "demasiados mensajes al mismo número (límite de ritmo)",
    "131047": "fuera de la ventana de 24 horas: hace falta una plantilla",
    "131042": "problema de pago o elegibilidad de la cuenta",
    "130472": "el número participa de un experimento de Meta",
}


def column_label(name: str) -> str:
    """Readable header for a column name (the name itself when there is no label)."""
    return COLUMN_LABELS.get(name, name.replace("_", " ").capitalize())


def error_label(code: object) -> str:
    """Meaning of a provider error code, or "otro error"."""
    return ERROR_CODES.get(str(code), "otro error")
