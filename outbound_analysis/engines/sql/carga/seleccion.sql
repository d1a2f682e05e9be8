-- The header's selection row: sends that pass the filters, sends loaded, first and last local day.
SELECT
  (SELECT count(*) FROM sel) AS envios,
  count(*) AS envios_cargados,
  min({{ local('fecha_envio') }}) AS primero,
  max({{ local('fecha_envio') }}) AS ultimo,
  (SELECT count(*) FROM eventos) AS eventos_cargados
FROM envios
