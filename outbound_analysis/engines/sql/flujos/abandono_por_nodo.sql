-- abandono_por_nodo (CONTRACT 5.3): per nodo, the flujos respondidos with an event at it and the
-- abandonos whose last nodo it was.
WITH {{ ctes }},
{{ pasos }}
SELECT
    nodo,
    count(DISTINCT conversacion_id) AS conversaciones,
    count(CASE WHEN siguiente IS NULL AND fin_conversacion = 'abandono' THEN 1 END) AS abandonos
FROM pasos
WHERE nodo IS NOT NULL
GROUP BY nodo
