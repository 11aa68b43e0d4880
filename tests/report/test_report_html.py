"""Safe HTML: text is escaped unless it is markup built here."""

from __future__ import annotations

from drive_sim.report.html import Markup, fmt, fmt_ci, join, status_mark, table, tag, text


def test_text_and_attributes_are_escaped() -> None:
    assert tag("p", "<script>alert(1)</script>") == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"
    assert tag("a", "x", href='" onmouseover="alert(1)') == '<a href="&quot; onmouseover=&quot;alert(1)">x</a>'
    assert tag("p", Markup("<b>kept</b>")) == "<p><b>kept</b></p>"
    assert join("a < b", tag("br"), None, ["c", 1]) == "a &lt; b<br>c1"
    assert text(None) == ""


def test_tag_attribute_names_and_flags() -> None:
    assert tag("details", "x", open=True, class_="c", data_x=None) == '<details open class="c">x</details>'


def test_table_escapes_cells_and_marks_numbers() -> None:
    html = table(["Name", "Value"], [["<i>", 1.5]], numeric=[False, True], row_classes=["chosen"])
    assert '<tr class="chosen"><td>&lt;i&gt;</td><td class="num">1.5</td></tr>' in html


def test_numbers_read_well() -> None:
    assert fmt(float("nan")) == "–"
    assert fmt(0.8312, 0, percent=True) == "83%"
    assert fmt(291148, 0, money=True) == "£291,148"
    assert fmt_ci(1.0, 2.0) == "1.0–2.0"
    assert fmt_ci(float("nan"), 2.0) == ""


def test_status_marks_read_without_colour() -> None:
    assert "✖ above" in status_mark("above") and "title=" in status_mark("above")
    assert "✔ within" in status_mark("within")
    assert status_mark("") == ""
