-- Shared CTEs of the flujos tables (CONTRACT 3.3, 5.3), inserted after WITH by engines/flujos.py.
-- What the events say per conversation does not depend on the filters: it is read from
-- perfil_conversaciones (materialized once per data set, see perfil_*.sql); only the scope and the
-- sends' flags that enter the finalizacion rule are computed here, per selection.
-- alcance: the filtered sends with origen = flujo.
alcance AS (
    SELECT * FROM sel WHERE CAST(origen AS VARCHAR) = 'flujo'
),
-- conv_alcance: the scope's conversations; whether a send of each (any estado) is asignada or
-- carries an autogestion tipo.
conv_alcance AS (
    SELECT
        conversacion_id,
        count(CASE WHEN asignada THEN 1 END) > 0 AS envio_asignada,
        count(CASE WHEN CAST(tipo_tipificacion AS VARCHAR) IN ({{ autogestion }}) THEN 1 END) > 0
            AS envio_autogestion
    FROM alcance
    WHERE conversacion_id IS NOT NULL
    GROUP BY conversacion_id
),
-- conv: the scope's conversations with events, with their first opcion, last bot mensaje and
-- finalizacion: the last explicit one, else asignacion, else finalizacion_automatica, else abandono.
conv AS (
    SELECT
        p.conversacion_id,
        p.responde,
        p.primera_opcion,
        p.ultimo_mensaje_bot,
        coalesce(
            p.finalizacion_explicita,
            CASE
                WHEN p.agente OR c.envio_asignada THEN 'asignacion'
                WHEN p.autogestion OR c.envio_autogestion THEN 'finalizacion_automatica'
                ELSE 'abandono'
            END
        ) AS fin_conversacion
    FROM perfil_conversaciones AS p
    JOIN conv_alcance AS c ON c.conversacion_id = p.conversacion_id
),
-- respondidos: the flujos respondidos (a cliente event), one row each.
respondidos AS (
    SELECT * FROM conv WHERE responde
)
