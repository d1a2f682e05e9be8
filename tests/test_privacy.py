"""Pseudonyms for contact ids and phone numbers (anonimizar)."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import DEMO, make_envios

from outbound_analysis import Informe, ParamsError, privacy
from outbound_analysis.load import read_secret_key


def test_pseudonym_is_stable_keyed_and_ignores_phone_formatting():
    a = privacy.pseudonym_of("+54 9 11 2345-6789", b"clave")
    assert a == privacy.pseudonym_of("5491123456789", b"clave")
    assert a != privacy.pseudonym_of("5491123456789", b"otra clave")
    assert a.startswith("anon-") and "6789" not in a
    assert privacy.pseudonym_of("psid-1", b"clave") != privacy.pseudonym_of("psid-2", b"clave")


def test_anonymize_replaces_ids_and_phones_in_text_without_mutating():
    tables = {
        "envios": make_envios({"contacto_id": "5491123456789"}, {"contacto_id": "5491100000000"}),
        "mensajes": pd.DataFrame({"mensaje": ["Llamame al +54 9 11 2345-6789 mañana", "sin teléfono"]}),
    }
    before = tables["envios"].copy()
    out = privacy.anonymize(tables, b"k")
    assert out["envios"]["contacto_id"].str.startswith("anon-").all()
    assert out["envios"]["contacto_id"].nunique() == 2
    assert "2345" not in out["mensajes"]["mensaje"].iloc[0]
    assert out["mensajes"]["mensaje"].iloc[0].startswith("Llamame al anon-")
    assert out["mensajes"]["mensaje"].iloc[1] == "sin teléfono"
    pd.testing.assert_frame_equal(tables["envios"], before)
    assert out["envios"]["campana"].equals(before["campana"])


def test_missing_key_is_a_spanish_error(monkeypatch, tmp_path):
    monkeypatch.delenv("OUTBOUND_ANALYSIS_CLAVE", raising=False)
    monkeypatch.setenv("OUTBOUND_ANALYSIS_CLAVE_ARCHIVO", str(tmp_path / "no-existe"))
    with pytest.raises(ParamsError, match="anonimizar: true necesita una clave"):
        read_secret_key()
    (tmp_path / "clave").write_text("secreto\n", encoding="utf-8")
    monkeypatch.setenv("OUTBOUND_ANALYSIS_CLAVE_ARCHIVO", str(tmp_path / "clave"))
    assert read_secret_key() == b"secreto"
    monkeypatch.setenv("OUTBOUND_ANALYSIS_CLAVE", "de-entorno")
    assert read_secret_key() == b"de-entorno"


def test_anonymized_report_exports_no_phone_number(monkeypatch, tmp_path):
    monkeypatch.setenv("OUTBOUND_ANALYSIS_CLAVE", "clave-de-prueba")
    inf = Informe("detallado", envios=str(DEMO / "envios_*.csv"), anonimizar=True)
    phones = inf.datos.envios["contacto_id"].astype(str).unique()
    files = inf.escribir(tmp_path / "out")
    text = "".join(p.read_text(encoding="utf-8") for p in files if p.suffix in (".csv", ".json"))
    leaked = [p for p in phones[:200] if p in text]
    assert not leaked, f"teléfonos en la exportación: {leaked[:3]}"
    assert "anon-" in text
    assert inf.tablas["envios"]["contacto_id"].str.startswith("anon-").all()
    assert inf.buscar(phones[0][-6:])["contacto_id"].str.startswith("anon-").all()
