-- campanas_flujo: the distinct campaigns of the flow sends (sorted in Python).
WITH {{ ctes }}
SELECT DISTINCT CAST(campana AS VARCHAR) AS campana
FROM alcance
WHERE campana IS NOT NULL
