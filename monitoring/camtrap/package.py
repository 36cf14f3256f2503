"""Reading a Camtrap DP package (zip archive or folder), and the errors that refuse one."""

import io
import json
import zipfile
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from django.utils.translation import gettext as _


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
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError):
            raise PackageInvalid([{"message": _("The file is neither a zip archive nor a folder.")}])
        names = [n for n in self.zip.namelist() if PurePosixPath(n).name == "datapackage.json"]
        if not names:
            raise PackageInvalid([{"message": _("There is no datapackage.json in the zip archive.")}])
        self.prefix = str(PurePosixPath(min(names, key=len)).parent)
        self.prefix = "" if self.prefix == "." else self.prefix + "/"

    def descriptor(self):
        try:
            with self.open("datapackage.json") as handle:
                return json.load(handle)
        except ValueError as exc:
            raise PackageInvalid([{"message": _("datapackage.json is not valid JSON: %(error)s") % {"error": exc}}])

    @contextmanager
    def open(self, relative):
        relative = str(relative)
        if relative.startswith(("/", "http://", "https://")) or ".." in PurePosixPath(relative).parts:
            raise PackageInvalid(
                [
                    {
                        "message": _("Resource path “%(path)s” must be a relative path inside the package.")
                        % {"path": relative}
                    }
                ]
            )
        if self.zip is not None:
            try:
                raw = self.zip.open(self.prefix + relative)
            except KeyError:
                raise PackageInvalid([{"resource": relative, "message": _("The file is missing from the package.")}])
            with raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as handle:
                yield handle
        else:
            target = self.root / relative
            if not target.is_file():
                raise PackageInvalid([{"resource": relative, "message": _("The file is missing from the package.")}])
            with open(target, encoding="utf-8-sig", newline="") as handle:
                yield handle

    def close(self):
        if self.zip is not None:
            self.zip.close()
