# Sourced by scripts/test.sh and scripts/run.sh (from the repository root):
# make sure .venv exists and holds a current editable install of govsim.
#
# Works on a fresh Debian machine with only python3: when python3 -m venv fails
# because the python3-venv package (ensurepip) is missing, the venv is made
# without pip and pip is bootstrapped into it. pip runs only when pyproject.toml
# changed since the last install, so repeated runs are quick and work offline.

# ensure_venv [EXTRA]: install govsim, with the optional-dependency group EXTRA (e.g. "test").
ensure_venv() {
    local extra="${1:-}" python="${PYTHON:-python3}" spec="." want
    if [ -n "$extra" ]; then
        spec=".[$extra]"
    fi
    if [ ! -x .venv/bin/python ]; then
        echo "creating .venv with $("$python" --version 2>&1)" >&2
        if ! "$python" -m venv .venv; then
            echo "python3 -m venv failed (python3-venv not installed?); bootstrapping pip with get-pip.py" >&2
            rm -rf .venv
            "$python" -m venv --without-pip .venv
            .venv/bin/python -c 'import urllib.request as u; u.urlretrieve("https://bootstrap.pypa.io/get-pip.py", ".venv/get-pip.py")'
            .venv/bin/python .venv/get-pip.py --quiet --disable-pip-version-check
        fi
    fi
    want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
    # A stamp per extra; the "test" install includes everything the plain one needs.
    if grep -qsx "$want" ".venv/.govsim-installed${extra:+-$extra}" \
        || { [ -z "$extra" ] && grep -qsx "$want" .venv/.govsim-installed-test; }; then
        return 0
    fi
    echo "installing govsim ($spec) into .venv" >&2
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e "$spec"
    echo "$want" > ".venv/.govsim-installed${extra:+-$extra}"
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
