{#- Per contact with an exitoso: its exitosos, the latest one and the furthest stage reached
    (nivel, the position in metrics' SEGMENTOS: venta 0 .. no_leyo 5); with conteo, the
    contacts per nivel. #}
WITH niveles AS (
    SELECT
        contacto_id,
        fecha_envio,
        CASE
            WHEN ventas = 1 THEN 0
            WHEN asignadas = 1 THEN 1
            WHEN respondidos = 1 THEN 2
            WHEN leidos = 1 THEN 3
            WHEN leido IS NULL THEN 4
            ELSE 5
        END AS nivel
    FROM ({{ ind }}) AS ind
    WHERE envios_exitosos = 1 AND contacto_id IS NOT NULL
),
contactos AS (
    SELECT
        contacto_id,
        count(*) AS envios_exitosos,
        max(fecha_envio) AS ultimo_envio,
        min(nivel) AS nivel
    FROM niveles
    GROUP BY contacto_id
)
{%- if conteo %}
SELECT nivel, count(*) AS contactos FROM contactos GROUP BY nivel
{%- else %}
SELECT contacto_id, envios_exitosos, ultimo_envio, nivel FROM contactos ORDER BY nivel, contacto_id
{%- endif %}
