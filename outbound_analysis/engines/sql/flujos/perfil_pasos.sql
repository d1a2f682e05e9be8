-- perfil_pasos (CONTRACT 5.3): each conversation with a cliente event, its nodos (trimmed, blank ones
-- left out) in order (fecha, NULL first, then file order) with immediate repeats collapsed,
-- numbered k = 1, 2, ..., with the next one (NULL after the last). A conversation without any nodo
-- has one row: k = 1, nodo NULL. Materialized once per data set, from eventos and
-- perfil_conversaciones.
WITH nodos AS (
    SELECT e.conversacion_id, NULLIF(trim(CAST(e.nodo AS VARCHAR)), '') AS nodo, e.fecha, e.orden
    FROM eventos AS e
    JOIN perfil_conversaciones AS p ON p.conversacion_id = e.conversacion_id
    WHERE p.responde AND p.con_nodo AND NULLIF(trim(CAST(e.nodo AS VARCHAR)), '') IS NOT NULL
),
marcados AS (
    SELECT *, lag(nodo) OVER (PARTITION BY conversacion_id ORDER BY fecha NULLS FIRST, orden) AS previo
    FROM nodos
)
SELECT
    conversacion_id,
    nodo,
    row_number() OVER (PARTITION BY conversacion_id ORDER BY fecha NULLS FIRST, orden) AS k,
    lead(nodo) OVER (PARTITION BY conversacion_id ORDER BY fecha NULLS FIRST, orden) AS siguiente
FROM marcados
WHERE previo IS NULL OR previo <> nodo
UNION ALL
SELECT conversacion_id, CAST(NULL AS VARCHAR) AS nodo, 1 AS k, CAST(NULL AS VARCHAR) AS siguiente
FROM perfil_conversaciones
WHERE responde AND NOT con_nodo
