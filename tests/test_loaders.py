"""Field cleaning rules, one processor at a time."""

import locale
import shutil
import subprocess

import pytest
from parsel import Selector

from reviewcrawler.loaders import (
    ReviewLoader,
    VoteCounts,
    body_text,
    html_fragment,
    html_text,
    inline_text,
    parse_count,
    parse_date,
    parse_rating,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("8 February 2009", "2009-02-08"),
        ("28 May 2019", "2019-05-28"),
        ("Aug 24, 2013", "2013-08-24"),
        ("Sept 1, 2020", "2020-09-01"),
        ("September 1, 2020", "2020-09-01"),
        ("1 Sep. 2020", "2020-09-01"),
        ("2013-08-24", "2013-08-24"),
        ("2013-08-24T23:59:00Z", "2013-08-24"),
        ("31 February 2009", None),
        ("Feb 30, 2009", None),
        ("8 Februar 2009", None),
        ("yesterday", None),
        ("", None),
    ],
)
def test_parse_date(raw, expected):
    assert parse_date(raw) == expected


#: Locales whose month names are not English ("März", "mars", "marzo"…).
OTHER_LOCALES = ("de_DE.UTF-8", "fr_FR.UTF-8", "es_ES.UTF-8", "it_IT.UTF-8", "nl_NL.UTF-8")


def _set_other_time_locale(tmp_path, monkeypatch) -> str:
    """Set LC_TIME to a non-English locale: an installed one, else one compiled here."""
    for name in OTHER_LOCALES:
        try:
            return locale.setlocale(locale.LC_TIME, name)
        except locale.Error:
            continue
    if shutil.which("localedef") is None:
        pytest.skip(f"none of {', '.join(OTHER_LOCALES)} is installed, and no localedef")
    # Latin-1, not UTF-8: its charmap compiles in a quarter of the time, and "März"
    # and "Dez" are as German in it.
    built = subprocess.run(
        ["localedef", "-i", "de_DE", "-f", "ISO-8859-1", str(tmp_path / "de_DE.ISO-8859-1")],
        capture_output=True,
        check=False,
    )
    monkeypatch.setenv("LOCPATH", str(tmp_path))
    try:
        return locale.setlocale(locale.LC_TIME, "de_DE.ISO-8859-1")
    except locale.Error:
        pytest.skip(f"no non-English locale installed or buildable: {built.stderr[-200:]!r}")


def test_parse_date_ignores_the_time_locale(tmp_path, monkeypatch):
    """strptime reads month names in LC_TIME's language: a program that set another
    locale must still get English dates read, and its locale back."""
    dates = {"8 March 2009": "2009-03-08", "Dec 24, 2013": "2013-12-24", "2001-05-17": "2001-05-17"}
    before = locale.setlocale(locale.LC_TIME)
    try:
        chosen = _set_other_time_locale(tmp_path, monkeypatch)
        parse_date.cache_clear()  # a cached answer would hide the locale
        assert {raw: parse_date(raw) for raw in dates} == dates
        assert locale.setlocale(locale.LC_TIME) == chosen
    finally:
        locale.setlocale(locale.LC_TIME, before)
        parse_date.cache_clear()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0", 0),
        ("54", 54),
        ("1,234", 1234),
        ("1.2K", 1200),
        ("3K", 3000),
        ("2.5M", 2500000),
        (" 7 ", 7),
        ("many", None),
        ("", None),
    ],
)
def test_parse_count(raw, expected):
    assert parse_count(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), [("8", 8), ("10/10", 10), (" 3 ", 3), ("x", None)])
def test_parse_rating(raw, expected):
    assert parse_rating(raw) == expected


def _body(html: str) -> str | None:
    return body_text(Selector(text=f"<div id='b'>{html}</div>").css("#b")[0])


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("One<br/><br/>Two", "One\n\nTwo"),
        ("One<br>line two<br/><br/>Two", "One\nline two\n\nTwo"),
        ("  padded \n text  ", "padded text"),
        ("a&amp;b &#39;q&#39; &quot;x&quot; &gt;", "a&b 'q' \"x\" >"),
        # U+00A0 is text, not HTML whitespace: kept as it is.
        ("nbsp\xa0\xa0here", "nbsp\xa0\xa0here"),
        ("form\x0cfeed\r\n\ttab", "form feed tab"),
        ("One<br/><br/><br/><br/>Two", "One\n\nTwo"),
        ("<br/>lead and trail<br/><br/>", "lead and trail"),
        ("<i>it</i>alic <b>bold</b>", "italic bold"),
        ("drop <script>x()</script>scripts", "drop scripts"),
        ("", None),
        ("<br/><br/>", None),
    ],
)
def test_body_text(html, expected):
    assert _body(html) == expected


