{#- Campaigns A and B's exitosos: their canal/origen combinations and first and last send. #}
SELECT
    CAST(campana AS VARCHAR) AS campana,
    CAST(canal AS VARCHAR) AS canal,
    CAST(origen AS VARCHAR) AS origen,
    min(fecha_envio) AS primero,
    max(fecha_envio) AS ultimo
FROM ({{ ind }}) AS ind
WHERE envios_exitosos = 1 AND CAST(campana AS VARCHAR) IN ({{ q(a) }}, {{ q(b) }})
GROUP BY CAST(campana AS VARCHAR), CAST(canal AS VARCHAR), CAST(origen AS VARCHAR)
