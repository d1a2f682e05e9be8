{#- The kpis counts per origen (sends without origen left out). #}
SELECT
    CAST(origen AS VARCHAR) AS origen
{%- for c in conteos %},
    CAST(sum({{ c }}) AS BIGINT) AS {{ c }}
{%- endfor %}
FROM ({{ ind }}) AS ind
WHERE origen IS NOT NULL
GROUP BY CAST(origen AS VARCHAR)
