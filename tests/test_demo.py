"""The demo data generator: determinism, coverage of every code, the traps, and the files.

Files are read back with plain pandas (not with the project's loader) so these tests pin
what the generator writes, independently of how it is loaded.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from outbound_analysis import demo, schema

TZ = "America/Argentina/Buenos_Aires"
N = 3000
SEED = 7

ENVIO_HEADERS = [c.aliases[0] for c in schema.ENVIOS]
LEGACY_HEADERS = [c.aliases[0] for c in schema.ENVIOS if c.name != "linea"]
EVENTO_HEADERS = [c.aliases[0] for c in schema.EVENTOS]
ESTADO_LABELS = {"Enviado": "exitoso", "Error": "fallido", "Pendiente": "pendiente"}
AUTOR_LABELS = {"Bot": "bot", "Cliente": "cliente", "Agente": "agente"}
FIN_LABELS = {
    "Abandono": "abandono",
    "Asignación": "asignacion",
    "Finalización automática": "finalizacion_automatica",
}
TIPO_LABELS = {
    "Fin positivo": "fin_positivo",
    "Fin negativo": "fin_negativo",
    "Seguimiento": "seguimiento",
    "Fin autogestión": "fin_autogestion",
    "Seguimiento autogestión": "seguimiento_autogestion",
}
SALE = "Venta concretada"


@pytest.fixture(scope="module")
def frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    return demo.generate(N, SEED)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return demo.write(tmp_path_factory.mktemp("demo"), N, SEED)


def _read_legacy(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, sep=";", encoding="cp1252", dtype=str, keep_default_na=False)


def _read_iso(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, sep=",", encoding="utf-8-sig", dtype=str, keep_default_na=False)


def _by_name(paths: list[Path]) -> dict[str, Path]:
    return {p.name: p for p in paths}


def _local(ts: pd.Series) -> pd.Series:
    """Local wall-clock time, naive."""
    return ts.dt.tz_convert(TZ).dt.tz_localize(None)


# --- determinism -----------------------------------------------------------------------


def test_generate_is_deterministic_and_depends_on_the_seed() -> None:
    e1, v1 = demo.generate(400, 3)
    e2, v2 = demo.generate(400, 3)
    pd.testing.assert_frame_equal(e1, e2)
    pd.testing.assert_frame_equal(v1, v2)
    e3, v3 = demo.generate(400, 4)
    assert len(e3) == 400
    assert (e1["fecha_envio"] != e3["fecha_envio"]).any()
    assert (e1["contacto_id"] != e3["contacto_id"]).any()
    assert not v1["conversacion_id"].isin(v3["conversacion_id"]).any()


def test_slices_continue_the_account_without_colliding() -> None:
    """tramo k: new ids after the earlier slices, dates 17 weeks later, weekdays kept."""
    e0, v0 = demo.generate(300, 5)
    e2, v2 = demo.generate(300, 3, tramo=2)  # drawn with seed 3 + 2
    s2, _ = demo.generate(300, 5)
    pd.testing.assert_frame_equal(e0, s2)  # tramo 0 is the data set itself
    assert e2["envio_id"].astype(int).min() == e0["envio_id"].astype(int).min() + 2 * 300
    assert not v2["conversacion_id"].isin(v0["conversacion_id"]).any()
    raw, _ = demo.generate(300, 5)
    shift = pd.Timedelta(weeks=2 * 17)
    pd.testing.assert_series_equal(e2["fecha_envio"] - shift, raw["fecha_envio"], check_names=False)
    for col in ("fecha_lectura", "fecha_respuesta", "fecha_asignacion"):
        pd.testing.assert_series_equal(e2[col].isna(), raw[col].isna())
        pd.testing.assert_series_equal(e2[col] - shift, raw[col], check_names=False)
    pd.testing.assert_series_equal(v2["fecha"] - shift, demo.generate(300, 5)[1]["fecha"], check_names=False)
    with pytest.raises(ValueError, match="tramo"):
        demo.generate(10, tramo=-1)


def test_write_gives_identical_files_for_the_same_seed(tmp_path: Path) -> None:
    a = demo.write(tmp_path / "a", 400, 3)
    b = demo.write(tmp_path / "b", 400, 3)
    c = demo.write(tmp_path / "c", 400, 4)
    assert [p.name for p in a] == [p.name for p in b]
    assert [p.name for p in a] == [
        "envios_2026-08.csv",
        "envios_2026-09.csv",
        "envios_2026-10.csv",
        "envios_2026-11.csv",
        "eventos.xlsx",
    ]
    for pa_, pb in zip(a, b, strict=True):
        if pa_.suffix == ".xlsx":
            xa = pd.read_excel(pa_, engine="calamine", dtype=object)
            xb = pd.read_excel(pb, engine="calamine", dtype=object)
            pd.testing.assert_frame_equal(xa, xb)
        else:
            assert pa_.read_bytes() == pb.read_bytes(), pa_.name
    assert a[0].read_bytes() != c[0].read_bytes()


def test_write_prints_nothing_and_replaces_its_old_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "notas.txt").write_text("no tocar")
    monkeypatch.setattr(demo, "XLSX_MAX_EVENTS", 10)
    demo.write(tmp_path, 300, 1)
    assert (tmp_path / "eventos_001.json").exists()
    monkeypatch.setattr(demo, "XLSX_MAX_EVENTS", 100_000)
    paths = demo.write(tmp_path, 300, 1)
    assert capsys.readouterr() == ("", "")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([p.name for p in paths] + ["notas.txt"])


# --- content -----------------------------------------------------------------------------


def test_columns_and_types(frames: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    envios, eventos = frames
    assert list(envios.columns) == schema.column_names("envios")
    assert list(eventos.columns) == schema.column_names("eventos")
    assert len(envios) == N and envios["envio_id"].is_unique
    for col in ("fecha_envio", "fecha_lectura", "fecha_respuesta", "fecha_asignacion"):
        assert str(envios[col].dtype.tz) == TZ
    assert str(eventos["fecha"].dtype.tz) == TZ
    for col in ("conversacion_nueva", "leido", "respondido", "asignada", "venta"):
        assert envios[col].dtype == "boolean"
    assert envios["etiquetas"].map(lambda x: isinstance(x, list)).all()
    assert envios["fecha_envio"].is_monotonic_increasing


def test_every_code_and_period(frames: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    envios, eventos = frames
    ok = envios[envios["estado"] == "exitoso"]
    assert set(envios["origen"]) == set(schema.ORIGENES)
    assert set(envios["estado"]) == set(schema.ESTADOS)
    assert set(ok["tipo_tipificacion"].dropna()) == set(schema.TIPOS_TIPIFICACION)
    assert set(eventos["tipo_tipificacion"].dropna()) == set(schema.TIPOS_TIPIFICACION)
    assert set(eventos["finalizacion"].dropna()) == set(schema.FINALIZACIONES)
    assert set(eventos["autor"]) == set(schema.AUTORES)
    assert set(envios["canal"]) == {"WA", "FB", "IG", "WEB"}
    assert set(envios.loc[envios["canal"] == "WA", "linea"]) == {"+5491155550000", "+5491144440000"}
    assert envios["campana"].nunique() == 9
    assert envios.groupby("campana")["canal"].nunique().max() == 2  # "Prueba interna": WA, WEB
    local = _local(envios["fecha_envio"])
    assert local.min() >= pd.Timestamp("2026-08-01")
    assert local.max() < pd.Timestamp("2026-11-21")
    assert local.dt.hour.between(8, 19).mean() > 0.8
    wa = envios.loc[envios["canal"] == "WA", "contacto_id"]
    assert wa.str.fullmatch(r"549\d{10}").all()
    assert envios["contacto_id"].nunique() < 0.6 * N  # contacts get several sends
    shares = envios["estado"].value_counts(normalize=True)
    assert 0.80 < shares["exitoso"] < 0.90 and 0.07 < shares["fallido"] < 0.13
    failed = envios["estado"] == "fallido"
    assert envios.loc[failed, "codigo_error"].notna().all()
    assert envios.loc[~failed, "codigo_error"].isna().all()
    assert set(envios["codigo_error"].dropna()) == {
        "131026",
        "131049",
        "131048",
        "131056",
        "131047",
        "131042",
        "130472",
    }
    not_ok = envios[envios["estado"] != "exitoso"]
    assert not_ok["conversacion_id"].isna().all()
    for col in ("conversacion_nueva", "leido", "respondido", "asignada", "venta"):
        assert not_ok[col].isna().all()
    assert not_ok["tipificacion"].isna().all() and not_ok["agente"].isna().all()
    assert ok["conversacion_id"].notna().all()
    assert 0.03 < ok["venta"].mean() < 0.08
    assert 0.2 < ok["tipificacion"].notna().mean() < 0.5
    labels = {e for tags in envios["etiquetas"] for e in tags}
    assert labels == {"interés alto", "interés medio", "interés bajo", "pago con tarjeta", "pago en efectivo"}
    assigned = ok["asignada"].fillna(False).astype(bool)
    assert ok.loc[assigned, "agente"].notna().all() and ok.loc[~assigned, "agente"].isna().all()
    assert set(ok["grupo"].dropna()) == {"Ventas", "Cobranzas", "Atención al cliente"}


def test_flags_and_their_timestamps(frames: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    envios, _ = frames
    for flag, when in (
        ("leido", "fecha_lectura"),
        ("respondido", "fecha_respuesta"),
        ("asignada", "fecha_asignacion"),
    ):
        true = envios[flag].fillna(False).astype(bool)
        assert (envios.loc[true, when] > envios.loc[true, "fecha_envio"]).all(), flag
        assert envios.loc[~true, when].isna().all(), flag


def test_the_traps_are_present(frames: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    envios, _ = frames
    ok = envios[envios["estado"] == "exitoso"]
    individual = ok[ok["origen"] == "plantilla_individual"]
    assert len(individual) > 50
    assert individual["leido"].isna().all() and individual["respondido"].isna().all()
    assert 0.4 < individual["asignada"].mean() < 0.8
    replied = ok["respondido"].fillna(False).astype(bool)
    assert (replied & (ok["leido"] == False)).sum() > 5  # noqa: E712 - boolean NA-aware
    assert (replied & ok["leido"].isna()).sum() > 5
    rest = ok[ok["origen"] != "plantilla_individual"]
    assert 0.05 < rest["leido"].isna().mean() < 0.2
    assert 0.12 < (ok["conversacion_nueva"] == False).mean() < 0.3  # noqa: E712
    assert ok["conversacion_id"].duplicated().any()  # a send into another send's conversation
    sale_then_more = ok["venta"].fillna(False).astype(bool) & (ok["tipificacion"] != SALE)
    assert sale_then_more.any()


def _conversation_facts(eventos: pd.DataFrame) -> pd.DataFrame:
    g = eventos.groupby("conversacion_id", sort=False)
    tips = eventos.dropna(subset=["tipificacion"]).groupby("conversacion_id", sort=False)
    tags = eventos.dropna(subset=["etiqueta"]).groupby("conversacion_id", sort=False)
    cli = eventos[eventos["autor"] == "cliente"].groupby("conversacion_id", sort=False)
    facts = pd.DataFrame(
        {
            "has_cliente": g["autor"].agg(lambda s: (s == "cliente").any()),
            "has_agente": g["autor"].agg(lambda s: (s == "agente").any()),
            "first_cliente": cli["fecha"].min(),
            "last_tip": tips["tipificacion"].last(),
            "last_tipo": tips["tipo_tipificacion"].last(),
            "sale": tips["tipificacion"].agg(lambda s: (s == SALE).any()),
            "autogestion": tips["tipo_tipificacion"].agg(lambda s: s.isin(schema.TIPOS_AUTOGESTION).any()),
            "etiquetas": tags["etiqueta"].agg(lambda s: list(dict.fromkeys(s))),
            "explicit": g["finalizacion"].agg(lambda s: s.dropna().iloc[-1] if s.notna().any() else None),
            "n_tips": tips["tipificacion"].size(),
            "n_distinct_tips": tips["tipificacion"].nunique(),
        }
    )
    facts["sale"] = facts["sale"].fillna(False).astype(bool)
    facts["autogestion"] = facts["autogestion"].fillna(False).astype(bool)
    facts["etiquetas"] = facts["etiquetas"].map(lambda x: x if isinstance(x, list) else [])
    return facts


def test_flags_agree_with_events(frames: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    envios, eventos = frames
    ok = envios[envios["estado"] == "exitoso"]
    with_events = ok[ok["conversacion_id"].isin(eventos["conversacion_id"])]
    assert set(eventos["conversacion_id"]) == set(with_events["conversacion_id"])
    assert ok.loc[ok["origen"] == "flujo", "conversacion_id"].isin(eventos["conversacion_id"]).all()
    assert (with_events["origen"] != "flujo").any()  # a plantilla with replies, too
    assert with_events["conversacion_id"].is_unique
    facts = _conversation_facts(eventos).loc[with_events["conversacion_id"]]
    s = with_events.set_index("conversacion_id")
    assert (s["respondido"].astype(bool) == facts["has_cliente"]).all()
    pd.testing.assert_series_equal(
        s["fecha_respuesta"], facts["first_cliente"], check_names=False, check_freq=False
    )
    assert (s["asignada"].astype(bool) | ~facts["has_agente"]).all()
    assert (s["asignada"].astype(bool) & ~facts["has_agente"]).any()  # assigned, agent silent
    assert s["tipificacion"].fillna("").equals(facts["last_tip"].fillna("").astype("str"))
    assert s["tipo_tipificacion"].fillna("").equals(facts["last_tipo"].fillna("").astype("str"))
    assert (s["venta"].astype(bool) == facts["sale"]).all()
    assert (s["etiquetas"] == facts["etiquetas"]).all()
    # fecha_asignacion is the time of an event of the conversation
    pairs = set(zip(eventos["conversacion_id"], eventos["fecha"], strict=True))
    assigned = s[s["asignada"].astype(bool)]
    assert all((c, t) in pairs for c, t in zip(assigned.index, assigned["fecha_asignacion"], strict=True))


def test_events_shape_the_flow_report(frames: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    envios, eventos = frames
    # grouped by conversation, time never goes back, ties exist
    conv = eventos["conversacion_id"]
    assert (conv != conv.shift()).sum() == conv.nunique()
    assert (eventos.groupby(conv, sort=False)["fecha"].diff().dropna() >= pd.Timedelta(0)).all()
    assert eventos.duplicated(["conversacion_id", "fecha"]).sum() > 10
    # explicit finalización: only on the last event, about half of the flow conversations
    flow = envios.loc[(envios["origen"] == "flujo") & (envios["estado"] == "exitoso")]
    ev = eventos[eventos["conversacion_id"].isin(flow["conversacion_id"])]
    last = ~ev["conversacion_id"].duplicated(keep="last")
    assert ev.loc[~last, "finalizacion"].isna().all()
    assert 0.35 < ev.loc[last, "finalizacion"].notna().mean() < 0.65
    # where explicit, it is what the contract's derivation gives
    facts = _conversation_facts(ev)
    asignada = flow.set_index("conversacion_id")["asignada"].astype(bool)
    derived = np.where(
        asignada.loc[facts.index] | facts["has_agente"],
        "asignacion",
        np.where(facts["autogestion"], "finalizacion_automatica", "abandono"),
    )
    explicit = facts["explicit"].notna()
    assert (facts.loc[explicit, "explicit"] == derived[explicit.to_numpy()]).all()
    replied = facts["has_cliente"]
    silent_abandon = replied & ~explicit & (derived == "abandono")
    assert silent_abandon.sum() > 10
    assert 0.30 < 1 - replied.mean() < 0.45  # flows nobody answered
    # abandono happens at different nodes: different last bot messages
    abandon = facts.index[replied & (derived == "abandono")]
    last_bot = (
        ev[(ev["autor"] == "bot") & ev["conversacion_id"].isin(abandon)]
        .groupby("conversacion_id")["mensaje"]
        .last()
    )
    assert last_bot.nunique() >= 5
    assert "¿Querés ver más ofertas?" in set(last_bot)
    # free text before the first option; options per campaign
    cli = ev[ev["autor"] == "cliente"]
    first_cli = cli.groupby("conversacion_id")["opcion"].first()  # first non-null opción
    first_msg = cli.groupby("conversacion_id").nth(0).set_index("conversacion_id")
    free_first = first_msg["opcion"].isna()
    assert free_first.sum() > 10
    assert first_cli.loc[free_first[free_first].index].notna().sum() > 5
    assert first_cli.isna().sum() > 0  # wrote, never chose an option
    assert {"Ver ofertas", "Estado de mi pedido", "Hablar con un asesor", "Dar de baja"} <= set(
        cli["opcion"].dropna()
    )
    # funnels with several levels, and a tipificación applied twice
    assert (facts["n_distinct_tips"] >= 2).sum() > 5
    assert (facts["n_tips"] > facts["n_distinct_tips"]).sum() > 0
    assert (facts["etiquetas"].map(len) >= 2).sum() > 10


# --- files ---------------------------------------------------------------------------------


def test_legacy_files_aug_sep(written: list[Path], frames: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    envios, _ = frames
    files = _by_name(written)
    raw = files["envios_2026-08.csv"].read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert "Teléfono".encode("cp1252") in raw and "Sí".encode("cp1252") in raw
    assert raw.count(b"\r\n") == raw.count(b"\n")
    for name in ("envios_2026-08.csv", "envios_2026-09.csv"):
        df = _read_legacy(files[name])
        assert list(df.columns) == LEGACY_HEADERS
        assert set(df["Tipo de origen"]) <= {
            "Campaña de flujo",
            "Plantilla",
            "Plantilla individual",
            "Webhook",
            "Mensaje de agente",
            "Otro",
        }
        assert set(df["Estado"]) == set(ESTADO_LABELS)
        assert df["Canal"].str.fullmatch(r"(WA|FB|IG|WEB) \S.*").all()
        for col in ("Conversación nueva", "Leído", "Respondido", "Asignada", "Venta"):
            assert set(df[col]) <= {"Sí", "No", ""}
        assert set(df["Tipo de tipificación"]) - {""} <= set(TIPO_LABELS)
        assert df["Fecha de envío"].str.fullmatch(r"\d\d/\d\d/2026 \d\d:\d\d:\d\d").all()
        assert df["Etiquetas"].str.contains("|", regex=False).any()
        truth = envios.set_index("envio_id").loc[df["ID de envío"]]
        parsed = pd.to_datetime(df["Fecha de envío"], format="%d/%m/%Y %H:%M:%S")
        assert (parsed.to_numpy() == _local(truth["fecha_envio"]).to_numpy()).all()
        assert (df["Estado"].map(ESTADO_LABELS).to_numpy() == truth["estado"].to_numpy()).all()


def test_iso_files_oct_nov(written: list[Path], frames: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    envios, _ = frames
    files = _by_name(written)
    for name in ("envios_2026-10.csv", "envios_2026-11.csv"):
        raw = files[name].read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        df = _read_iso(files[name])
        assert list(df.columns) == ENVIO_HEADERS
        assert set(df["Canal"]) <= {"WA", "FB", "IG", "WEB"}
        assert set(df["Estado"]) <= set(schema.ESTADOS)
        assert set(df["Tipo de origen"]) <= set(schema.ORIGENES)
        for col in ("Conversación nueva", "Leído", "Respondido", "Asignada", "Venta"):
            assert set(df[col]) <= {"true", "false", ""}
        iso = r"2026-\d\d-\d\dT\d\d:\d\d:\d\d(-03:00|Z)"
        assert df["Fecha de envío"].str.fullmatch(iso).all()
        assert df["Fecha de envío"].str.endswith("Z").any()
        assert df["Etiquetas"].str.contains(",", regex=False).any()
        truth = envios.set_index("envio_id").loc[df["ID de envío"]]
        parsed = pd.to_datetime(df["Fecha de envío"], format="ISO8601", utc=True)
        assert (parsed.to_numpy() == truth["fecha_envio"].dt.tz_convert("UTC").to_numpy()).all()


def test_overlapping_downloads(written: list[Path], frames: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    envios, _ = frames
    files = _by_name(written)
    octubre = _read_iso(files["envios_2026-10.csv"]).set_index("ID de envío")
    noviembre = _read_iso(files["envios_2026-11.csv"]).set_index("ID de envío")
    both = octubre.index.intersection(noviembre.index)
    local = _local(envios.set_index("envio_id")["fecha_envio"])
    window = local[(local >= "2026-10-29") & (local < "2026-11-01")].index
    assert set(both) == set(window) and len(both) > 50
    same = (octubre.loc[both] == noviembre.loc[both]).all(axis=1)
    changed = same[~same].index
    assert 1 <= len(changed) <= 0.2 * len(both)
    assert (octubre.loc[changed, "Estado"] == "pendiente").all()
    assert (octubre.loc[changed, "ID de conversación"] == "").all()
    assert (noviembre.loc[changed, "Estado"] == "exitoso").all()
    assert (envios.set_index("envio_id").loc[changed, "estado"] == "exitoso").all()
    # drop exact duplicates, keep the later row on conflicts: the truth of generate()
    legacy = [_read_legacy(files[f"envios_2026-0{m}.csv"]) for m in (8, 9)]
    for df in legacy:
        df["Estado"] = df["Estado"].map(ESTADO_LABELS)
    iso = [_read_iso(files[f"envios_2026-{m}.csv"]) for m in (10, 11)]
    ids_estado = pd.concat([df[["ID de envío", "Estado"]] for df in legacy + iso])
    assert len(ids_estado) == len(envios) + len(both)
    final = ids_estado.drop_duplicates("ID de envío", keep="last").set_index("ID de envío")
    truth = envios.set_index("envio_id")["estado"]
    assert len(final) == len(truth)
    assert (final.loc[truth.index, "Estado"].to_numpy() == truth.to_numpy()).all()


def test_reply_timestamp_without_flag_in_files(
    written: list[Path], frames: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    envios, _ = frames
    files = _by_name(written)
    blank = []
    for name, reader in (
        ("envios_2026-08.csv", _read_legacy),
        ("envios_2026-09.csv", _read_legacy),
        ("envios_2026-10.csv", _read_iso),
        ("envios_2026-11.csv", _read_iso),
    ):
        df = reader(files[name])
        rows = df[(df["Respondido"] == "") & (df["Fecha de respuesta"] != "")]
        blank += rows["ID de envío"].tolist()
    assert len(blank) >= 3
    assert envios.set_index("envio_id").loc[blank, "respondido"].all()


def test_eventos_xlsx(written: list[Path], frames: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    _, eventos = frames
    df = pd.read_excel(_by_name(written)["eventos.xlsx"], engine="calamine")
    assert list(df.columns) == EVENTO_HEADERS
    assert len(df) == len(eventos)
    assert pd.api.types.is_datetime64_any_dtype(df["Fecha"])
    assert (df["Fecha"].dt.round("s").to_numpy() == _local(eventos["fecha"]).to_numpy()).all()
    assert (df["ID de conversación"].astype(str).to_numpy() == eventos["conversacion_id"].to_numpy()).all()
    assert (df["Autor"].map(AUTOR_LABELS).to_numpy() == eventos["autor"].to_numpy()).all()
    assert (
        df["Finalización"].map(FIN_LABELS).fillna("").to_numpy()
        == eventos["finalizacion"].fillna("").to_numpy()
    ).all()
    assert (
        df["Tipo de tipificación"].map(TIPO_LABELS).fillna("").to_numpy()
        == eventos["tipo_tipificacion"].fillna("").to_numpy()
    ).all()
    for header, col in (
        ("Mensaje", "mensaje"),
        ("Nodo", "nodo"),
        ("Opción", "opcion"),
        ("Tipificación", "tipificacion"),
        ("Etiqueta", "etiqueta"),
    ):
        assert (
            df[header].astype(object).where(df[header].notna(), "").astype(str).to_numpy()
            == eventos[col].fillna("").to_numpy()
        ).all(), header


def test_split_into_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo, "MAX_ROWS", 200)
    monkeypatch.setattr(demo, "XLSX_MAX_EVENTS", 1000)
    monkeypatch.setattr(demo, "_CHUNK", 70)  # several write chunks per file, too
    paths = demo.write(tmp_path, 1500, 5)
    envios, eventos = demo.generate(1500, 5)
    names = [p.name for p in paths]
    assert "envios_2026-08_parte2.csv" in names and "eventos_002.json" in names
    assert "eventos.xlsx" not in names
    assert names.index("envios_2026-08.csv") < names.index("envios_2026-08_parte2.csv")
    csvs = [p for p in paths if p.suffix == ".csv"]
    parts = [(_read_legacy(p) if p.name < "envios_2026-10" else _read_iso(p)) for p in csvs]
    assert all(0 < len(df) <= 200 for df in parts)
    ids = pd.concat([df["ID de envío"] for df in parts])
    assert set(ids) == set(envios["envio_id"])
    jsons = [p for p in paths if p.suffix == ".json"]
    read = [pd.read_json(p, lines=True, dtype=False) for p in jsons]
    assert all(0 < len(df) <= 200 for df in read)
    ev = pd.concat(read, ignore_index=True)
    assert list(ev.columns) == EVENTO_HEADERS and len(ev) == len(eventos)
    fechas = pd.to_datetime(ev["Fecha"], format="ISO8601")
    assert (fechas.dt.tz_convert("UTC").to_numpy() == eventos["fecha"].dt.tz_convert("UTC").to_numpy()).all()
    assert (ev["ID de conversación"].to_numpy() == eventos["conversacion_id"].to_numpy()).all()
    assert (ev["Mensaje"].fillna("").to_numpy() == eventos["mensaje"].fillna("").to_numpy()).all()
    assert re.fullmatch(r"eventos_\d{3}\.json", jsons[-1].name)
