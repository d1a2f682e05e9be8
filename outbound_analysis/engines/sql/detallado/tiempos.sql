{#- Minutes from fecha_envio to each stage's timestamp, for exitosos with it; an earlier
    timestamp is descartado. Quantiles over all campaigns (todas) and per campana. #}
WITH ok AS (
    SELECT
        CAST(campana AS VARCHAR) AS campana,
        {{ micros('fecha_envio') }} AS t0
{%- for etapa, columna in etapas %},
        {{ micros(columna) }} AS {{ etapa }}
{%- endfor %}
    FROM ({{ ind }}) AS ind
    WHERE envios_exitosos = 1 AND fecha_envio IS NOT NULL
),
deltas AS (
{%- for etapa, columna in etapas %}
    {% if not loop.first %}UNION ALL {% endif %}SELECT campana, {{ q(etapa) }} AS etapa, {{ etapa }} - t0 AS delta
    FROM ok WHERE {{ etapa }} IS NOT NULL
{%- endfor %}
),
minutos AS (
    SELECT
        campana,
        etapa,
        CASE WHEN delta < 0 THEN 1 ELSE 0 END AS descartado,
        CASE WHEN delta >= 0 AND campana IS NOT NULL THEN CAST(delta AS DOUBLE) / 60000000 END AS minutos
    FROM deltas
)
SELECT
    CAST(NULL AS VARCHAR) AS campana,
    TRUE AS todas,
    etapa,
    CAST(sum(descartado) AS BIGINT) AS descartados,
    count(minutos) AS n
{%- for nombre, q_ in cuantiles %},
    {{ quantile('minutos', q_) }} AS {{ nombre }}
{%- endfor %}
FROM minutos
GROUP BY etapa
UNION ALL
SELECT
    campana,
    FALSE AS todas,
    etapa,
    CAST(sum(descartado) AS BIGINT) AS descartados,
    count(minutos) AS n
{%- for nombre, q_ in cuantiles %},
    {{ quantile('minutos', q_) }} AS {{ nombre }}
{%- endfor %}
FROM minutos
WHERE campana IS NOT NULL
GROUP BY campana, etapa
