-- Shared CTEs of the flujos tables (CONTRACT 3.3, 5.3), inserted after WITH by engines/flujos.py.
-- One linear chain (each query reads each CTE once: Spark inlines CTEs, so a second reference
-- would recompute the whole chain).
-- alcance: the filtered sends with origen = flujo.
alcance AS (
    SELECT * FROM sel WHERE CAST(origen AS VARCHAR) = 'flujo'
),
-- conv_alcance: the scope's conversations; whether a send of each (any estado) is asignada or
-- carries an autogestion tipo.
conv_alcance AS (
    SELECT
        conversacion_id,
        count(CASE WHEN asignada THEN 1 END) > 0 AS envio_asignada,
        count(CASE WHEN CAST(tipo_tipificacion AS VARCHAR) IN ({{ autogestion }}) THEN 1 END) > 0
            AS envio_autogestion
    FROM alcance
    WHERE conversacion_id IS NOT NULL
    GROUP BY conversacion_id
),
-- ev: the events of those conversations, numbered (pos, from 1) by fecha, then file order (orden);
-- nodo trimmed, a blank nodo is no nodo.
ev AS (
    SELECT
        e.conversacion_id,
        CAST(e.autor AS VARCHAR) AS autor,
        CAST(e.mensaje AS VARCHAR) AS mensaje,
        NULLIF(trim(CAST(e.nodo AS VARCHAR)), '') AS nodo,
        CAST(e.opcion AS VARCHAR) AS opcion,
        CAST(e.tipificacion AS VARCHAR) AS tipificacion,
        CAST(e.tipo_tipificacion AS VARCHAR) AS tipo_tipificacion,
        CAST(e.etiqueta AS VARCHAR) AS etiqueta,
        CAST(e.finalizacion AS VARCHAR) AS finalizacion,
        c.envio_asignada,
        c.envio_autogestion,
        row_number() OVER (PARTITION BY e.conversacion_id ORDER BY e.fecha NULLS FIRST, e.orden) AS pos
    FROM eventos AS e
    JOIN conv_alcance AS c ON c.conversacion_id = e.conversacion_id
),
-- ev_marcado: each event with its conversation's facts: a cliente / agente event, an autogestion
-- tipificacion, a nodo; the positions of the first cliente opcion, the last explicit finalizacion
-- and the last bot event.
ev_marcado AS (
    SELECT
        ev.*,
        count(CASE WHEN autor = 'cliente' THEN 1 END) OVER (PARTITION BY conversacion_id) > 0 AS responde,
        count(CASE WHEN autor = 'agente' THEN 1 END) OVER (PARTITION BY conversacion_id) > 0 AS agente,
        count(CASE WHEN tipo_tipificacion IN ({{ autogestion }}) THEN 1 END)
            OVER (PARTITION BY conversacion_id) > 0 AS autogestion,
        count(nodo) OVER (PARTITION BY conversacion_id) > 0 AS con_nodo,
        min(CASE WHEN autor = 'cliente' AND opcion IS NOT NULL THEN pos END)
            OVER (PARTITION BY conversacion_id) AS pos_opcion,
        max(CASE WHEN finalizacion IS NOT NULL THEN pos END) OVER (PARTITION BY conversacion_id) AS pos_fin,
        max(CASE WHEN autor = 'bot' THEN pos END) OVER (PARTITION BY conversacion_id) AS pos_bot
    FROM ev
),
-- ev_conv: each event with its conversation's first opcion, last bot mensaje and finalizacion: the
-- last explicit one, else asignacion, else finalizacion_automatica, else abandono.
ev_conv AS (
    SELECT
        conversacion_id,
        pos,
        nodo,
        tipificacion,
        etiqueta,
        responde,
        con_nodo,
        max(CASE WHEN pos = pos_opcion THEN opcion END) OVER (PARTITION BY conversacion_id) AS primera_opcion,
        max(CASE WHEN pos = pos_bot THEN mensaje END) OVER (PARTITION BY conversacion_id) AS ultimo_mensaje_bot,
        coalesce(
            max(CASE WHEN pos = pos_fin THEN finalizacion END) OVER (PARTITION BY conversacion_id),
            CASE
                WHEN agente OR envio_asignada THEN 'asignacion'
                WHEN autogestion OR envio_autogestion THEN 'finalizacion_automatica'
                ELSE 'abandono'
            END
        ) AS fin_conversacion
    FROM ev_marcado
),
-- ev_resp: the events of the flujos respondidos (a cliente event); respondidos: one row each.
ev_resp AS (
    SELECT * FROM ev_conv WHERE responde
),
respondidos AS (
    SELECT * FROM ev_resp WHERE pos = 1
)
