-- pasos (CONTRACT 5.3), after the shared CTEs: each flujo respondido's non-empty nodos with
-- immediate repeats collapsed, numbered k = 1, 2, ..., with the next one (NULL after the last).
-- A conversation without any nodo has one row: k = 1, nodo NULL.
nodos AS (
    SELECT
        conversacion_id,
        pos,
        nodo,
        fin_conversacion,
        lag(nodo) OVER (PARTITION BY conversacion_id ORDER BY pos) AS previo
    FROM ev_resp
    WHERE nodo IS NOT NULL OR (pos = 1 AND NOT con_nodo)
),
pasos AS (
    SELECT
        conversacion_id,
        nodo,
        fin_conversacion,
        row_number() OVER (PARTITION BY conversacion_id ORDER BY pos) AS k,
        lead(nodo) OVER (PARTITION BY conversacion_id ORDER BY pos) AS siguiente
    FROM nodos
    WHERE previo IS NULL OR previo <> nodo
)
