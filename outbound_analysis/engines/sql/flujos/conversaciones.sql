-- The flujos respondidos counted by first opcion, finalizacion and (abandonos only) the last bot
-- mensaje: primeras_opciones, finalizacion and ultimo_mensaje_abandono (CONTRACT 3.3) are sums of it.
WITH {{ ctes }}
SELECT
    primera_opcion,
    fin_conversacion AS finalizacion,
    CASE WHEN fin_conversacion = 'abandono' THEN ultimo_mensaje_bot END AS mensaje_abandono,
    count(*) AS conversaciones
FROM respondidos
GROUP BY
    primera_opcion,
    fin_conversacion,
    CASE WHEN fin_conversacion = 'abandono' THEN ultimo_mensaje_bot END
