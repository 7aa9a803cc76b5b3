"""A running dashboard picks up a rebuilt warehouse on its next interaction, without a restart."""

from __future__ import annotations

from pathlib import Path

from conftest import describe, etl_env, run_cli
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")
BANNER = "Demodata (syntetiske tall)"


def _texts(at: AppTest) -> str:
    return " ".join(str(e.value) for e in [*at.warning, *at.info, *at.markdown])


def test_rebuilt_warehouse_is_picked_up_without_restart(tmp_path, monkeypatch, geo_args):
    warehouse = tmp_path / "wh.duckdb"
    env = etl_env(warehouse, cache_dir=tmp_path / "cache")
    first = run_cli(["build", "--quiet", *geo_args], env=env)
    assert first.returncode == 0, describe(first)

    monkeypatch.setenv("KL_WAREHOUSE", str(warehouse))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert BANNER not in _texts(at), "a build without demo data must not say it has synthetic data"
    before = warehouse.resolve()

    # the same path, rebuilt with synthetic survey data while the app keeps running
    demo_env = env | {"KL_DEMO_DIR": str(tmp_path / "demo")}
    demo_env |= {"KL_GEOJSON": geo_args[1], "KL_FYLKE_GEOJSON": geo_args[3]}
    second = run_cli(["demo", "--scale", "0.2"], env=demo_env)
    assert second.returncode == 0, describe(second)
    assert warehouse.resolve() != before, "the rebuild did not swap in a new file"

    at.run()
    assert not at.exception
    assert BANNER in _texts(at), "the running app still shows the old warehouse"
    at.switch_page("sider/indikatorer.py").run()
    assert not at.exception
    assert at.dataframe, "the rebuilt warehouse's indicators are not shown"
