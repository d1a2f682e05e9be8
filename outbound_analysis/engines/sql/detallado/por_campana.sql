{#- Per campana (NULL: sends without one, for the totals): distinct contacts, sends, the
    indicators' sums and, with a cost per channel, the cost of the exitosos. #}
SELECT
    CAST(campana AS VARCHAR) AS campana,
    count(DISTINCT contacto_id) AS total_contactos,
    count(*) AS envios
{%- for c in conteos %},
    CAST(coalesce(sum({{ c }}), 0) AS BIGINT) AS {{ c }}
{%- endfor %}
{%- if costos %},
    coalesce(sum(CASE WHEN envios_exitosos = 1 THEN
        CASE CAST(canal AS VARCHAR)
        {%- for canal, valor in costos %} WHEN {{ q(canal) }} THEN CAST({{ valor }} AS DOUBLE){% endfor %}
        ELSE CAST(0 AS DOUBLE) END
    ELSE CAST(0 AS DOUBLE) END), CAST(0 AS DOUBLE)) AS costo
{%- endif %}
FROM ({{ ind }}) AS ind
GROUP BY CAST(campana AS VARCHAR)
