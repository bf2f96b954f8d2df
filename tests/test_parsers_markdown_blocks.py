"""Card markdown -> tables and paragraphs (markdown-it-py), HTML in it -> grids (BeautifulSoup).

The texts are written for these tests; each case is one thing GitHub's renderer does that a
line-by-line reader gets wrong.
"""

from __future__ import annotations

import textwrap

from scrapers.parsers.html_blocks import html_blocks
from scrapers.parsers.markdown_blocks import split_blocks


def blocks(text: str):
    return split_blocks(textwrap.dedent(text))


def test_escaped_pipes_stay_in_their_cell_also_inside_code():
    tables, _ = blocks(r"""
        | Model | Vocabulary note | Params |
        |---|---|---|
        | Pipe-1B | splits on `\|` and a\|b | 1B |
        """)
    assert tables == [(None, [["Model", "Vocabulary note", "Params"], ["Pipe-1B", "splits on | and a|b", "1B"]])]


def test_cells_with_code_links_images_and_emphasis_are_read_as_their_text():
    tables, _ = blocks("""
        | Model | Params | Context |
        | :-- | --: | :-: |
        | [Link-7B](https://example.org/a_(b) "title") | `7.2B` | **32k**<br>tokens |
        | ![Logo-3B](logo.png) | _3B_ | 8&nbsp;k |
        """)
    assert tables[0][1][1:] == [["Link-7B", "7.2B", "32k tokens"], ["Logo-3B", "3B", "8 k"]]


def test_a_table_in_a_fenced_or_indented_code_block_is_not_a_table():
    tables, prose = blocks("""
        # Real section

        ```text
        | Model | Params |
        |---|---|
        | Fenced-70B | 70B |
        # a comment, not a heading
        ```

        ~~~
        | Model | Params |
        |---|---|
        ~~~

            | Model | Params |
            |---|---|
            | Indented-9B | 9B |

        After the code.
        """)
    assert tables == []
    assert prose == [("Real section", "After the code.")]


def test_setext_headings_name_sections_and_atx_closing_hashes_are_dropped():
    tables, prose = blocks("""
        Overview
        ========

        A paragraph with 2T tokens.
        ---

        | Model | Params |
        |---|---|
        | Set-1B | 1B |

        ## Closing hashes ##

        Last words.
        """)
    assert tables == [("A paragraph with 2T tokens.", [["Model", "Params"], ["Set-1B", "1B"]])]
    # A setext heading's text is read as prose too: "---" under a paragraph is often meant as a rule.
    assert prose == [("Overview", "Overview"), ("A paragraph with 2T tokens.", "A paragraph with 2T tokens."),
                     ("Closing hashes", "Last words.")]


def test_gfm_table_rules_outer_pipes_optional_delimiter_must_match_the_header():
    tables, prose = blocks("""
        Model | Params
        ------|-------
        Bare-2B | 2B

        | Model | Params |
        |---|---|---|
        | Mismatch-5B | 5B |
        """)
    assert tables == [(None, [["Model", "Params"], ["Bare-2B", "2B"]])]
    assert prose == [(None, "| Model | Params | |---|---|---| | Mismatch-5B | 5B |")]


def test_html_table_with_th_colspan_rowspan_nested_tags_and_unclosed_cells():
    tables, _ = blocks("""
        <table>
          <thead>
            <tr><th rowspan="2">Model</th><th colspan="2">Training</th></tr>
            <tr><th>GPU hours</th><th>Tokens</th></tr>
          </thead>
          <tbody>
            <tr><td><a href="x"><strong>Grid</strong>-8B</a></td><td>1.<em>2</em>M<br>(est.)</td><td rowspan="2"><p>9T</p></td></tr>
            <tr><td>Grid-70B<td>3.4M</tr>
            <tr><td>Total</td><td colspan="2">4.6M</td></tr>
          </tbody>
        </table>
        """)
    assert tables == [(None, [["Model", "Training", "Training"], ["Model", "GPU hours", "Tokens"],
                              ["Grid-8B", "1.2M (est.)", "9T"], ["Grid-70B", "3.4M", "9T"], ["Total", "4.6M", "4.6M"]])]


def test_html_table_running_over_blank_lines_is_read_to_its_end_and_text_after_it_kept():
    tables, prose = blocks("""
        <table>
          <tr><td>Model</td><td>GPU hours</td></tr>
          <tr><td>Blank-1B</td><td>
        <ul>

        </ul>
          12k</td></tr>
        </table>
        Text after the table, 3T tokens.

        ## Next
        """)
    assert tables == [(None, [["Model", "GPU hours"], ["Blank-1B", "12k"]])]
    assert prose == [(None, "Text after the table, 3T tokens.")]


def test_an_unclosed_html_table_does_not_swallow_the_rest_of_the_card():
    tables, prose = blocks("""
        <table><tr><td>Open-1B</td><td>1B</td>

        ## Later

        | Model | Params |
        |---|---|
        | Later-2B | 2B |

        Later prose.
        """)
    assert tables == [(None, [["Open-1B", "1B"]]), ("Later", [["Model", "Params"], ["Later-2B", "2B"]])]
    assert prose == [("Later", "Later prose.")]


def test_html_headings_name_sections_comments_and_scripts_are_not_text():
    tables, prose = blocks("""
        <h1 align="center">Html-Model</h1>
        <!-- draft: 99B parameters -->
        <p align="center">Trained on <b>1.5</b>T tokens.</p>
        <script>var size = "88B parameters";</script>

        Plain markdown.
        """)
    assert tables == []
    assert prose == [("Html-Model", "Trained on 1.5T tokens."), ("Html-Model", "Plain markdown.")]


def test_a_table_nested_in_a_cell_is_its_own_table_after_its_container():
    events = html_blocks("<table><tr><td>Outer-1B</td><td>inner:<table><tr><td>Inner-2B</td></tr></table></td>"
                         "</tr></table>")
    assert events == [("table", [["Outer-1B", "inner:"]]), ("table", [["Inner-2B"]])]


def test_deeply_nested_html_is_read_without_recursion():
    events = html_blocks("<div>" * 20_000 + "Deep text with 4B parameters." + "</div>" * 20_000)
    assert events == [("text", "Deep text with 4B parameters.")]


def test_declarations_html_parser_refuses_and_lone_surrogates_do_not_stop_the_table():
    # Python's html.parser raises on "<![x]]>"; BeautifulSoup passes that on as ParserRejectedMarkup.
    events = html_blocks("<table><tr><td>Decl-1B</td><td><![x]]>7B</td></tr><tr><td>\ud800</td></tr></table>")
    assert events == [("table", [["Decl-1B", "7B"], ["\ufffd"]])]
