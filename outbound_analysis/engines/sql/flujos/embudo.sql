-- embudo_tipificaciones and embudo_etiquetas (CONTRACT 3.3), one query: level k counts the flujos
-- respondidos by their k-th distinct value of columna (perfil_niveles, materialized once per data
-- set). The row of columna 'total' (nivel 0) counts the flujos respondidos (the denominator).
WITH {{ ctes }}
SELECT n.columna, n.nivel, n.valor, count(*) AS conversaciones
FROM perfil_niveles AS n
JOIN respondidos AS r ON r.conversacion_id = n.conversacion_id
GROUP BY n.columna, n.nivel, n.valor
UNION ALL
SELECT 'total' AS columna, 0 AS nivel, CAST(NULL AS VARCHAR) AS valor, count(*) AS conversaciones
FROM respondidos
