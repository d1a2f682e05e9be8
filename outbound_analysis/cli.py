"""The ``outbound-analysis`` command: demo data, validation, report runs and JupyterLab.

Every user-facing message is Spanish. Errors the user can fix are printed as one
sentence (no traceback) with exit code 2; a run with failed reports exits with 1;
Ctrl+C exits with 130 ("Interrumpido.").
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from ._text import cuantos, fmt_int
from .errors import OutboundError
from .report import REPORTS

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class _Formatter(argparse.HelpFormatter):
    """argparse's help with a Spanish "uso:" line."""

    def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[no-untyped-def]
        super().add_usage(usage, actions, groups, prefix="uso: " if prefix is None else prefix)


class _RawFormatter(_Formatter, argparse.RawDescriptionHelpFormatter):
    """The same, keeping the description's line breaks (examples)."""


class _Parser(argparse.ArgumentParser):
    """argparse with Spanish help headings and errors."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._positionals.title = "argumentos"
        self._optionals.title = "opciones"

    def error(self, message: str) -> None:  # type: ignore[override]
        translations = {
            "the following arguments are required": "faltan estos argumentos",
            "unrecognized arguments": "argumentos desconocidos",
            "invalid choice": "opción inválida",
            "expected one argument": "falta el valor",
            "invalid int value": "no es un número entero",
            "choose from": "elegí entre",
            "argument ": "",
        }
        for en, es in translations.items():
            message = message.replace(en, es)
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"Error: {message}\nUsá --help para ver las opciones.\n")


def _int_in(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    """argparse type: an integer within ``[minimum, maximum]``, with a Spanish error."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"«{text}» no es un número entero") from None
        if value < minimum or (maximum is not None and value > maximum):
            if maximum is not None:
                raise argparse.ArgumentTypeError(
                    f"tiene que ser un número entero entre {minimum} y {maximum} (recibí {value})"
                )
            words = "mayor que cero" if minimum == 1 else f"mayor o igual a {minimum}"
            raise argparse.ArgumentTypeError(f"tiene que ser un número entero {words} (recibí {value})")
        return value

    return parse


def _paralelo(text: str) -> int | None:
    """argparse type of ``--paralelo``: ``auto`` (None: the run chooses) or an integer of 1 or more."""
    if text.strip().lower() == "auto":
        return None
    try:
        return _int_in(1)(text)
    except argparse.ArgumentTypeError as error:
        raise argparse.ArgumentTypeError(f"{error}; o auto, para que lo elija según la máquina") from None


SEED_MAX = 2**32 - 1  # numpy's seed range


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="outbound-analysis",
        description="Informes de campañas outbound (Resumen, Detallado, Flujos por Tipificaciones).",
        add_help=False,
    )
    parser.add_argument("-h", "--help", action="help", help="mostrar esta ayuda y salir")
    sub = parser.add_subparsers(dest="command", metavar="COMANDO", parser_class=_Parser)
    for add in (_add_demo, _add_validate, _add_importar, _add_run, _add_lab):
        add(sub)
    return parser


def _command(
    sub: argparse._SubParsersAction, name: str, help: str, **kwargs: object
) -> argparse.ArgumentParser:
    """A subcommand with a Spanish -h/--help."""
    command = sub.add_parser(name, help=help, add_help=False, **kwargs)
    command.add_argument("-h", "--help", action="help", help="mostrar esta ayuda y salir")
    return command


def _add_demo(sub: argparse._SubParsersAction) -> None:
    demo = _command(sub, "demo", "generar datos de ejemplo con el formato de la plataforma")
    demo.add_argument("--envios", type=_int_in(1), default=3000, help="cantidad de envíos (por defecto 3000)")
    demo.add_argument(
        "--seed",
        "--semilla",
        dest="seed",
        type=_int_in(0, SEED_MAX),
        default=7,
        help=f"semilla de 0 a {SEED_MAX}: la misma semilla da los mismos archivos (por defecto 7)",
    )
    demo.add_argument("--dir", default="data/demo", help="carpeta de destino (por defecto data/demo)")


