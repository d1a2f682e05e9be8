"""Report parameters: keys, types, dates, formats and the YAML file with its relative paths."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from outbound_analysis.errors import DataError, ParamsError
from outbound_analysis.filters import Filtros
from outbound_analysis.params import FORMATOS, SPEC, Parametros, read_params


def from_mapping(**values: object) -> Parametros:
    return Parametros.from_mapping({"envios": "envios.csv", **values})


# --------------------------------------------------------------------------- from_mapping


def test_minimal_parameters_and_defaults():
    p = Parametros.from_mapping({"envios": "envios.csv"})
    assert p.envios == "envios.csv"
    assert p.eventos == ""
    assert p.fecha_desde == ""
    assert p.fecha_hasta == ""
    assert p.canales == []
    assert p.zona_horaria == "America/Argentina/Buenos_Aires"
    assert p.columnas == {}
    assert p.formatos == list(FORMATOS)
    assert p.anonimizar is False
    assert p.interactivo is False
    assert p.filtros().is_empty()


@pytest.mark.parametrize(
    ("wrong", "suggested"),
    [
        ("campañas", "campanas"),
        ("campana", "campanas"),
        ("canal", "canales"),
        ("fecha_hasata", "fecha_hasta"),
        ("anonimisar", "anonimizar"),
        ("zona_horria", "zona_horaria"),
    ],
)
def test_unknown_key_suggests_the_close_one(wrong, suggested):
    with pytest.raises(ParamsError) as err:
        from_mapping(**{wrong: ["x"]})
    msg = str(err.value)
    assert f"«{wrong}»" in msg
    assert f"¿quisiste decir «{suggested}»?" in msg
    assert "Claves válidas" in msg


def test_unknown_key_without_a_close_one_lists_the_valid_keys():
    with pytest.raises(ParamsError) as err:
        Parametros.from_mapping({"envios": "e.csv", "xyz": 1}, source="informe.yaml")
    msg = str(err.value)
    assert msg.startswith("informe.yaml: clave desconocida «xyz».")
    assert "quisiste" not in msg
    for k in SPEC:
        assert k in msg


@pytest.mark.parametrize("envios", [None, "", []])
def test_envios_is_required(envios):
    values = {} if envios is None else {"envios": envios}
    with pytest.raises(ParamsError, match="falta «envios»"):
        Parametros.from_mapping(values)


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("canales", 5, "una lista de textos"),
        ("canales", {"WA": True}, "una lista de textos"),
        ("campanas", [["anidada"]], "una lista de textos"),
        ("anonimizar", "sí", "true o false"),
        ("interactivo", 1, "true o false"),
        ("columnas", ["Mi encabezado", "campana"], "un mapa"),
        ("columnas", {"Mi encabezado": 3}, "un mapa"),
        ("envios", 5, "una ruta"),
        ("eventos", ["a.csv", 2], "una ruta"),
        ("zona_horaria", ["America/Lima"], "un texto"),
        ("fecha_desde", 20260801, "una fecha AAAA-MM-DD"),
        ("formatos", "csv, pdf", "formatos"),
    ],
)
def test_wrong_types_name_the_key_and_what_is_expected(key, value, words):
    values = {"envios": "envios.csv", key: value}
    with pytest.raises(ParamsError) as err:
        Parametros.from_mapping(values, source="p.yaml")
    msg = str(err.value)
    assert msg.startswith("p.yaml:")
    assert f"«{key}»" in msg or key in msg
    assert words in msg


@pytest.mark.parametrize("formatos", [["pdf"], ["csv", "xls"], ["CSV"]])
def test_bad_formatos(formatos):
    with pytest.raises(ParamsError) as err:
        from_mapping(formatos=formatos)
    msg = str(err.value)
    assert "formatos" in msg
    assert "csv, xlsx, json" in msg
    for f in formatos:
        if f not in FORMATOS:
            assert f in msg


def test_good_formatos_and_a_single_text_as_list():
    assert from_mapping(formatos=["xlsx"]).formatos == ["xlsx"]
    assert from_mapping(formatos="json").formatos == ["json"]
    assert from_mapping(canales="WA").canales == ["WA"]
    assert from_mapping(canales=None).canales == []


@pytest.mark.parametrize(
    "value",
    [dt.date(2026, 8, 1), dt.datetime(2026, 8, 1, 9, 30), "2026-08-01", "01/08/2026", " 2026-08-01 "],
)
def test_dates_become_iso_text(value):
    p = from_mapping(fecha_desde=value, fecha_hasta=value)
    assert p.fecha_desde == "2026-08-01"
    assert p.fecha_hasta == "2026-08-01"
    assert p.filtros().fecha_desde == dt.date(2026, 8, 1)


@pytest.mark.parametrize("value", [None, ""])
def test_empty_dates(value):
    assert from_mapping(fecha_desde=value).fecha_desde == ""


@pytest.mark.parametrize("value", ["2026-02-30", "ayer", "2026/08/01"])
def test_unreadable_date(value):
    with pytest.raises(ParamsError) as err:
        from_mapping(fecha_hasta=value)
    assert "fecha_hasta" in str(err.value)
    assert f"«{value}»" in str(err.value)


def test_filter_values_are_validated_up_front():
    with pytest.raises(ParamsError, match="fecha_desde"):
        from_mapping(fecha_desde="2026-09-01", fecha_hasta="2026-08-01")
    with pytest.raises(ParamsError, match="«Campaña rara»"):
        from_mapping(origenes=["Campaña rara"])


def test_filtros_from_parameters():
    p = from_mapping(
        canales=["whatsapp"],
        origenes=["Campaña de flujo"],
        fecha_desde="01/08/2026",
        campanas=["Carrito"],
        anonimizar=True,
        zona_horaria="America/Lima",
    )
    assert p.canales == ["whatsapp"]  # parameters keep what was written; Filtros normalizes
    assert p.filtros() == Filtros(
        canales=["WA"],
        origenes=["flujo"],
        fecha_desde="2026-08-01",
        campanas=["Carrito"],
        zona_horaria="America/Lima",
    )


def test_notebook_parameters_are_plain_values():
    p = from_mapping(fecha_desde=dt.date(2026, 8, 1), canales=["WA"], columnas={"Tel": "contacto_id"})
    nb = p.as_notebook_parameters()
    assert nb["fecha_desde"] == "2026-08-01"
    assert nb["canales"] == ["WA"]
    assert nb["columnas"] == {"Tel": "contacto_id"}
    assert set(nb) == set(SPEC)


# --------------------------------------------------------------------------- read_params


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def project(tmp_path):
    """params/informe.yaml next to a datos/ folder with two envios files and one eventos file."""
    for name in ("envios_2026-08.csv", "envios_2026-09.csv", "eventos.xlsx"):
        _write(tmp_path / "datos" / name, "x\n")
    return tmp_path


def test_read_params_resolves_relative_paths_against_the_yaml_folder(project, tmp_path_factory, monkeypatch):
    yaml_file = _write(
        project / "params" / "informe.yaml",
        (
            "envios: ../datos/envios_*.csv\n"
            "eventos: [../datos/eventos.xlsx]\n"
            "fecha_desde: 2026-08-01\n"  # a YAML date
            "fecha_hasta: '31/08/2026'\n"  # text
            "canales: [WA, IG]\n"
            "columnas:\n  Teléfono móvil: contacto_id\n"
            "anonimizar: false\n"
        ),
    )
    monkeypatch.chdir(tmp_path_factory.mktemp("otra_carpeta"))  # the working folder must not matter
    p = read_params(yaml_file)
    assert p.envios == str((project / "datos" / "envios_*.csv").resolve())
    assert p.eventos == [str((project / "datos" / "eventos.xlsx").resolve())]
    assert p.fecha_desde == "2026-08-01"
    assert p.fecha_hasta == "2026-08-31"
    assert p.canales == ["WA", "IG"]
    assert p.columnas == {"Teléfono móvil": "contacto_id"}


def test_read_params_with_a_relative_yaml_path(project, monkeypatch):
    _write(project / "params" / "informe.yaml", "envios: ../datos/envios_2026-08.csv\n")
    monkeypatch.chdir(project / "params")
    p = read_params("informe.yaml")
    assert Path(p.envios) == (project / "datos" / "envios_2026-08.csv").resolve()
    assert p.eventos == ""


def test_absolute_paths_are_kept(project):
    target = project / "datos" / "envios_2026-09.csv"
    yaml_file = _write(project / "p.yaml", f"envios: '{target}'\n")
    assert Path(read_params(yaml_file).envios) == target


def test_read_params_missing_input_file(project):
    yaml_file = _write(project / "params" / "informe.yaml", "envios: ../datos/envios_2026-12.csv\n")
    with pytest.raises(DataError) as err:
        read_params(yaml_file)
    assert "envios_2026-12.csv" in str(err.value)
    assert str(project / "datos") in str(err.value)  # the path it looked at, from the yaml folder


def test_read_params_missing_eventos_file(project):
    yaml_file = _write(
        project / "params" / "informe.yaml", "envios: ../datos/envios_2026-08.csv\neventos: eventos.xlsx\n"
    )
    with pytest.raises(DataError, match=r"eventos.*eventos\.xlsx"):
        read_params(yaml_file)


def test_read_params_glob_without_matches(project):
    yaml_file = _write(project / "params" / "informe.yaml", "envios: ../datos/ventas_*.csv\n")
    with pytest.raises(DataError, match="ventas_"):
        read_params(yaml_file)


@pytest.mark.parametrize(
    "text", ["envios: [a.csv\n", "envios: a.csv\n  canales: [WA]\n", "envios: a\n\tcanales: x\n"]
)
def test_invalid_yaml_is_a_params_error(tmp_path, text):
    yaml_file = _write(tmp_path / "roto.yaml", text)
    with pytest.raises(ParamsError) as err:
        read_params(yaml_file)
    assert "roto.yaml" in str(err.value)
    assert "YAML" in str(err.value)
    assert "(línea " in str(err.value)


def test_yaml_that_is_not_a_mapping(tmp_path):
    yaml_file = _write(tmp_path / "lista.yaml", "- envios: a.csv\n")
    with pytest.raises(ParamsError, match="mapa de claves"):
        read_params(yaml_file)


def test_empty_yaml_lacks_envios(tmp_path):
    yaml_file = _write(tmp_path / "vacio.yaml", "")
    with pytest.raises(ParamsError, match="falta «envios»"):
        read_params(yaml_file)


def test_missing_yaml_file(tmp_path):
    with pytest.raises(ParamsError, match=r"no_existe\.yaml"):
        read_params(tmp_path / "no_existe.yaml")


@pytest.mark.parametrize(
    ("text", "key", "lines"),
    [
        ("envios: a.csv\nfecha_desde: 2026-08-01\nenvios: b.csv\n", "envios", (1, 3)),
        (
            "envios: a.csv\ncolumnas:\n  Tel: contacto_id\n  Fecha: fecha_envio\n  Tel: envio_id\n",
            "Tel",
            (3, 5),
        ),
    ],
)
def test_a_repeated_yaml_key_is_an_error_naming_the_key_and_lines(tmp_path, text, key, lines):
    """PyYAML alone keeps the last value silently: the first envios would be lost without a word."""
    yaml_file = _write(tmp_path / "repetido.yaml", text)
    with pytest.raises(ParamsError) as err:
        read_params(yaml_file)
    msg = str(err.value)
    assert "repetido.yaml" in msg
    assert f"tiene la clave «{key}» repetida (líneas {lines[0]} y {lines[1]})" in msg
    assert "Dejá una sola" in msg


def test_same_key_in_different_mappings_is_fine(tmp_path):
    from outbound_analysis.load import read_yaml

    yaml_file = _write(tmp_path / "ok.yaml", "a:\n  x: 1\nb:\n  x: 2\nc: [{x: 1}, {x: 2}]\n")
    assert read_yaml(yaml_file) == {"a": {"x": 1}, "b": {"x": 2}, "c": [{"x": 1}, {"x": 2}]}


def test_a_folder_given_as_the_yaml_file(tmp_path):
    with pytest.raises(ParamsError, match="es una carpeta"):
        read_params(tmp_path)


def test_unknown_key_in_yaml_names_the_file(project):
    yaml_file = _write(
        project / "params" / "informe.yaml", "envios: ../datos/envios_2026-08.csv\ncampañas: [Carrito]\n"
    )
    with pytest.raises(ParamsError) as err:
        read_params(yaml_file)
    assert str(yaml_file) in str(err.value)
    assert "¿quisiste decir «campanas»?" in str(err.value)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"zona_horaria": "America/Nowhere"}, "La zona horaria «America/Nowhere» no existe"),
        ({"columnas": {"Nro": "numero_envio"}}, "no es una columna de envios ni de eventos"),
        ({"origenes": ["campaña rara"]}, "origenes: «campaña rara» no es un valor conocido"),
        ({"canales": [True]}, "«canales» tiene que ser una lista de textos"),
    ],
)
def test_values_checked_before_anything_runs_name_the_file(values, message):
    with pytest.raises(ParamsError) as err:
        Parametros.from_mapping({"envios": "x.csv", **values}, source="params/mio.yaml")
    assert str(err.value).startswith("params/mio.yaml: ")
    assert message in str(err.value)


# ------------------------------------------------------------- detallado: comparar, costos, moneda


def test_comparar_costos_and_moneda_defaults_and_normalized_values():
    p = from_mapping()
    assert (p.comparar, p.costos, p.moneda) == ([], {}, "USD")
    p = from_mapping(comparar=["Promo A", "Promo B"], costos={"whatsapp": 0.0618, "FB": 0}, moneda="ARS")
    assert p.comparar == ["Promo A", "Promo B"]
    assert p.costos == {"WA": 0.0618, "FB": 0.0}  # channel codes, like the canales filter
    assert p.moneda == "ARS"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"comparar": ["Promo A"]}, "comparar tiene que nombrar exactamente dos campañas"),
        ({"comparar": "Promo A"}, "comparar tiene que nombrar exactamente dos campañas"),
        ({"comparar": ["A", "B", "C"]}, "recibí 3 valores"),
        ({"comparar": ["A", "A"]}, "comparar nombra dos veces «A»: elegí dos campañas distintas"),
        ({"costos": {"WA": -1}}, "el costo del canal WA tiene que ser un número mayor o igual a 0"),
        ({"costos": {"WA": "0,06"}}, "con punto decimal"),
        ({"costos": {"WA": True}}, "mayor o igual a 0"),
        ({"costos": [0.06]}, "«costos» tiene que ser un mapa {canal: costo}"),
        ({"costos": {"WA": 0.1, "whatsapp": 0.2}}, "el canal WA aparece dos veces con costos distintos"),
        ({"moneda": 3}, "«moneda» tiene que ser un texto"),
    ],
)
def test_comparar_and_costos_are_checked_before_anything_runs(values, message):
    with pytest.raises(ParamsError) as err:
        Parametros.from_mapping({"envios": "x.csv", **values}, source="params/mio.yaml")
    assert str(err.value).startswith("params/mio.yaml: ")
    assert message in str(err.value)


def test_notebook_parameters_only_the_ones_a_notebook_declares():
    p = from_mapping(comparar=["A", "B"], canales=["WA"])
    nb = p.as_notebook_parameters({"envios", "canales", "no_existe"})
    assert nb == {"envios": "envios.csv", "canales": ["WA"]}


def test_every_report_notebook_declares_the_parameters_it_receives():
    """The runner passes each notebook only what its parameters cell declares: detallado
    declares comparar, costos and moneda; resumen and flujos do not need them."""
    import papermill as pm

    notebooks = Path(__file__).resolve().parent.parent / "notebooks"
    detallado = set(pm.inspect_notebook(str(notebooks / "detallado.ipynb")))
    assert {"comparar", "costos", "moneda"} <= detallado
    assert set(SPEC) <= detallado
    for name in ("resumen", "flujos"):
        declared = set(pm.inspect_notebook(str(notebooks / f"{name}.ipynb")))
        assert not {"comparar", "costos", "moneda"} & declared, name


def test_preflight_stops_a_comparar_campaign_that_is_not_in_the_data():
    from outbound_analysis.runner import preflight

    envios = str(Path(__file__).resolve().parent.parent / "data" / "demo" / "envios_*.csv")
    p = Parametros.from_mapping({"envios": envios, "comparar": ["recupero de carrito", "Hot Sale Noviembre"]})
    with pytest.raises(ParamsError, match="¿Quisiste decir «Recupero de carrito»"):
        preflight(p, ["detallado"])
    preflight(p, ["resumen"])  # only detallado reads comparar
