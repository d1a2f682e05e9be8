"""The command line as a user meets it: Spanish messages, exit codes, no tracebacks."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import DEMO, ROOT

from outbound_analysis import cli, load_data

MESSY = (
    "  ID envío ;FECHA DE ENVÍO;Nombre de campaña;Tipo de origen;Canal;Teléfono;Estado;Leído;"
    "Respondido;Asignada;Fecha de respuesta\r\n"
    "1;01/08/2026 09:15;Día del Niño;Campaña de flujo;WA +5491155550000;+54 9 11 2345-6789;"
    "Enviado;Sí;No;;\r\n"
    "2;1/8/2026;Día del Niño;Plantilla individual;WA +5491155550000;5491123456780;Enviado;;;Sí;\r\n"
    "3;02/08/2026 10:00:30;Promoción Peña;Plantilla;IG @tienda;1234567890123456;Error;;;;\r\n"
    "4;02/08/2026 11:00;Promoción Peña;Plantilla;WA;5491123456781;Pendiente;No;;;02/08/2026 12:00\r\n"
)


def test_no_command_prints_help(capsys):
    assert cli.main([]) == 2
    assert "Informes de campañas outbound" in capsys.readouterr().out


def test_argparse_errors_are_spanish(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["run", "--all"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "faltan estos argumentos" in err and "--params" in err and "Usá --help" in err


def test_demo_writes_a_deterministic_data_set(tmp_path, capsys):
    assert cli.main(["demo", "--envios", "400", "--seed", "3", "--dir", str(tmp_path / "a")]) == 0
    out = capsys.readouterr().out
    assert "Datos de ejemplo (400 envíos, semilla 3)" in out and "envios_2026-08.csv" in out
    assert cli.main(["demo", "--envios", "400", "--seed", "3", "--dir", str(tmp_path / "b")]) == 0
    for name in ("envios_2026-08.csv", "envios_2026-11.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert cli.main(["demo", "--envios", "0"]) == 2


def test_bundled_demo_data_is_what_the_generator_writes(tmp_path):
    from outbound_analysis import demo

    demo.write(tmp_path, n_envios=3000, seed=7)
    for path in sorted(DEMO.glob("*.csv")):
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name
    bundled = load_data(str(DEMO / "envios_*.csv"), str(DEMO / "eventos.xlsx"))
    fresh = load_data(str(tmp_path / "envios_*.csv"), str(tmp_path / "eventos.xlsx"))
    pd.testing.assert_frame_equal(bundled.eventos, fresh.eventos)


def test_validate_a_messy_platform_file_loads_every_row(tmp_path, capsys):
    path = tmp_path / "descarga.csv"
    path.write_bytes(MESSY.encode("cp1252"))
    assert cli.main(["validate", str(path), "--rechazos", str(tmp_path / "r.csv")]) == 0
    out = capsys.readouterr().out
    assert "(CSV ';', Windows-1252): 4 leídas, 4 cargadas, 0 rechazadas" in out
    assert "no hay rechazos" in out
    data = load_data(str(path))
    env = data.envios.set_index("envio_id")
    assert env.loc["1", "campana"] == "Día del Niño" and env.loc["1", "contacto_id"] == "5491123456789"
    assert env.loc["2", "origen"] == "plantilla_individual" and pd.isna(env.loc["2", "leido"])
    assert env.loc["3", "canal"] == "IG" and env.loc["3", "linea"] == "@tienda"
    assert env.loc["4", "respondido"]  # implied by its fecha_respuesta


def test_validate_reports_each_rejection_and_writes_the_rejects_file(tmp_path, capsys):
    bad = MESSY + "5;31/02/2026;Promo;Plantilla;WA;54911;Enviado;quizás;;;\r\n"
    path = tmp_path / "descarga.csv"
    path.write_bytes(bad.encode("cp1252"))
    rejects = tmp_path / "rechazos.csv"
    assert cli.main(["validate", str(path), "--rechazos", str(rejects)]) == 0
    out = capsys.readouterr().out
    assert "5 leídas, 4 cargadas, 1 rechazadas" in out
    assert "descarga.csv, fila 6, fecha_envio «31/02/2026»: no es una fecha reconocible" in out
    assert "fila 6, leido «quizás»" in out
    table = pd.read_csv(rejects)
    assert set(table["columna"]) == {"fecha_envio", "leido"} and set(table["fila"]) == {6}


def test_validate_eventos_alone_and_params(tmp_path, capsys):
    assert cli.main(["validate", str(DEMO / "eventos.xlsx")]) == 0
    assert "eventos · " in capsys.readouterr().out
    assert cli.main(["validate", "--params", str(ROOT / "params" / "demo.yaml")]) == 0
    out = capsys.readouterr().out
    assert "claves y tipos correctos" in out and "envios · total: 3.139 leídas, 3.000 cargadas" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("envios: x.csv\ncampañas: [A]\n", "clave desconocida «campañas» (¿quisiste decir «campanas»?)"),
        ("envios: x.csv\ncanales: 5\n", "«canales» tiene que ser una lista de textos"),
        ("envios: no-existe.csv\n", "No encontré el archivo de envios «"),
        ("envios: x.csv\nformatos: [pdf]\n", "formatos pdf no existen"),
        ("envios: x.csv\nfecha_desde: 2026-13-45\n", "revisá las fechas, se escriben AAAA-MM-DD"),
        ("envios: x.csv\nfecha_desde: 45/13/2026\n", "no es una fecha válida"),
    ],
)
def test_run_rejects_bad_params_before_running_anything(tmp_path, capsys, content, message):
    (tmp_path / "x.csv").write_bytes(MESSY.encode("cp1252"))
    params = tmp_path / "p.yaml"
    params.write_text(content, encoding="utf-8")
    code = cli.main(["run", "resumen", "--params", str(params), "--output", str(tmp_path / "out")])
    out = capsys.readouterr()
    assert code == 2
    assert message in out.out
    assert "Traceback" not in out.out + out.err
    assert not (tmp_path / "out").exists()


def test_data_errors_are_one_spanish_sentence(tmp_path, capsys):
    path = tmp_path / "vacio.csv"
    path.write_bytes(b"")
    assert cli.main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: El archivo «vacio.csv» está vacío") and "Traceback" not in err
    assert cli.main(["validate", str(tmp_path / "nada.csv")]) == 2
    assert "No encontré el archivo" in capsys.readouterr().err


def test_run_needs_a_report_name(capsys, tmp_path):
    assert cli.main(["run", "--params", str(ROOT / "params" / "demo.yaml"), "--output", str(tmp_path)]) == 2
    assert "indicá qué informes generar" in capsys.readouterr().err
    assert (
        cli.main(["run", "ventas", "--params", str(ROOT / "params" / "demo.yaml"), "--output", str(tmp_path)])
        == 2
    )
    assert "«ventas» no es un informe" in capsys.readouterr().err