def _add_validate(sub: argparse._SubParsersAction) -> None:
    validate = _command(sub, "validate", "revisar archivos antes de correr informes")
    validate.add_argument(
        "paths",
        nargs="*",
        metavar="ARCHIVO",
        help="archivos de envíos o eventos (la tabla se detecta por los encabezados)",
    )
    validate.add_argument("--params", help="archivo de parámetros YAML: valida sus claves y sus archivos")
    validate.add_argument(
        "--rechazos",
        default="outputs/validacion/rechazos.csv",
        help="dónde escribir el detalle de filas rechazadas (por defecto outputs/validacion/rechazos.csv)",
    )
    validate.add_argument(
        "--mostrar", type=_int_in(0), default=10, help="rechazos a mostrar (por defecto 10)"
    )


class _Listas(argparse.Action):
    """``--envios A B`` then DESTINO: remembers which list came last (DESTINO may end up in it)."""

    def __call__(self, parser, namespace, values, option_string=None):  # type: ignore[no-untyped-def]
        setattr(namespace, self.dest, [*(getattr(namespace, self.dest) or []), *values])
        namespace.ultima_lista = self.dest


def _add_importar(sub: argparse._SubParsersAction) -> None:
    importar = _command(
        sub,
        "importar",
        "normalizar descargas una vez en un almacén Parquet (para muchos meses o millones de envíos)",
        description=(
            "Lee las descargas con las mismas reglas que los informes (encabezados, códigos, rechazos) y "
            "las agrega al almacén DESTINO, particionado por mes de fecha_envio. Un envio_id que ya "
            "estaba se reemplaza por el de la descarga nueva. Después usá la carpeta como envios: en "
            "los parámetros."
        ),
    )
    importar.add_argument(
        "destino", nargs="?", metavar="DESTINO", help="carpeta del almacén (nueva, vacía o un almacén)"
    )
    for name, what in (("--envios", "envíos"), ("--eventos", "eventos")):
        importar.add_argument(
            name,
            nargs="+",
            action=_Listas,
            required=name == "--envios",
            metavar="ARCHIVO",
            help=f"archivo(s) o patrones de {what}",
        )
    importar.add_argument(
        "--columnas",
        action="append",
        metavar="ENCABEZADO=COLUMNA",
        help='encabezado extra del archivo y su columna, p. ej. --columnas "Mi campaña=campana" (repetible)',
    )
    importar.add_argument(
        "--zona-horaria",
        dest="zona_horaria",
        help="zona de las fechas sin zona (por defecto la del almacén, o America/Argentina/Buenos_Aires)",
    )


def _add_run(sub: argparse._SubParsersAction) -> None:
    run = _command(sub, "run", "generar informes HTML y exportaciones con papermill")
    run.add_argument(
        "informes",
        nargs="*",
        metavar="INFORME",
        help=f"uno o más de: {', '.join(REPORTS)} (y guia, la guía de capacitación)",
    )
    run.add_argument("--all", action="store_true", help="los tres informes (resumen, detallado, flujos)")
    run.add_argument(
        "--params",
        nargs="+",
        required=True,
        metavar="ARCHIVO",
        help="archivo(s) de parámetros YAML o carpeta(s) que los contienen",
    )
    run.add_argument(
        "--output",
        required=True,
        metavar="CARPETA",
        help="carpeta de salida; admite {fecha}, {fecha_hora} y {params}",
    )
    run.add_argument(
        "--timeout",
        type=_int_in(1),
        metavar="SEGUNDOS",
        default=1800,
        help="límite en segundos por celda del notebook (por defecto 1800)",
    )
    run.add_argument(
        "--paralelo",
        type=_paralelo,
        metavar="N",
        default=None,
        help="informes que corren a la vez, cada uno en su kernel: un número, o auto (por defecto: "
        "tantos como núcleos, si sus kernels entran en la memoria libre)",
    )


