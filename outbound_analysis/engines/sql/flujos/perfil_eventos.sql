-- perfil_eventos: every event with a conversation, numbered (pos, from 1) in its conversation by
-- fecha, then file order (orden); nodo trimmed, a blank nodo is no nodo. Materialized once per data
-- set (no filter enters it): the other perfil_* tables are computed from it.
SELECT
    conversacion_id,
    row_number() OVER (PARTITION BY conversacion_id ORDER BY fecha NULLS FIRST, orden) AS pos,
    CAST(autor AS VARCHAR) AS autor,
    CAST(mensaje AS VARCHAR) AS mensaje,
    NULLIF(trim(CAST(nodo AS VARCHAR)), '') AS nodo,
    CAST(opcion AS VARCHAR) AS opcion,
    CAST(tipificacion AS VARCHAR) AS tipificacion,
    CAST(tipo_tipificacion AS VARCHAR) AS tipo_tipificacion,
    CAST(etiqueta AS VARCHAR) AS etiqueta,
    CAST(finalizacion AS VARCHAR) AS finalizacion
FROM eventos
WHERE conversacion_id IS NOT NULL
