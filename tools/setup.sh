#!/usr/bin/env bash
# Set-up of a fresh machine (the README's and CI's): the system package some inputs need, then
# the virtual environment with the tool and its test dependencies.
#
#   bash tools/setup.sh [VENV]        (default VENV: .venv)
#
# LibreOffice (`soffice`) reads the old Word formats (.doc, .wps, .rtf), two of which are among
# the bundled fixtures; it is installed with apt-get (as root, or through sudo) when missing.
# Everything else is a Python package from pyproject.toml.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${1:-.venv}"
if ! command -v soffice >/dev/null 2>&1 && ! command -v libreoffice >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
    echo "setup: installing LibreOffice (libreoffice-writer-nogui) to read .doc/.wps/.rtf" >&2
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends libreoffice-writer-nogui >/dev/null
  else
    echo "setup: LibreOffice (soffice) is not installed and apt-get is not available: install LibreOffice" \
         "to read .doc/.wps/.rtf (without it those files are recorded failed, with that reason)" >&2
  fi
fi
python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip
# ocr: scans and image files (about 400 MB). editable_mode=compat: the project folder goes on
# sys.path through a one-line .pth file; setuptools' default editable finder is an import hook
# that imports pathlib, fnmatch and importlib.util into every interpreter (~15 ms of each start).
"$VENV/bin/python" -m pip install -q -e ".[test,ocr]" --config-settings editable_mode=compat
# An editable install leaves the project's modules uncompiled (pip compiles only what it copies);
# where PYTHONDONTWRITEBYTECODE is set, every run would compile them again (~0.1 s a process).
"$VENV/bin/python" -m compileall -q pipeline parsers ogi >/dev/null