def _add_lab(sub: argparse._SubParsersAction) -> None:
    _command(
        sub,
        "lab",
        "abrir JupyterLab en trabajo/ (copias de notebooks/ fuera de git)",
        usage=(
            "%(prog)s [--reiniciar] [--port PUERTO] [--ip DIRECCIÓN] [--no-browser] "
            "[OPCIÓN DE JUPYTER LAB ...]"
        ),
        description=LAB_HELP,
        formatter_class=_RawFormatter,
    )


LAB_HELP = """Abre JupyterLab con el kernel del proyecto en trabajo/, tu carpeta de trabajo: la primera vez
copia ahí los notebooks de notebooks/ (fuera de git, así el repositorio no cambia) y después
nunca pisa tus copias. --reiniciar trae copias nuevas y guarda las anteriores en
trabajo/anteriores/. Todo lo demás que escribas después de `lab` pasa tal cual a `jupyter lab`,
en el mismo orden, por ejemplo:

  outbound-analysis lab --port 8899                     en otro puerto
  outbound-analysis lab --port 8899 --ip 127.0.0.1      solo desde esta máquina
  outbound-analysis lab --ip 0.0.0.0 --no-browser       en un servidor, para entrar desde otra PC

Para entrar, abrí la dirección con el token que JupyterLab muestra al arrancar
(http://HOST:PUERTO/lab?token=...). En un servidor, lo más seguro es dejar --ip 127.0.0.1 y
conectarte con un túnel SSH: ssh -L 8899:localhost:8899 usuario@servidor. Ctrl+C lo cierra."""


def _cmd_demo(args: argparse.Namespace) -> int:
    from . import demo
    from ._outputs import check_can_write, describe_os_error
    from .errors import OutputError

    check_can_write(args.dir, "--dir")
    start = time.perf_counter()
    try:
        files = demo.write(args.dir, n_envios=args.envios, seed=args.seed)
    except OSError as exc:
        raise OutputError(describe_os_error(exc, args.dir, "--dir")) from exc
    took = time.perf_counter() - start
    print(
        f"Datos de ejemplo ({cuantos(args.envios, 'envío', 'envíos')}, semilla {args.seed}) en {args.dir}/ "
        f"en {took:.1f} s:"
    )
    for f in files:
        print(f"  {f}  ({f.stat().st_size / 1024:,.0f} KB)".replace(",", "."))
    return EXIT_OK


def _detect_table(path: Path) -> str:
    """ "envios" or "eventos", by which table's required headers the file has."""
    from .load import map_headers, read_raw
    from .schema import TABLES

    table, _ = read_raw(path)
    best, missing_best = "envios", None
    for name, spec in TABLES.items():
        chosen, _ = map_headers(table.column_names, name)
        missing = [c.name for c in spec if c.required and c.name not in chosen]
        if not missing:
            return name
        if missing_best is None or len(missing) < len(missing_best):
            best, missing_best = name, missing
    return best


def _cmd_validate(args: argparse.Namespace) -> int:
    from ._outputs import check_can_write, describe_os_error
    from .errors import OutputError
    from .exports import write_csv
    from .load import DEFAULT_TZ, expand_paths, load_data
    from .params import read_params

    if not args.paths and not args.params:
        print("Error: indicá uno o más archivos o --params ARCHIVO.", file=sys.stderr)
        return EXIT_USAGE
    out = Path(args.rechazos)
    if out.is_dir():
        raise OutputError(
            f"--rechazos es la ruta de un archivo .csv y «{out}» es una carpeta; agregale un nombre, "
            f"p. ej. «{out / 'rechazos.csv'}»."
        )
    check_can_write(out.parent, "--rechazos")
    columnas, tz = None, None
    envios: list[str] = []
    eventos: list[str] = []
    if args.params:
        params = read_params(args.params)
        print(f"Parámetros «{args.params}»: claves y tipos correctos.")
        columnas, tz = params.columnas, params.zona_horaria
        if not args.paths:
            envios = [params.envios] if isinstance(params.envios, str) else list(params.envios)
            eventos = [params.eventos] if isinstance(params.eventos, str) else list(params.eventos)
            eventos = [e for e in eventos if e]
    for spec in args.paths:
        for path in expand_paths(spec, "archivo"):
            (envios if _detect_table(path) == "envios" else eventos).append(str(path))
    data = load_data(envios, eventos, columnas=columnas, zona_horaria=tz or DEFAULT_TZ, require_envios=False)
    print(data.resumen_carga())
    rejects = data.rechazos
    if len(rejects):
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            write_csv(rejects, out)
        except OSError as exc:
            raise OutputError(describe_os_error(exc, out.parent, "--rechazos")) from exc
        # rows, as the load report counts them (rechazos has one line per problem of a row)
        totals = [data.totales(t) for t in ("envios", "eventos")]
        rows = sum(t["leidas"] - t["cargadas"] for t in totals)
        problems = "" if len(rejects) == rows else f" ({fmt_int(len(rejects))} problemas)"
        filas = cuantos(rows, "fila no cargada", "filas no cargadas")
        print(f"\n{filas}{problems}; detalle completo en {out}. Primeras:")
        for r in rejects.head(args.mostrar).itertuples():
            value = "" if r.valor is None or r.valor != r.valor else f" «{r.valor}»"
            print(f"  {Path(r.archivo).name}, fila {r.fila}, {r.columna}{value}: {r.motivo}")
    else:
        print("\nTodas las filas se cargaron: no hay rechazos.")
    return EXIT_OK


