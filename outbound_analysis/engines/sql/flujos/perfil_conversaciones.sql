-- perfil_conversaciones: one row per conversation with events, what its events say (as the pandas
-- engine's EventProfile): a cliente event (responde), an agente event, an autogestion tipificacion,
-- a nodo; the first cliente opcion, the last bot mensaje, the last explicit finalizacion.
-- Materialized once per data set, from perfil_eventos.
WITH marcado AS (
    SELECT
        conversacion_id,
        pos,
        autor,
        mensaje,
        nodo,
        opcion,
        tipo_tipificacion,
        finalizacion,
        min(CASE WHEN autor = 'cliente' AND opcion IS NOT NULL THEN pos END)
            OVER (PARTITION BY conversacion_id) AS pos_opcion,
        max(CASE WHEN finalizacion IS NOT NULL THEN pos END) OVER (PARTITION BY conversacion_id) AS pos_fin,
        max(CASE WHEN autor = 'bot' THEN pos END) OVER (PARTITION BY conversacion_id) AS pos_bot
    FROM perfil_eventos
)
SELECT
    conversacion_id,
    count(CASE WHEN autor = 'cliente' THEN 1 END) > 0 AS responde,
    count(CASE WHEN autor = 'agente' THEN 1 END) > 0 AS agente,
    count(CASE WHEN tipo_tipificacion IN ({{ autogestion }}) THEN 1 END) > 0 AS autogestion,
    count(nodo) > 0 AS con_nodo,
    max(CASE WHEN pos = pos_opcion THEN opcion END) AS primera_opcion,
    max(CASE WHEN pos = pos_bot THEN mensaje END) AS ultimo_mensaje_bot,
    max(CASE WHEN pos = pos_fin THEN finalizacion END) AS finalizacion_explicita
FROM marcado
GROUP BY conversacion_id
