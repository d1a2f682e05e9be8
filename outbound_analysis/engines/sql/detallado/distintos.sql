{#- The distinct values of origen and canal per campana (detallado joins them). #}
{%- for columna in columnas %}
{% if not loop.first %}UNION ALL
{% endif -%}
SELECT DISTINCT
    CAST(campana AS VARCHAR) AS campana,
    {{ q(columna) }} AS columna,
    CAST({{ columna }} AS VARCHAR) AS valor
FROM sel
WHERE campana IS NOT NULL AND {{ columna }} IS NOT NULL
{%- endfor %}
