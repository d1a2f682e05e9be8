{#- Every loaded campaign (no filter): comparar must name two of them. #}
SELECT DISTINCT CAST(campana AS VARCHAR) AS campana FROM envios WHERE campana IS NOT NULL
