"""Reading a Camtrap DP package (zip archive or folder), its limits, and the errors that refuse one.

What could take the server down or end in a 500 is refused here, with a message, before any row
is parsed or written (`PackageSource.inspect`):
- a package larger, unpacked, than PORTAL_MAX_IMPORT_MB: the sizes a zip declares are checked
  first, the bytes really read are counted as well (a zip bomb that lies about its sizes is cut
  off by zipfile at the declared size and fails its CRC check);
- more rows than PORTAL_MAX_IMPORT_ROWS;
- CSV text that is not UTF-8 or holds a NUL character (PostgreSQL stores no NUL);
- a datapackage.json nested deeper than PORTAL_MAX_JSON_DEPTH or holding a NUL character.
"""

import codecs
import csv
import io
import json
import zipfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.utils.translation import gettext as _

CHUNK = 1024 * 1024
# The csv module's default field limit, held whatever changed the module-wide one (frictionless does).
MAX_CELL_CHARS = 131072


class PackageInvalid(Exception):
    """The package was refused; `errors` name resource, row and field. Nothing was changed."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__("; ".join(format_error(e) for e in errors[:5]))


def format_error(error):
    parts = [error.get("resource") or "datapackage.json"]
    if error.get("row"):
        parts.append(_("row %(row)s") % {"row": error["row"]})
    if error.get("field"):
        parts.append(_("field %(field)s") % {"field": error["field"]})
    return f"{', '.join(parts)}: {error['message']}"


def max_import_bytes():
    return int(settings.PORTAL_MAX_IMPORT_MB) * 1024 * 1024


def max_import_rows():
    return int(settings.PORTAL_MAX_IMPORT_ROWS)


def _too_large():
    return PackageInvalid(
        [
            {
                "message": _("The package is larger than %(mb)s MB unpacked; split it into smaller packages.")
                % {"mb": settings.PORTAL_MAX_IMPORT_MB}
            }
        ]
    )


def _unreadable(resource):
    return PackageInvalid([{"resource": resource, "message": _("The zip archive is damaged and cannot be read.")}])


@dataclass
class PackageSummary:
    """What the pre-pass found: bytes read, and (an upper bound of) the data rows per resource."""

    bytes: int = 0
    rows: dict = field(default_factory=dict)

    @property
    def total_rows(self):
        return sum(self.rows.values())


# --- reading a package (zip or folder) --------------------------------------------------------


class PackageSource:
    def __init__(self, path):
        self.path = path
        self.zip = None
        if isinstance(path, (str, Path)) and Path(path).is_dir():
            self.root = Path(path)
            if not (self.root / "datapackage.json").is_file():
                raise PackageInvalid([{"message": _("There is no datapackage.json in the folder.")}])
            return
        if hasattr(path, "seek"):
            path.seek(0)  # the same upload may be read again (checked, then imported or stored)
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError):
            raise PackageInvalid([{"message": _("The file is neither a zip archive nor a folder.")}])
        # What the archive says it unpacks to, before anything is unpacked.
        if sum(info.file_size for info in self.zip.infolist()) > max_import_bytes():
            self.zip.close()
            raise _too_large()
        names = [n for n in self.zip.namelist() if PurePosixPath(n).name == "datapackage.json"]
        if not names:
            raise PackageInvalid([{"message": _("There is no datapackage.json in the zip archive.")}])
        self.prefix = str(PurePosixPath(min(names, key=len)).parent)
        self.prefix = "" if self.prefix == "." else self.prefix + "/"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def descriptor(self):
        try:
            with self.open("datapackage.json") as handle:
                text = handle.read(max_import_bytes() + 1)
        except UnicodeDecodeError:
            raise PackageInvalid([{"message": _("datapackage.json is not valid UTF-8.")}]) from None
        if len(text) > max_import_bytes():
            raise _too_large()
        try:
            descriptor = json.loads(text)
        except RecursionError:
            raise PackageInvalid([{"message": _("datapackage.json is nested too deeply.")}]) from None
        except ValueError as exc:
            raise PackageInvalid(
                [{"message": _("datapackage.json is not valid JSON: %(error)s") % {"error": exc}}]
            ) from None
        _check_json(descriptor)
        return descriptor

    def _check_relative(self, relative):
        if relative.startswith(("/", "http://", "https://")) or ".." in PurePosixPath(relative).parts:
            raise PackageInvalid(
                [
                    {
                        "message": _("Resource path “%(path)s” must be a relative path inside the package.")
                        % {"path": relative}
                    }
                ]
            )

    @contextmanager
    def open_binary(self, relative):
        relative = str(relative)
        self._check_relative(relative)
        if self.zip is not None:
            try:
                raw = self.zip.open(self.prefix + relative)
            except KeyError:
                raise PackageInvalid(
                    [{"resource": relative, "message": _("The file is missing from the package.")}]
                ) from None
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, zlib.error, EOFError, OSError):
                raise _unreadable(relative) from None
        else:
            target = self.root / relative
            if not target.is_file():
                raise PackageInvalid([{"resource": relative, "message": _("The file is missing from the package.")}])
            raw = open(target, "rb")  # noqa: SIM115 - closed below
        try:
            with raw:
                yield raw
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            # Raised while reading (a bad CRC, a truncated or lying archive): refused, not a 500.
            raise _unreadable(relative) from exc

    @contextmanager
    def open(self, relative):
        with self.open_binary(relative) as raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as handle:
            yield handle

    def inspect(self, resources):
        """Read every resource once, as bytes, before any row is parsed: limits, encoding, NUL.

        `resources` maps resource names to their paths. Returns a PackageSummary; raises
        PackageInvalid naming the resource and line of the first problem found.
        """
        summary = PackageSummary()
        limit = max_import_bytes()
        for name, relative in resources.items():
            lines, tail = 0, b""
            decoder = codecs.getincrementaldecoder("utf-8")()
            with self.open_binary(relative) as raw:
                while True:
                    chunk = raw.read(CHUNK)
                    if not chunk:
                        break
                    summary.bytes += len(chunk)
                    if summary.bytes > limit:
                        raise _too_large()
                    nul = chunk.find(b"\x00")
                    if nul >= 0:
                        raise PackageInvalid(
                            [
                                {
                                    "resource": name,
                                    "row": lines + chunk.count(b"\n", 0, nul) + 1,
                                    "message": _("The file contains a NUL character; it is not a CSV text file."),
                                }
                            ]
                        )
                    try:
                        decoder.decode(chunk)
                    except UnicodeDecodeError as exc:
                        raise PackageInvalid(
                            [
                                {
                                    "resource": name,
                                    "row": lines + chunk.count(b"\n", 0, max(exc.start, 0)) + 1,
                                    "message": _("The file is not valid UTF-8 text; save it as UTF-8 and try again."),
                                }
                            ]
                        ) from None
                    lines += chunk.count(b"\n")
                    tail = chunk[-1:]
                try:
                    decoder.decode(b"", final=True)
                except UnicodeDecodeError:
                    raise PackageInvalid(
                        [
                            {
                                "resource": name,
                                "row": lines + 1,
                                "message": _("The file is not valid UTF-8 text; save it as UTF-8 and try again."),
                            }
                        ]
                    ) from None
            if tail and tail != b"\n":
                lines += 1
            # Every line but the header, blank lines and multi-line cells included: an upper bound.
            summary.rows[name] = max(lines - 1, 0)
        if summary.total_rows > max_import_rows():
            # The bound may count line breaks inside quoted cells: count the records exactly.
            for name, relative in resources.items():
                summary.rows[name] = self.count_records(name, relative)
            if summary.total_rows > max_import_rows():
                raise PackageInvalid(
                    [
                        {
                            "message": _(
                                "The package has %(rows)s rows; at most %(limit)s are accepted in one import. "
                                "Split it into smaller packages."
                            )
                            % {"rows": summary.total_rows, "limit": max_import_rows()}
                        }
                    ]
                )
        return summary

    def count_records(self, name, relative):
        with self.open(relative) as handle:
            reader = csv.reader(handle)
            try:
                return max(sum(1 for row in reader if row) - 1, 0)
            except csv.Error as exc:
                raise PackageInvalid(
                    [{"resource": name, "row": reader.line_num, "message": csv_error_message(exc)}]
                ) from None

    def close(self):
        if self.zip is not None:
            self.zip.close()


def csv_error_message(exc):
    """A csv.Error (or a decoding error met while reading a CSV) in words people can act on."""
    if isinstance(exc, UnicodeDecodeError):
        return _("The file is not valid UTF-8 text; save it as UTF-8 and try again.")
    if "field larger than field limit" in str(exc):
        return cell_too_large_message()
    return _("The file is not valid CSV: %(error)s") % {"error": exc}


def cell_too_large_message():
    return _("A cell is larger than %(kb)s KB; no Camtrap DP field needs that much.") % {"kb": MAX_CELL_CHARS // 1024}


def _check_json(data):
    """Depth and NUL characters of a parsed descriptor, walked without recursion."""
    max_depth = int(getattr(settings, "PORTAL_MAX_JSON_DEPTH", 64))
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise PackageInvalid([{"message": _("datapackage.json contains a NUL character.")}])
        elif isinstance(value, (dict, list)):
            if depth > max_depth:
                raise PackageInvalid(
                    [{"message": _("datapackage.json is nested deeper than %(depth)s levels.") % {"depth": max_depth}}]
                )
            if isinstance(value, dict):
                pending.extend((key, depth) for key in value)
                pending.extend((item, depth + 1) for item in value.values())
            else:
                pending.extend((item, depth + 1) for item in value)
