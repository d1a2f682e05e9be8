-- recorridos (CONTRACT 5.3): transitions between the first {{ max_nodos }} nodos of each flujo respondido
-- (fin FALSE), then from its last one, or {{ q(sin_nodo) }} (sin_nodo TRUE: a nodo may carry the same
-- name), to its finalizacion (fin TRUE). Each row of pasos gives at most one of each.
WITH {{ ctes }},
{{ pasos }}
SELECT
    p.k AS paso,
    coalesce(p.nodo, {{ q(sin_nodo) }}) AS desde,
    CASE WHEN t.fin THEN p.fin_conversacion ELSE p.siguiente END AS hasta,
    p.nodo IS NULL AS sin_nodo,
    t.fin,
    count(*) AS conversaciones
FROM pasos AS p
CROSS JOIN (VALUES (FALSE), (TRUE)) AS t(fin)
WHERE p.k <= {{ max_nodos }}
    AND CASE
        WHEN t.fin THEN p.k = {{ max_nodos }} OR p.siguiente IS NULL
        ELSE p.k < {{ max_nodos }} AND p.siguiente IS NOT NULL
    END
GROUP BY
    p.k,
    coalesce(p.nodo, {{ q(sin_nodo) }}),
    CASE WHEN t.fin THEN p.fin_conversacion ELSE p.siguiente END,
    p.nodo IS NULL,
    t.fin
