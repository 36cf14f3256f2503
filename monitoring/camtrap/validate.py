"""Validate a Camtrap DP package with frictionless against the local copies of its version, offline.

The profile and table schemas are served from `schemas/` on 127.0.0.1 for the duration of the
check (frictionless reads profiles by URL); the descriptor is pointed at them.
"""

import functools
import http.server
import json
import os
import re
import shutil
import tempfile
import threading
import zipfile
from pathlib import Path

from .schema import SCHEMA_DIR, TABLES, VERSION, VERSIONS, declared_version


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def frictionless_report(package):
    """(valid, [messages]) for a zip or folder."""
    from frictionless import validate

    work = Path(tempfile.mkdtemp(prefix="camtrap-check-"))
    cwd = os.getcwd()
    httpd = None
    try:
        package = Path(package)
        if package.suffix == ".zip":
            with zipfile.ZipFile(package) as archive:
                archive.extractall(work / "pkg")
            package_dir = next((work / "pkg").rglob("datapackage.json")).parent
        else:
            package_dir = package
        descriptor = json.loads((package_dir / "datapackage.json").read_text(encoding="utf-8"))
        spec = work / "spec"
        shutil.copytree(SCHEMA_DIR, spec)
        handler = functools.partial(_QuietHandler, directory=str(spec))
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        base = f"http://localhost:{httpd.server_address[1]}"
        version = declared_version(descriptor)
        folder = "" if version not in VERSIONS or version == VERSION else f"{version}/"
        profile = spec / folder / "camtrap-dp-profile.json"
        text = re.sub(r'"pattern": ".*"', '"pattern": "localhost"', profile.read_text())
        text = text.replace('"#$defs/', '"#/$defs/')  # the 1.0 profile's reference (see schema.load)
        for url in (
            "https://specs.frictionlessdata.io/schemas/data-package.json",
            "https://frictionlessdata.io/schemas/data-package.json",
        ):
            text = text.replace(url, f"{base}/frictionless-data-package.json")
        text = text.replace("http://json.schemastore.org/geojson.json", f"{base}/geojson.json")
        text = text.replace("https://json.schemastore.org/geojson.json", f"{base}/geojson.json")
        profile.write_text(text)
        descriptor["profile"] = f"{base}/{folder}camtrap-dp-profile.json"
        for resource in descriptor["resources"]:
            if resource.get("name") in TABLES:
                resource["schema"] = f"{base}/{folder}{resource['name']}-table-schema.json"
        os.chdir(package_dir)
        report = validate(descriptor)
        messages = [f"package: {e.message}" for e in report.errors]
        for task in report.tasks:
            messages += [f"{task.name}: {e.message}" for e in task.errors[:20]]
        return report.valid, messages
    finally:
        os.chdir(cwd)
        if httpd is not None:
            httpd.shutdown()
        shutil.rmtree(work, ignore_errors=True)