def test_missing_values_stay_explicit_nulls():
    loader = ReviewLoader(selector=Selector(text="<p>no rating here</p>"))
    loader.add_xpath("rating", "//span/text()")
    loader.add_value("helpful_yes", None)
    review = loader.load_item()
    assert review.rating is None
    assert review.helpful_yes is None
    assert review.spoiler is False


def test_permalink_is_canonical():
    loader = ReviewLoader()
    loader.add_value("permalink", "/review/rw1317034/?ref_=tt_urv")
    assert loader.load_item().permalink == "https://www.imdb.com/review/rw1317034/"


@pytest.mark.parametrize(
    ("up", "down", "yes", "total"),
    [
        ("41", "16", 41, 57),
        ("0", "0", 0, 0),
        ("1,024", "311", 1024, 1335),
        ("1.2K", "58", 1200, 1258),
        (1187, 37, 1187, 1224),
        ("12", None, None, None),
        (None, None, None, None),
        ("many", "3", None, None),
    ],
)
def test_vote_counts_give_up_and_up_plus_down(up, down, yes, total):
    loader = ReviewLoader()
    loader.add_value("helpful_yes", VoteCounts(up, down))
    loader.add_value("helpful_total", VoteCounts(up, down))
    review = loader.load_item()
    assert (review.helpful_yes, review.helpful_total) == (yes, total)


def test_legacy_helpful_strings_still_read():
    loader = ReviewLoader()
    loader.add_value("helpful_yes", "1,054")
    loader.add_value("helpful_total", "1,062")
    review = loader.load_item()
    assert (review.helpful_yes, review.helpful_total) == (1054, 1062)


def test_inline_text_leaves_out_icons():
    node = Selector(text="<h3> Father &amp; son<svg><title>chevron</title></svg> </h3>").css("h3")[
        0
    ]
    assert inline_text(node) == "Father & son"
    assert inline_text("  two\n lines ") == "two lines"


def test_html_fragment_renders_like_a_card_body():
    markup = "Tonny&#39;s &quot;deal&quot; &amp; &lt;chaos&gt;<br/><br/>Line one<br/>line two"
    assert body_text(html_fragment(markup)) == 'Tonny\'s "deal" & <chaos>\n\nLine one\nline two'


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # C1 controls are Windows-1252 punctuation sent as bytes by old pages.
        ("I felt\x85 No way", "I felt… No way"),
        ("good\x97great", "good—great"),
        ("Refn\x92s", "Refn\u2019s"),
        ("\x93quoted\x94 \x80 \x99", "\u201cquoted\u201d \u20ac \u2122"),
        # The five code points Windows-1252 leaves undefined are dropped.
        ("a\x81b\x8dc\x8fd\x90e\x9df", "abcdef"),
        # Unicode spaces that are not HTML whitespace stay, even at the ends.
        ("\xa0line\u2028sep\u2003em\u202f\xa0", "\xa0line\u2028sep\u2003em\u202f\xa0"),
        (" \t\r\n\x0c only html whitespace \x0c", "only html whitespace"),
    ],
)
def test_text_rule(raw, expected):
    assert html_text(raw) == expected
    assert _body(raw) == expected
    assert inline_text(raw) == expected
    # A plain string (a JSON field) is cleaned by the same rule.
    loader = ReviewLoader()
    loader.add_value("author", raw)
    loader.add_value("headline", raw)
    review = loader.load_item()
    assert (review.author, review.headline) == (expected, expected)


def test_text_rule_in_json_review_html():
    """The current layout keeps review HTML in JSON strings: same rule, breaks kept."""
    node = html_fragment("It felt\x85 wrong.<br/><br/>\xa0Then\x97nothing\x81.")
    assert body_text(node) == "It felt… wrong.\n\n\xa0Then—nothing."


def test_c1_control_is_not_a_line_break():
    # str.split() treats U+0085 as whitespace (NEL); the text rule does not.
    assert _body("one\x85<br/>two") == "one…\ntwo"
