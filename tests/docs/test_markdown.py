"""The reading of the docs convention: which lines run, and what output must show."""

from __future__ import annotations

from tests.docs.markdown import blocks, commands, missing_output

PAGE = """# A page

```console
$ first --flag \\
    continued
printed line
$ second
```

```sh
not run
```

````console
$ third
```
inside a longer fence
````
"""


def test_console_blocks_give_their_commands_with_the_lines_shown_after_them(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(PAGE, encoding="utf-8")
    found = [
        (command.where, command.line, command.output)
        for block in blocks(page, tmp_path)
        if block.tag == "console"
        for command in commands(block)
    ]
    assert found == [
        ("page.md:4", "first --flag \\\n    continued", ("printed line",)),
        ("page.md:7", "second", ()),
        ("page.md:15", "third", ("```", "inside a longer fence")),
    ]
    assert [block.tag for block in blocks(page, tmp_path)] == ["console", "sh", "console"]


def test_shown_output_must_be_printed_in_order_with_elisions_and_loose_spaces():
    printed = "2026-01-01 [x] INFO: Archive run 2026Z-1 finished: 3 new\nexit   status 3\n"
    assert missing_output(("finished: 3 new", "exit status 3"), printed) is None
    assert missing_output(("Archive run ... finished: 3 new",), printed) is None
    assert missing_output(("Archive run … finished",), printed) is None
    assert missing_output(("exit status 3", "finished: 3 new"), printed) == "finished: 3 new"
    assert missing_output(("finished: 4 new",), printed) == "finished: 4 new"
    assert missing_output(("Archive ... 4 new",), printed) == "Archive ... 4 new"
