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
