{#- Failed sends per codigo_error (NULL: no code). #}
SELECT CAST(codigo_error AS VARCHAR) AS codigo_error, count(*) AS envios
FROM envios
WHERE ({{ where }}) AND estado = 'fallido'
GROUP BY CAST(codigo_error AS VARCHAR)
