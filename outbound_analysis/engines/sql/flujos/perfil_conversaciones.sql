-- perfil_conversaciones: one row per conversation with events, what its events say (as the pandas
-- engine's EventProfile): a cliente event (responde), an agente event, an autogestion tipificacion,
-- a nodo (trimmed, a blank nodo is no nodo); the first cliente opcion, the last bot mensaje, the
-- last explicit finalizacion. Events are ordered by fecha (NULL first), then file order (orden):
-- the key {n, f, o} compares that way, so one aggregation finds the first and last events, with
-- no window over every event. The mensaje goes in a struct so that a last bot event without
-- mensaje gives NULL instead of an earlier mensaje. Materialized once per data set.
SELECT
    conversacion_id,
    count(CASE WHEN autor = 'cliente' THEN 1 END) > 0 AS responde,
    count(CASE WHEN autor = 'agente' THEN 1 END) > 0 AS agente,
    count(CASE WHEN tipo_tipificacion IN ({{ autogestion }}) THEN 1 END) > 0 AS autogestion,
    count(NULLIF(trim(nodo), '')) > 0 AS con_nodo,
    arg_min(opcion, {'n': fecha IS NOT NULL, 'f': fecha, 'o': orden})
        FILTER (WHERE autor = 'cliente' AND opcion IS NOT NULL) AS primera_opcion,
    (arg_max({'m': mensaje}, {'n': fecha IS NOT NULL, 'f': fecha, 'o': orden})
        FILTER (WHERE autor = 'bot')).m AS ultimo_mensaje_bot,
    arg_max(finalizacion, {'n': fecha IS NOT NULL, 'f': fecha, 'o': orden})
        FILTER (WHERE finalizacion IS NOT NULL) AS finalizacion_explicita
FROM (
    SELECT
        conversacion_id,
        fecha,
        orden,
        CAST(autor AS VARCHAR) AS autor,
        CAST(mensaje AS VARCHAR) AS mensaje,
        CAST(nodo AS VARCHAR) AS nodo,
        CAST(opcion AS VARCHAR) AS opcion,
        CAST(tipo_tipificacion AS VARCHAR) AS tipo_tipificacion,
        CAST(finalizacion AS VARCHAR) AS finalizacion
    FROM eventos
    WHERE conversacion_id IS NOT NULL
) AS e
GROUP BY conversacion_id
