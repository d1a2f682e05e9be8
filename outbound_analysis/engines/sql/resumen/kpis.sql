{#- The kpis row (CONTRACT 3.1): distinct contacts, sends, and the sum of each indicator. #}
SELECT
    count(DISTINCT contacto_id) AS total_contactos,
    count(*) AS envios
{%- for c in conteos %},
    CAST(coalesce(sum({{ c }}), 0) AS BIGINT) AS {{ c }}
{%- endfor %}
FROM ({{ ind }}) AS ind
