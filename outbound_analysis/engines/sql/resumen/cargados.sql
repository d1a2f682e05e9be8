{#- Over ALL loaded sends: how many fall in the previous period (its dates only, no other
    filter) and the local day of the earliest one (periodo_anterior, contexto_tiempo). #}
SELECT
    CAST(coalesce(sum(CASE WHEN {{ fechas }} THEN 1 ELSE 0 END), 0) AS BIGINT) AS cargados,
    CAST({{ local('min(fecha_envio)') }} AS DATE) AS primer_dia
FROM envios
