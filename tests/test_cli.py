"""The command line as a user meets it: Spanish messages, exit codes, no tracebacks."""

from __future__ import annotations

import errno
import os

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
    with pytest.raises(SystemExit) as exit_:
        cli.main(["demo", "--envios", "0"])
    assert exit_.value.code == 2
    assert "--envios: tiene que ser un número entero mayor que cero (recibí 0)" in capsys.readouterr().err


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


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["run", "resumen", "--timeout", "0"],
            "--timeout: tiene que ser un número entero mayor que cero (recibí 0)",
        ),
        (["run", "resumen", "--timeout", "-5"], "--timeout: tiene que ser un número entero mayor que cero"),
        (["run", "resumen", "--timeout", "diez"], "--timeout: «diez» no es un número entero"),
        (["demo", "--seed", "-1"], "--seed/--semilla: tiene que ser un número entero entre 0 y 4294967295"),
        (
            ["demo", "--seed", str(2**32)],
            "--seed/--semilla: tiene que ser un número entero entre 0 y 4294967295 (recibí 4294967296)",
        ),
        (
            ["validate", "x.csv", "--mostrar", "-1"],
            "--mostrar: tiene que ser un número entero mayor o igual a 0",
        ),
    ],
)
def test_numbers_out_of_range_are_usage_errors(tmp_path, capsys, argv, message):
    if argv[0] == "run":
        argv = [*argv, "--params", str(ROOT / "params" / "demo.yaml"), "--output", str(tmp_path / "o")]
    with pytest.raises(SystemExit) as exit_:
        cli.main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert f"Error: {message}" in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()


def test_demo_dir_that_cannot_be_a_folder(tmp_path, capsys, monkeypatch):
    from outbound_analysis import demo

    (tmp_path / "archivo").write_text("x", encoding="utf-8")
    assert cli.main(["demo", "--envios", "50", "--dir", str(tmp_path / "archivo" / "datos")]) == 2
    err = capsys.readouterr().err
    assert (
        f"Error: «{tmp_path / 'archivo' / 'datos'}» no puede ser una carpeta: «{tmp_path / 'archivo'}» es un "
        "archivo. Elegí otra carpeta con --dir." in err
    )

    def denied(*_args, **_kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / "d" / "envios_2026-08.csv"))

    monkeypatch.setattr(demo, "write", denied)
    assert cli.main(["demo", "--envios", "50", "--dir", str(tmp_path / "d")]) == 2
    err = capsys.readouterr().err
    assert f"Error: No tengo permiso para escribir en «{tmp_path / 'd'}». Revisá los permisos" in err
    assert "Traceback" not in err


def test_validate_rechazos_path_problems(tmp_path, capsys, monkeypatch):
    from outbound_analysis import exports

    path = tmp_path / "descarga.csv"
    path.write_bytes((MESSY + "5;31/02/2026;Promo;Plantilla;WA;54911;Enviado;;;;\r\n").encode("cp1252"))
    (tmp_path / "archivo").write_text("x", encoding="utf-8")
    assert cli.main(["validate", str(path), "--rechazos", str(tmp_path / "archivo" / "r.csv")]) == 2
    assert (
        f"«{tmp_path / 'archivo'}» es un archivo. Elegí otra carpeta con --rechazos."
        in capsys.readouterr().err
    )
    assert cli.main(["validate", str(path), "--rechazos", str(tmp_path)]) == 2
    assert "--rechazos es la ruta de un archivo .csv" in capsys.readouterr().err

    def full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(exports, "write_csv", full)
    assert cli.main(["validate", str(path), "--rechazos", str(tmp_path / "v" / "r.csv")]) == 2
    err = capsys.readouterr().err
    assert f"Error: No queda espacio en el disco para escribir en «{tmp_path / 'v'}»" in err
    assert "Traceback" not in err


def test_lab_passes_its_options_in_order_and_prints_the_url(tmp_path):
    """`lab --port 8899 --ip 127.0.0.1`: options reach jupyter lab in order; it starts and says where."""
    import socket
    import subprocess
    import sys
    import time

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt"),
        "HOME": str(tmp_path),
        "OUTBOUND_ANALYSIS_TRABAJO": str(tmp_path / "trabajo"),
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "outbound_analysis.cli",
            "lab",
            "--port",
            str(port),
            "--ip",
            "127.0.0.1",
            "--no-browser",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    seen = ""
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and f"127.0.0.1:{port}/lab" not in seen:
            line = proc.stdout.readline()
            if not line:
                break
            seen += line
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert "Abriendo JupyterLab" in seen and (tmp_path / "trabajo" / "resumen.ipynb").is_file()
    assert f"http://127.0.0.1:{port}/lab?token=" in seen, seen


def test_lab_help_is_spanish_and_explains_server_use(capsys):
    with pytest.raises(SystemExit):
        cli.main(["lab", "--help"])
    out = capsys.readouterr().out
    assert out.startswith("uso: ") and "--port 8899 --ip 127.0.0.1" in out and "token" in out
