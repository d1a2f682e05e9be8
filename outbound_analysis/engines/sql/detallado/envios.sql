{#- Every filtered send (the per-send detail), visto = leido OR respondido (NULL: not
    reported), by fecha_envio then envio_id; the first `limite` ones when given. #}
SELECT
{%- for c in columnas %}
    {% if c == "visto" %}(leido OR respondido) AS visto{% else %}{{ c }}{% endif %}{{ "," if not loop.last }}
{%- endfor %}
FROM sel
ORDER BY {{ orden | join(", ") }}
{%- if limite is defined and limite %}
LIMIT {{ limite | int }}
{%- endif %}
