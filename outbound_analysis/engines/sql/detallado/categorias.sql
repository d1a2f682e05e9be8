{#- The distinct values of the loaded sends' category columns (all sends, no filter). #}
{%- for columna in columnas %}
{% if not loop.first %}UNION ALL
{% endif -%}
SELECT DISTINCT {{ q(columna) }} AS columna, CAST({{ columna }} AS VARCHAR) AS valor
FROM envios
WHERE {{ columna }} IS NOT NULL
{%- endfor %}
