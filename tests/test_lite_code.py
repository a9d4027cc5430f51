"""The xlwings Lite edition's code (crm_xl/authoring/lite.py): main.py, the packed crm-xl, where the
buttons go. The parts in the file and the run inside a simulated Pyodide are tested in test_lite_edition."""

from __future__ import annotations

import ast
import base64
import hashlib
import io
import re
import zipfile

import pytest

from crm_xl.authoring import lite
from crm_xl.shells.lite import JOBS

BUTTON = re.compile(r"^\[(?P<shape>[^\]]+)\](?P<sheet>[^!]+)!(?P<cell>[A-Z]+[0-9]+)$")


def _scripts(text: str) -> dict[str, tuple[str, str]]:
    """function name → (its @script button string, the job it runs), read from main.py's syntax tree."""
    out = {}
    for node in ast.parse(text).body:
        if isinstance(node, ast.FunctionDef) and node.decorator_list:
            deco = node.decorator_list[0]
            assert isinstance(deco, ast.Call) and deco.func.id == "script"
            button = next(k.value.value for k in deco.keywords if k.arg == "button")
            call = node.body[-1].value
            out[node.name] = (button, ast.literal_eval(call.args[1]))
    return out


def _template_placement() -> list[lite.Placed]:
    grids: dict[str, list[list[object]]] = {"使用说明": [["使用说明"]], "客户信息表": [["客户信息表"], ["客户名称"]]}
    return lite.place(["使用说明", "客户信息表"], grids, ("客户信息表", 2), None)


def test_main_py_has_one_script_per_button_and_every_button_names_its_shape_and_cell() -> None:
    placed = _template_placement()
    text = lite.main_py(placed, "zh-Hans")
    compile(text, "main.py", "exec")
    scripts = _scripts(text)
    assert set(scripts) == {"validate_rows", "recompute_tiers", "flag_stale", "assess_health", "build_review",
                            "run_all"}
    assert scripts["run_all"][1] == "run"
    assert sorted(job for _, job in scripts.values()) == sorted(JOBS)
    for p in placed:
        button, job = scripts[p.script.function]
        m = BUTTON.match(button)
        assert m and (m["shape"], m["sheet"], m["cell"]) == (p.script.shape, p.sheet, p.cell)
        assert job == p.script.job
    assert len({p.script.shape for p in placed}) == len(placed)


def test_main_py_carries_the_packed_package_and_its_digest() -> None:
    blob = lite.packed()
    text = lite.main_py(_template_placement(), "en", blob)
    namespace: dict[str, object] = {}
    tree = ast.parse(text)
    for node in tree.body:  # the constants only (importing xlwings is not the point here)
        if isinstance(node, ast.Assign) and node.targets[0].id in ("PACKED", "PACKED_SHA256"):
            exec(compile(ast.Module([node], []), "main.py", "exec"), namespace)
    data = base64.b64decode(namespace["PACKED"])
    assert data == blob
    assert namespace["PACKED_SHA256"] == hashlib.sha256(blob).hexdigest()
    assert max(map(len, text.splitlines())) <= 120  # the Lite editor shows it: no line runs off forever


def test_the_pack_is_reproducible_and_holds_no_file_engine_template_or_cli() -> None:
    blob = lite.packed()
    assert blob == lite.packed()
    names = zipfile.ZipFile(io.BytesIO(blob)).namelist()
    assert names == sorted(names)
    assert "crm_xl/shells/lite.py" in names and "crm_xl/core/context.py" in names
    assert not [n for n in names if n.startswith(("crm_xl/book/xlsx/", "crm_xl/authoring/"))
                or n in ("crm_xl/shells/cli.py", "crm_xl/book/files.py")]


def test_buttons_go_where_the_template_puts_them() -> None:
    placed = {p.script.function: (p.sheet, p.cell) for p in _template_placement()}
    assert placed == {"validate_rows": ("客户信息表", "B1"), "recompute_tiers": ("客户信息表", "D1"),
                      "flag_stale": ("客户信息表", "F1"), "run_all": ("使用说明", "F3"),
                      "build_review": ("使用说明", "F6"), "assess_health": ("使用说明", "F9")}


def test_a_header_in_row_1_or_a_used_cell_sends_the_button_to_the_instructions_sheet() -> None:
    grids: dict[str, list[list[object]]] = {"Instructions": [[]], "Customers": [["Customer", None, None, "x"]]}
    placed = {p.script.function: (p.sheet, p.cell)
              for p in lite.place(["Instructions", "Customers"], grids, ("Customers", 1), None)}
    assert placed["validate_rows"] == ("Instructions", "F12")
    assert placed["recompute_tiers"] == ("Instructions", "F15")
    assert placed["flag_stale"] == ("Instructions", "F18")
    grids = {"Instructions": [[], [], [None] * 5 + ["mine"]], "Customers": [[], ["Customer"]]}  # F3 is the team's
    placed = {p.script.function: (p.sheet, p.cell)
              for p in lite.place(["Instructions", "Customers"], grids, ("Customers", 2), None)}
    assert placed["run_all"] == ("Instructions", "F12")
    assert placed["validate_rows"] == ("Customers", "B1")


def test_no_free_cell_is_an_error_naming_the_sheet() -> None:
    full = [[None] * 5 + ["x"] for _ in range(20)]
    with pytest.raises(ValueError, match="Instructions"):
        lite.place(["Instructions"], {"Instructions": full}, None, None)


def test_without_an_instructions_sheet_every_button_goes_on_the_buttons_sheet() -> None:
    placed = lite.place(["Customers"], {"Customers": [["Customer"]]}, ("Customers", 1), "crm-xl buttons")
    assert {p.sheet for p in placed} == {"crm-xl buttons"}
    assert [p.cell for p in placed] == list(lite.PANEL_CELLS)
