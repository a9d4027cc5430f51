"""MemoryBook.from_frames: the rows given become the cells, as given."""

from __future__ import annotations

import datetime as dt

from crm_xl.book.memory import MemoryBook
from crm_xl.model.schema import NoValue


def test_rows_become_the_cells_as_given() -> None:
    """No pandas inference between the rows and the cells: pandas 3 infers `str` for a column of texts (with
    pyarrow a NoValue then became ''), pandas 2 made a column of numbers with a blank floats."""
    book = MemoryBook.from_frames({"customers": [
        {"customer": "甲", "contact": NoValue("=B9"), "nps": 30, "first_contact": dt.datetime(2024, 3, 1)},
        {"customer": "乙", "nps": None, "first_contact": dt.date(1, 1, 1)},
    ]})
    head, first, second = book.sheets["客户信息表"]
    first, second = dict(zip(head, first, strict=True)), dict(zip(head, second, strict=True))
    assert type(first["联系人"]) is NoValue and first["联系人"].formula == "=B9"
    assert second["联系人"] is None
    assert type(first["净推荐值"]) is int and second["净推荐值"] is None
    assert type(first["首次接触日期"]) is dt.datetime and second["首次接触日期"] == dt.date(1, 1, 1)
