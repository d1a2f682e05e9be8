-- perfil_pasos (CONTRACT 5.3): each conversation with a cliente event, its non-empty nodos with
-- immediate repeats collapsed, numbered k = 1, 2, ..., with the next one (NULL after the last). A
-- conversation without any nodo has one row: k = 1, nodo NULL. Materialized once per data set, from
-- perfil_eventos and perfil_conversaciones.
WITH nodos AS (
    SELECT
        e.conversacion_id,
        e.pos,
        e.nodo,
        lag(e.nodo) OVER (PARTITION BY e.conversacion_id ORDER BY e.pos) AS previo
    FROM perfil_eventos AS e
    JOIN perfil_conversaciones AS p ON p.conversacion_id = e.conversacion_id
    WHERE p.responde AND (e.nodo IS NOT NULL OR (e.pos = 1 AND NOT p.con_nodo))
)
SELECT
    conversacion_id,
    nodo,
    row_number() OVER (PARTITION BY conversacion_id ORDER BY pos) AS k,
    lead(nodo) OVER (PARTITION BY conversacion_id ORDER BY pos) AS siguiente
FROM nodos
WHERE previo IS NULL OR previo <> nodo
