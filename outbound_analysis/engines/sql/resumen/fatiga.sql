{#- Exitosos numbered per contact by fecha_envio, ties by envio_id (only filtered exitosos
    count), capped at {{ tope }} ("5 o mas"), and their respondidos and ventas. #}
WITH ok AS (
    SELECT contacto_id, fecha_envio, envio_id, respondidos, ventas
    FROM ({{ ind }}) AS ind
    WHERE envios_exitosos = 1
),
numerados AS (
    SELECT
        least(row_number() OVER (PARTITION BY contacto_id ORDER BY fecha_envio, envio_id), {{ tope }}) AS numero,
        respondidos,
        ventas
    FROM ok
)
SELECT
    numero,
    count(*) AS envios_exitosos,
    CAST(sum(respondidos) AS BIGINT) AS respondidos,
    CAST(sum(ventas) AS BIGINT) AS ventas
FROM numerados
GROUP BY numero