def _cmd_importar(args: argparse.Namespace) -> int:
    from .errors import DataError
    from .load import importar

    destino = args.destino
    if destino is None:  # argparse gave DESTINO to the list just before it: take it back
        lista = getattr(args, getattr(args, "ultima_lista", "envios")) or []
        if len(lista) < 2:
            print("Error: indicá la carpeta del almacén (DESTINO) al final del comando.", file=sys.stderr)
            return EXIT_USAGE
        destino = lista.pop()
    columnas: dict[str, str] = {}
    for item in args.columnas or []:
        header, sep, target = item.partition("=")
        if not sep or not header.strip() or not target.strip():
            raise DataError(
                f"--columnas «{item}»: escribilo como ENCABEZADO=COLUMNA, "
                'p. ej. --columnas "Mi campaña=campana".'
            )
        columnas[header.strip()] = target.strip()
    start = time.perf_counter()
    resultado = importar(
        destino, args.envios, args.eventos, columnas=columnas or None, zona_horaria=args.zona_horaria
    )
    print(resultado.resumen())
    print(f"Listo en {time.perf_counter() - start:.1f} s. Usalo en los parámetros: envios: {destino}")
    return EXIT_OK


def _cmd_run(args: argparse.Namespace) -> int:
    from .runner import run

    informes = list(REPORTS) if args.all else args.informes
    if not informes:
        print("Error: indicá qué informes generar (resumen, detallado, flujos) o --all.", file=sys.stderr)
        return EXIT_USAGE
    summary = run(
        informes,
        args.params,
        args.output,
        timeout=args.timeout,
        log=lambda line: print(line, flush=True),
        paralelo=args.paralelo,
    )
    if summary.invalid_params:
        return EXIT_USAGE
    return EXIT_OK if summary.ok else EXIT_FAILED


#: ``outbound-analysis lab --reiniciar``: fresh working copies (the old ones are kept aside)
LAB_RESET = "--reiniciar"


def lab_workdir(*, reiniciar: bool = False) -> tuple[Path, list[str], Path | None]:
    """The git-ignored working folder ``trabajo/`` next to ``notebooks/``, with a copy of each notebook.

    Copies only the notebooks it lacks: the analyst's working copies (with their outputs and
    edits) are never overwritten. With ``reiniciar`` the existing copies are first moved to
    ``trabajo/anteriores/AAAAMMDD-HHMMSS/``. ``trabajo/`` sits at the same depth as
    ``notebooks/``, so the notebooks' relative data paths (``../data/demo/...``) still work.
    Returns (folder, names copied, folder of the previous copies or None).
    """
    from .errors import OutputError
    from .runner import notebooks_dir

    source = notebooks_dir()
    work = Path(os.environ.get("OUTBOUND_ANALYSIS_TRABAJO") or source.parent / "trabajo")
    tracked = sorted(source.glob("*.ipynb"))
    if not tracked:
        raise OutputError(
            f"No encontré notebooks en «{source}»: corré el comando desde el repositorio instalado "
            "(make setup) o revisá OUTBOUND_ANALYSIS_NOTEBOOKS."
        )
    work.mkdir(parents=True, exist_ok=True)
    previous = None
    if reiniciar:
        old = [work / nb.name for nb in tracked if (work / nb.name).exists()]
        if old:
            previous = work / "anteriores" / time.strftime("%Y%m%d-%H%M%S")
            previous.mkdir(parents=True, exist_ok=True)
            for path in old:
                path.replace(previous / path.name)
    copied = []
    for nb in tracked:
        target = work / nb.name
        if not target.exists():
            shutil.copyfile(nb, target)
            copied.append(nb.name)
    return work, copied, previous


