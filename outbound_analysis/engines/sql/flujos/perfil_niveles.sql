-- perfil_niveles: each conversation with a cliente event, its distinct tipificaciones and etiquetas
-- (columna) in order of first appearance (fecha, NULL first, then file order), numbered from 1
-- (nivel): the embudos' levels (CONTRACT 3.3). Materialized once per data set, from eventos and
-- perfil_conversaciones.
WITH valores AS (
    SELECT
        e.conversacion_id,
        c.columna,
        CASE c.columna
            WHEN 'tipificacion' THEN CAST(e.tipificacion AS VARCHAR)
            ELSE CAST(e.etiqueta AS VARCHAR)
        END AS valor,
        {'n': e.fecha IS NOT NULL, 'f': e.fecha, 'o': e.orden} AS clave
    FROM eventos AS e
    JOIN perfil_conversaciones AS p ON p.conversacion_id = e.conversacion_id
    CROSS JOIN (VALUES ('tipificacion'), ('etiqueta')) AS c(columna)
    WHERE p.responde
        AND CASE c.columna WHEN 'tipificacion' THEN e.tipificacion ELSE e.etiqueta END IS NOT NULL
),
primeros AS (
    SELECT conversacion_id, columna, valor, min(clave) AS clave
    FROM valores
    GROUP BY conversacion_id, columna, valor
)
SELECT
    conversacion_id,
    columna,
    valor,
    row_number() OVER (PARTITION BY conversacion_id, columna ORDER BY clave) AS nivel
FROM primeros
