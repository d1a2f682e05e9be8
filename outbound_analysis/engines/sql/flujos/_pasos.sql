-- pasos (CONTRACT 5.3), after the shared CTEs: each flujo respondido's collapsed nodo path
-- (perfil_pasos, materialized once per data set: k, nodo, siguiente) with its finalizacion.
pasos AS (
    SELECT p.conversacion_id, p.nodo, p.k, p.siguiente, r.fin_conversacion
    FROM perfil_pasos AS p
    JOIN respondidos AS r ON r.conversacion_id = p.conversacion_id
)
