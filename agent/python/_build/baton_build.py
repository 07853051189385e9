"""A PEP 517 build backend in the standard library alone, so `pip install agent/python` needs no network.

setuptools before 70.1 cannot build a wheel without the `wheel` package, which a machine with no
package index may not have; this package is pure Python, so a wheel is only a zip of its files
with three metadata files. Supports wheels and editable installs (PEP 660, a .pth file).
"""
import base64
import hashlib
import os
import re
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _project():
    with open(os.path.join(ROOT, "pyproject.toml"), encoding="utf-8") as f:
        text = f.read()
    section = text.split("[project]", 1)[1].split("\n[", 1)[0]

    def field(name):
        m = re.search(rf'^{name}\s*=\s*"([^"]*)"', section, re.M)
        return m.group(1) if m else None

    return {"name": field("name"), "version": field("version"), "summary": field("description"), "requires_python": field("requires-python")}


def _dist_name(p):
    return f"{p['name'].replace('-', '_')}-{p['version']}"


def _metadata(p):
    lines = ["Metadata-Version: 2.1", f"Name: {p['name']}", f"Version: {p['version']}"]
    if p["summary"]:
        lines.append(f"Summary: {p['summary']}")
    if p["requires_python"]:
        lines.append(f"Requires-Python: {p['requires_python']}")
    lines.append("License: MIT")
    return "\n".join(lines) + "\n"


_WHEEL = "Wheel-Version: 1.0\nGenerator: baton_build\nRoot-Is-Purelib: true\nTag: py3-none-any\n"


def _package_files():
    base = os.path.join(ROOT, "baton")
    for folder, dirs, files in os.walk(base):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in sorted(files):
            if name.endswith(".py"):
                full = os.path.join(folder, name)
                yield full, os.path.relpath(full, ROOT).replace(os.sep, "/")


def _write_wheel(directory, entries):
    p = _project()
    info = f"{_dist_name(p)}.dist-info"
    name = f"{_dist_name(p)}-py3-none-any.whl"
    records = []
    with zipfile.ZipFile(os.path.join(directory, name), "w", zipfile.ZIP_DEFLATED) as z:
        for arcname, data in [*entries, (f"{info}/METADATA", _metadata(p).encode()), (f"{info}/WHEEL", _WHEEL.encode())]:
            z.writestr(arcname, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            records.append(f"{arcname},sha256={digest},{len(data)}")
        records.append(f"{info}/RECORD,,")
        z.writestr(f"{info}/RECORD", "\n".join(records) + "\n")
    return name


def get_requires_for_build_wheel(config_settings=None):
    return []


get_requires_for_build_editable = get_requires_for_build_wheel


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    entries = []
    for full, arcname in _package_files():
        with open(full, "rb") as f:
            entries.append((arcname, f.read()))
    return _write_wheel(wheel_directory, entries)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    return _write_wheel(wheel_directory, [("baton_sdk_editable.pth", (ROOT + "\n").encode())])
