{#- Exitosos assigned to an agent without a reported reply, per origen (NULL: no origen). #}
SELECT CAST(origen AS VARCHAR) AS origen, count(*) AS envios
FROM ({{ ind }}) AS ind
WHERE asignadas = 1 AND respondidos = 0
GROUP BY CAST(origen AS VARCHAR)
