"""The string tests for names decide every text as the patterns they stand for.

The oracles are the patterns pytemplar compiled before (written out here): the API server's
name and label rules (policies), template names and the names Windows reserves (project), and
the plain file and folder names a Root resolves without a full walk (fsroot). Texts are built
from each pattern's own characters and separators with characters beyond ASCII, whitespace and
line breaks; every single character is tried in each position that matters too.
"""

from __future__ import annotations

import re
import sys

from hypothesis import example, given, settings
from hypothesis import strategies as st

from pytemplar import fsroot, policies, project

LABEL_NAME = re.compile(r"([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?\Z")
DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?\Z")
DNS1035_LABEL = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?\Z")
DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\Z")
TEMPLATE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*\Z")
RESERVED = re.compile(r"(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$)", re.IGNORECASE)
PLAIN_NAME = re.compile(r"(?!\.\.?\Z)[^/\\\x00]+")
PLAIN_FOLDER = re.compile(r"(?:(?!\.\.?(?:/|\Z))[^/\\\x00]+/)*(?!\.\.?\Z)[^/\\\x00]+")

CASES = [
    (policies._is_label_name, LABEL_NAME.match),
    (policies._is_dns_label, DNS_LABEL.match),
    (policies._is_dns1035_label, DNS1035_LABEL.match),
    (policies._is_dns_subdomain, DNS_SUBDOMAIN.match),
    (project._plain_template_name, TEMPLATE_NAME.match),
    (project._reserved, RESERVED.match),
    (fsroot._plain_name, PLAIN_NAME.fullmatch),
    (fsroot._plain_folder, PLAIN_FOLDER.fullmatch),
]
# Characters at the edges of the classes, and others a name may hold by mistake.
ODD = "\x00\t\n\r \x7f\x85\xa0\u0131\u0130\u017f\u212a\u2028\uff43\U0001d41c\u0663é\\%:#"
CHARACTERS = st.one_of(
    st.sampled_from("aAzZ09bcmnoprtuxlCOMNPLTUXR-_./"),
    st.sampled_from(ODD),
    st.characters(max_codepoint=0x7F),
    st.characters(codec="utf-8"),
)
PIECES = st.sampled_from(
    ["a", "Z", "0", "9", "-", "_", ".", "..", "/", "//", "con", "CoN", "prn", "aux", "NUL", "com", "LPT", "1", "\n",
     "x", "ab-c", "a.b"]
)  # fmt: skip
NAMES = st.one_of(
    st.text(CHARACTERS, max_size=10),
    st.text("az09-._/\\A", max_size=10),  # the separators, in names otherwise valid
    st.text("a0-.", max_size=8),
    st.text("a./", max_size=8),
    st.lists(st.one_of(PIECES, CHARACTERS), max_size=8).map("".join),
    st.from_regex(DNS_SUBDOMAIN),
    st.from_regex(LABEL_NAME),
    st.from_regex(TEMPLATE_NAME),
    st.from_regex(RESERVED),
    st.from_regex(PLAIN_FOLDER, fullmatch=True),
)


@given(text=NAMES)
@settings(max_examples=1500, deadline=None)
@example(text="")
@example(text="con\n")
@example(text="com1\n\n")
@example(text="a-.b")
@example(text="a/./b")
@example(text="...")
@example(text="..")
@example(text="a.-b")
@example(text="a..b")
@example(text="a/")
def test_name_tests_decide_as_their_patterns(text: str) -> None:
    for test, pattern in CASES:
        assert test(text) == (pattern(text) is not None), (test.__name__, text)


def test_single_characters_are_decided_as_the_patterns_decide() -> None:
    # Beyond ASCII every pattern but RESERVED treats all characters alike (classes of ASCII
    # characters, or their complements); these are tried alone and where each test reads a single
    # character: first, last, inside, beside a '.' or between '/', and after each reserved word.
    for one in [chr(code) for code in range(0x800)] + list(ODD):
        around = (one, "a" + one, one + "a", "a" + one + "a", "a." + one + "a", "a" + one + ".a", "a/" + one + "/a")
        for text in (*around, "con" + one, "com" + one, one + "ux"):
            for test, pattern in CASES:
                assert test(text) == (pattern(text) is not None), (test.__name__, hex(ord(one)), text)


def test_no_character_beyond_ascii_is_a_reserved_letter_or_digit_ignoring_case() -> None:
    # Why _reserved may say no to a part whose first four characters are not all ASCII: none of
    # them matches a letter of the reserved words, or [0-9], ignoring case (K and ſ fold to k and s).
    beyond = "".join(chr(code) for code in range(0x80, sys.maxunicode + 1))
    for letter in [*sorted(set("conprnauxnulcomlpt")), "[0-9]"]:
        assert re.search(letter, beyond, re.IGNORECASE) is None, letter
    assert re.search("k", beyond, re.IGNORECASE)  # the search does find case folding beyond ASCII
