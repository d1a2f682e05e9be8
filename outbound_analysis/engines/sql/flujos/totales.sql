-- One row of counts for resultados (CONTRACT 3.3) and alcance_flujos: the flow sends (contacts,
-- exitosos, their conversations, asignadas, ventas), the flow conversations with events and the
-- flujos respondidos.
WITH {{ ctes }},
envios_flujo AS (
    SELECT
        count(*) AS envios_flujo,
        count(DISTINCT contacto_id) AS total_contactos,
        count(CASE WHEN CAST(estado AS VARCHAR) = 'exitoso' THEN 1 END) AS envios_exitosos,
        count(DISTINCT CASE WHEN CAST(estado AS VARCHAR) = 'exitoso' THEN conversacion_id END) AS conversaciones,
        count(CASE WHEN CAST(estado AS VARCHAR) = 'exitoso' AND asignada THEN 1 END) AS asignadas,
        count(CASE WHEN CAST(estado AS VARCHAR) = 'exitoso' AND venta THEN 1 END) AS ventas
    FROM alcance
),
conversaciones_flujo AS (
    SELECT
        count(*) AS conversaciones_con_eventos,
        count(CASE WHEN responde THEN 1 END) AS flujos_respondidos
    FROM conv
)
SELECT e.*, c.*
FROM envios_flujo AS e
CROSS JOIN conversaciones_flujo AS c
