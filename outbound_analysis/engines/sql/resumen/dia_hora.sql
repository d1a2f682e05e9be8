{#- Counts per local calendar day and hour of fecha_envio (evolucion, horarios). #}
WITH ind AS ({{ ind }}),
locales AS (
    SELECT {{ local('fecha_envio') }} AS momento, * FROM ind WHERE fecha_envio IS NOT NULL
)
SELECT
    CAST(momento AS DATE) AS dia,
    hour(momento) AS hora,
    count(*) AS envios
{%- for c in conteos %},
    CAST(sum({{ c }}) AS BIGINT) AS {{ c }}
{%- endfor %}
FROM locales
GROUP BY CAST(momento AS DATE), hour(momento)
