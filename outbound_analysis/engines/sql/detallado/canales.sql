{#- The channels with exitosos in the selection. #}
SELECT DISTINCT CAST(canal AS VARCHAR) AS canal
FROM ({{ ind }}) AS ind
WHERE envios_exitosos = 1 AND canal IS NOT NULL
