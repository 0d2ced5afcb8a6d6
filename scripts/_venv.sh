# Sourced by scripts/test.sh and scripts/run.sh (from the repository root):
# make sure a virtual environment holds a current editable install of govsim.
#
# PYTHON (default python3) is the interpreter that makes it and GOVSIM_VENV
# (default .venv) its directory; .ci/run sets both to test a second Python.
# A venv made by another Python version (python3 was upgraded, or PYTHON
# changed) is made anew rather than used silently.
#
# Works on a fresh Debian machine with only python3: when python3 -m venv fails
# because the python3-venv package (ensurepip) is missing, the venv is made
# without pip and pip is bootstrapped into it. pip runs only when pyproject.toml
# changed since the last install, so repeated runs are quick and work offline.

VENV="${GOVSIM_VENV:-.venv}"

# python_version PYTHON: "3.13" for a Python 3.13 interpreter; nothing if it does not run.
python_version() {
    "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null
}

# ensure_venv [EXTRA]: install govsim, with the optional-dependency group EXTRA (e.g. "test").
ensure_venv() {
    local extra="${1:-}" python="${PYTHON:-python3}" spec="." want version
    if [ -n "$extra" ]; then
        spec=".[$extra]"
    fi
    version="$(python_version "$python")"
    if [ -z "$version" ]; then
        echo "error: cannot run $python; govsim needs Python 3.11 or newer (on Debian or Ubuntu: apt-get install python3)" >&2
        return 1
    fi
    if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
        echo "error: $python is Python $version; govsim needs 3.11 or newer (set PYTHON=python3.11, say)" >&2
        return 1
    fi
    if [ -e "$VENV" ] && [ "$(python_version "$VENV/bin/python")" != "$version" ]; then
        echo "$VENV was not made by Python $version ($python): making it anew" >&2
        rm -rf "$VENV"
    fi
    if [ ! -x "$VENV/bin/python" ]; then
        echo "creating $VENV with $("$python" --version 2>&1)" >&2
        if ! "$python" -m venv "$VENV"; then
            echo "$python -m venv failed (python3-venv not installed?); bootstrapping pip with get-pip.py" >&2
            rm -rf "$VENV"
            "$python" -m venv --without-pip "$VENV"
            "$VENV/bin/python" -c 'import sys, urllib.request as u; u.urlretrieve("https://bootstrap.pypa.io/get-pip.py", sys.argv[1])' "$VENV/get-pip.py"
            "$VENV/bin/python" "$VENV/get-pip.py" --quiet --disable-pip-version-check
        fi
    fi
    want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
    # A stamp per extra; the "test" install includes everything the plain one needs.
    if grep -qsx "$want" "$VENV/.govsim-installed${extra:+-$extra}" \
        || { [ -z "$extra" ] && grep -qsx "$want" "$VENV/.govsim-installed-test"; }; then
        return 0
    fi
    echo "installing govsim ($spec) into $VENV" >&2
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$spec"
    echo "$want" > "$VENV/.govsim-installed${extra:+-$extra}"
}

# ensure_system_packages PKG...: install the Debian packages among PKG that are
# missing, when this shell can (root, with apt-get); otherwise say which are
# missing and go on (the tests that need them then fail under CI, skip elsewhere).
# Used for the CJK font of Chinese figures and the browser of the page's test.
ensure_system_packages() {
    local missing=() pkg
    command -v dpkg-query >/dev/null 2>&1 || return 0
    for pkg in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$pkg")
        fi
    done
    if [ "${#missing[@]}" -eq 0 ]; then
        return 0
    fi
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        echo "note: system packages missing: ${missing[*]} (install them with apt-get as root)" >&2
        return 0
    fi
    echo "installing ${missing[*]} with apt-get" >&2
    # Try the package lists as they are first; refresh them only if that fails.
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null 2>&1; then
        apt-get update -q >/dev/null 2>&1 || true
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null \
            || echo "warning: could not install ${missing[*]}" >&2
    fi
}
