{#- The sends that pass the filters, each with one 0/1 column per counted condition
    (metrics.indicators, CONTRACT 3.1). NA flags are not true; leidos = leido OR respondido. #}
SELECT
    *,
    CAST(coalesce(estado = 'exitoso', FALSE) AS BIGINT) AS envios_exitosos,
    CAST(coalesce(estado = 'fallido', FALSE) AS BIGINT) AS envios_fallidos,
    CAST(coalesce(estado = 'pendiente', FALSE) AS BIGINT) AS envios_pendientes,
    CAST(coalesce(estado = 'exitoso', FALSE)
        AND (coalesce(leido, FALSE) OR coalesce(respondido, FALSE)) AS BIGINT) AS leidos,
    CAST(coalesce(estado = 'exitoso', FALSE) AND coalesce(respondido, FALSE) AS BIGINT) AS respondidos,
    CAST(coalesce(estado = 'exitoso', FALSE) AND coalesce(asignada, FALSE) AS BIGINT) AS asignadas,
    CAST(coalesce(estado = 'exitoso', FALSE) AND coalesce(venta, FALSE) AS BIGINT) AS ventas,
    CAST(coalesce(estado = 'exitoso', FALSE) AND leido IS NULL
        AND NOT coalesce(respondido, FALSE) AS BIGINT) AS lectura_no_informada,
    CAST(coalesce(estado = 'exitoso', FALSE)
        AND coalesce(conversacion_nueva, FALSE) AS BIGINT) AS conversaciones_iniciadas,
    CAST(coalesce(estado = 'exitoso', FALSE)
        AND coalesce(NOT conversacion_nueva, FALSE) AS BIGINT) AS sobre_conversacion_abierta
FROM envios
WHERE {{ where }}
