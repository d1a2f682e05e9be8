-- embudo_tipificaciones and embudo_etiquetas (CONTRACT 3.3), one pass: each flujo respondido's distinct
-- values of each columna in order of first appearance; level k counts the conversations by their
-- k-th one. The rows of columna 'total' (nivel 0) count the flujos respondidos (the denominator).
WITH {{ ctes }},
valores AS (
    SELECT
        e.conversacion_id,
        e.pos,
        c.columna,
        CASE c.columna WHEN 'tipificacion' THEN e.tipificacion WHEN 'etiqueta' THEN e.etiqueta END AS valor
    FROM ev_resp AS e
    CROSS JOIN (VALUES ('tipificacion'), ('etiqueta'), ('total')) AS c(columna)
),
marcas AS (
    SELECT
        conversacion_id,
        pos,
        columna,
        valor,
        valor IS NOT NULL
            AND row_number() OVER (PARTITION BY conversacion_id, columna, valor ORDER BY pos) = 1 AS nuevo
    FROM valores
),
niveles AS (
    SELECT
        columna,
        pos,
        valor,
        nuevo,
        sum(CASE WHEN nuevo THEN 1 ELSE 0 END) OVER (
            PARTITION BY conversacion_id, columna ORDER BY pos ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ) AS nivel
    FROM marcas
)
SELECT
    columna,
    CASE WHEN columna = 'total' THEN 0 ELSE nivel END AS nivel,
    valor,
    count(*) AS conversaciones
FROM niveles
WHERE nuevo OR (columna = 'total' AND pos = 1)
GROUP BY columna, CASE WHEN columna = 'total' THEN 0 ELSE nivel END, valor