def strip_tracked_outputs(model: dict, path: str, contents_manager: object, **kwargs: object) -> None:
    """Jupyter pre-save hook: a notebook of ``notebooks/`` is saved without outputs.

    The tracked notebooks stay clean (no outputs, execution counts or widget state) even
    when someone opens them with plain ``jupyter lab``; every other notebook is saved as is.
    ``make setup`` sets it in ``.venv/etc/jupyter/jupyter_server_config.json``.
    """
    from .runner import notebooks_dir

    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    root = Path(getattr(contents_manager, "root_dir", "") or ".")
    target = (root / path.lstrip("/")).resolve()
    if target.parent != notebooks_dir().resolve():
        return
    nb = model["content"]
    nb.get("metadata", {}).pop("widgets", None)
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None


def _cmd_lab(args: argparse.Namespace) -> int:
    """JupyterLab in the working folder ``trabajo/``: the tracked ``notebooks/`` never change."""
    from .runner import kernel_env

    extra = [a for a in args.extra if a != LAB_RESET]
    work, copied, previous = lab_workdir(reiniciar=LAB_RESET in args.extra)
    kernel_env()
    command = [sys.executable, "-m", "jupyterlab", f"--notebook-dir={work}", *extra]
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in command:
        command.append("--allow-root")  # containers and CI machines often run as root
    if previous is not None:
        print(f"Tus copias anteriores quedaron en {previous}.")
    if copied:
        print(f"Copié {', '.join(copied)} de notebooks/ a {work} (tu carpeta de trabajo, fuera de git).")
    print(
        f"Abriendo JupyterLab en {work} (Ctrl+C para cerrar). Los notebooks de notebooks/ no se modifican; "
        f"para empezar de nuevo desde ellos: outbound-analysis lab {LAB_RESET}"
    )
    return _lanzar(command)


def _lanzar(command: list[str]) -> int:
    """Become JupyterLab (exec): a SIGTERM to this command then reaches Lab itself, which shuts
    its kernels down; as a child it would be left running. Elsewhere, Lab runs as a child."""
    sys.stdout.flush()
    sys.stderr.flush()
    if os.name == "posix":
        os.execve(command[0], command, os.environ.copy())
        return 0  # not reached: exec replaces this process
    return subprocess.call(command, env=os.environ.copy())


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["lab"] and not {"-h", "--help"} & set(argv[1:]):
        # everything after `lab` goes to jupyter lab untouched and in order (argparse would
        # reorder `--port 8899` into `8899 --port`)
        args = argparse.Namespace(command="lab", extra=argv[1:])
    else:
        args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    handlers = {
        "demo": _cmd_demo,
        "validate": _cmd_validate,
        "importar": _cmd_importar,
        "run": _cmd_run,
        "lab": _cmd_lab,
    }
    try:
        return handlers[args.command](args)
    except OutboundError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("Interrumpido.", file=sys.stderr)
        return 130
    except OSError as exc:  # last resort: a file problem the commands did not foresee, no traceback
        where = f" «{exc.filename}»" if exc.filename else ""
        print(
            f"Error: no pude leer o escribir{where}: {exc.strerror or exc}. Revisá la ruta y los permisos.",
            file=sys.stderr,
        )
        return EXIT_USAGE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
