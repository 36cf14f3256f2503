"""The message catalogues are complete (no untranslated or fuzzy entry) and compiled (.mo up to date)."""

import ast
import gettext
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
LANGUAGES = ("zh_Hans", "ru")


def catalogue_files():
    files = sorted(ROOT.glob("locale/*/LC_MESSAGES/*.po")) + sorted(ROOT.glob("*/locale/*/LC_MESSAGES/*.po"))
    return [f for f in files if ".venv" not in f.parts]


def parse_po(path):
    """[(context, msgid, plural, {index: msgstr}, fuzzy)] for every entry but the header."""
    entries, current, key, fuzzy = [], None, None, False

    def flush():
        nonlocal current
        if current and current.get("msgid"):
            entries.append(
                (
                    current.get("msgctxt"),
                    current["msgid"],
                    current.get("msgid_plural"),
                    current["msgstr"],
                    current["fuzzy"],
                )
            )
        current = None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
            continue
        if not line or line.startswith("#"):
            if not line:
                flush()
            continue
        if line.startswith('"'):
            value = ast.literal_eval(line)
            if isinstance(key, int):
                current["msgstr"][key] += value
            else:
                current[key] += value
            continue
        word, _, rest = line.partition(" ")
        if word in ("msgctxt", "msgid") and current is not None and (word == "msgctxt" or "msgid" in current):
            flush()
        if current is None:
            current = {"msgstr": {}, "fuzzy": fuzzy}
            fuzzy = False
        value = ast.literal_eval(rest)
        if word.startswith("msgstr"):
            index = int(word[7:-1]) if "[" in word else 0
            current["msgstr"][index] = value
            key = index
        else:
            current[word] = value
            key = word
    flush()
    return entries


@pytest.mark.sqlite
def test_there_are_catalogues_for_both_languages():
    found = {(f.parent.parent.name, f.name) for f in catalogue_files()}
    for language in LANGUAGES:
        assert (language, "django.po") in found


@pytest.mark.parametrize("po", catalogue_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_catalogue_is_complete(po):
    problems = []
    for _context, msgid, _plural, msgstrs, fuzzy in parse_po(po):
        if fuzzy:
            problems.append(f"fuzzy: {msgid!r}")
        elif not msgstrs or any(not text for text in msgstrs.values()):
            problems.append(f"untranslated: {msgid!r}")
    assert not problems, f"{po}: " + "; ".join(problems[:20])


@pytest.mark.parametrize("po", catalogue_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_compiled_catalogue_matches_its_source(po):
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run `make compilemessages` and commit it"
    with mo.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for context, msgid, plural, msgstrs, _fuzzy in parse_po(po):
        if plural:
            got = compiled.npgettext(context, msgid, plural, 1) if context else compiled.ngettext(msgid, plural, 1)
        else:
            got = compiled.pgettext(context, msgid) if context else compiled.gettext(msgid)
        if got != msgstrs.get(0):
            stale.append(msgid)
    assert not stale, f"{mo} is older than {po}: {stale[:5]}"


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("xgettext"), reason="needs GNU gettext (xgettext) to extract strings")
def test_every_marked_string_is_in_the_catalogues(tmp_path):
    """Extract the strings again from a copy of the sources: nothing new may appear."""
    ignore = shutil.ignore_patterns(
        ".venv", ".git", "staticfiles", "var", "media", "node_modules", "__pycache__", "*.mo"
    )
    copy = tmp_path / "src"
    shutil.copytree(ROOT, copy, ignore=ignore)
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "zh_Hans",
            "-l",
            "ru",
            "--ignore=staticfiles",
            "--ignore=docs",
        ],
        cwd=copy,
        check=True,
        capture_output=True,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "tumen_portal.settings.test"},
    )
    missing = []
    for po in catalogue_files():
        relative = po.relative_to(ROOT)
        committed = {(c, m) for c, m, *_ in parse_po(po)}
        extracted = {(c, m) for c, m, *_ in parse_po(copy / relative)}
        missing += [f"{relative}: {m!r}" for c, m in sorted(extracted - committed, key=str)]
    assert not missing, "run `make messages`, translate and compile: " + "; ".join(missing[:20])


@pytest.mark.parametrize("po", catalogue_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_catalogue_header_is_usable_and_plurals_have_every_form(po):
    """A fuzzy header is dropped by msgfmt (no Plural-Forms in the .mo); plural entries need every form."""
    import re

    text = po.read_text(encoding="utf-8")
    header = text.split('msgid ""', 1)[0]
    assert "#, fuzzy" not in header, f"{po}: the header is marked fuzzy"
    match = re.search(r"Plural-Forms: nplurals=(\d+)", text)
    assert match, f"{po}: no Plural-Forms"
    expected = {"ru": 4, "zh_Hans": 1}[po.parent.parent.name]
    assert int(match.group(1)) == expected
    short = [msgid for _c, msgid, plural, msgstrs, _f in parse_po(po) if plural and len(msgstrs) != expected]
    assert not short, f"{po}: plural entries without {expected} forms: {short[:3]}"
