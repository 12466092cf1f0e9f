# Sourced by scripts/test and scripts/demo: makes sure the machine has what
# the project needs, then activates the project's virtualenv (.venv).
# Safe to run again: every step checks before it installs.

_repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

mpos_debian_packages() {
    # Debian packages the app and its tests use: zbar for pyzbar, a CJK font so
    # Chinese renders, the GL/xkb/fontconfig libraries Qt loads even offscreen,
    # the xcb set Qt's xcb platform plugin needs on a Linux desktop (without
    # libxcb-cursor0, -icccm4 and -keysyms1 it cannot load), faketime for the
    # trusted-time tests, and PostgreSQL for the server's tests; libpulse0 is the one
    # library PySide6.QtMultimedia (the settings' camera list) links to and Debian lacks
    # (ldd of QtMultimedia.abi3.so and the ffmpeg plugin; libva is optional);
    # poppler-utils gives the tests pdftotext, pdfinfo and pdftoppm to read PDFs back
    # (a fresh Debian machine lacks it). Extra arguments are more packages (scripts/bundle).
    local wanted=(libzbar0 fonts-noto-cjk faketime poppler-utils libegl1 libgl1 libxkbcommon0 libfontconfig1
                  libdbus-1-3 libglib2.0-0 libpulse0
                  libxkbcommon-x11-0 libx11-xcb1 libxcb1 libxcb-cursor0 libxcb-icccm4
                  libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render0
                  libxcb-render-util0 libxcb-shape0 libxcb-shm0 libxcb-sync1 libxcb-xfixes0
                  libxcb-xinerama0 libxcb-xkb1
                  postgresql "$@")
    command -v dpkg >/dev/null 2>&1 || return 0
    local missing=()
    for p in "${wanted[@]}"; do
        dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" != 0 ]; then
        echo "Missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
        return 0
    fi
    echo "Installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

mpos_venv() {
    local py="${PYTHON:-python3}"
    if [ ! -x "$_repo/.venv/bin/python" ]; then
        "$py" -m venv "$_repo/.venv"
    fi
    # Reinstall only when pyproject.toml or constraints.txt changed since the last install.
    local stamp="$_repo/.venv/.mpos-installed"
    if [ ! -f "$stamp" ] || [ "$_repo/pyproject.toml" -nt "$stamp" ] \
            || [ "$_repo/constraints.txt" -nt "$stamp" ]; then
        "$_repo/.venv/bin/python" -m pip install -q --upgrade pip
        # The versions the suite passed with (constraints.txt); pyproject.toml has the ranges.
        "$_repo/.venv/bin/python" -m pip install -q -c "$_repo/constraints.txt" -e "$_repo[dev]"
        touch "$stamp"
    fi
    # shellcheck disable=SC1091
    . "$_repo/.venv/bin/activate"
}

mpos_postgres() {
    # Starts a throwaway PostgreSQL cluster on a loopback port for the server's
    # tests and exports MPOS_TEST_PG_URL. Without PostgreSQL the tests that
    # need it fail loudly (see tests/server/conftest.py), they are not skipped.
    local bindir
    bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [ -z "$bindir" ]; then
        echo "PostgreSQL is not installed; its tests will fail." >&2
        return 0
    fi
    local port=${MPOS_PG_PORT:-55432}
    local dir=/tmp/mpos-pg-$port
    local run_as=()
    if [ "$(id -u)" = 0 ]; then run_as=(runuser -u postgres --); fi
    if ! "${run_as[@]}" "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port"; then
        local pid
        pid=$(head -n 1 "$dir/data/postmaster.pid" 2>/dev/null || true)
        if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
            echo "PostgreSQL in $dir (pid $pid) does not answer on port $port; left as it is." >&2
            export MPOS_TEST_PG_URL="postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
            return 0
        fi
        rm -rf "$dir"; mkdir -p "$dir"
        [ "$(id -u)" = 0 ] && chown postgres "$dir"
        "${run_as[@]}" "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust >"$dir/initdb.log" 2>&1
        "${run_as[@]}" "$bindir/pg_ctl" -s -D "$dir/data" -l "$dir/log" -w \
            -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=200" start
        # We started it, so mpos_postgres_stop stops it (one already running is left alone).
        _mpos_pg_started=("${run_as[@]}" "$bindir/pg_ctl" -s -D "$dir/data" -m fast -w stop)
    fi
    export MPOS_TEST_PG_URL="postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
}

mpos_postgres_stop() {
    # Stops the cluster mpos_postgres started in this shell, and only that one.
    if [ ${#_mpos_pg_started[@]} -gt 0 ]; then
        "${_mpos_pg_started[@]}" || true
        _mpos_pg_started=()
    fi
}
_mpos_pg_started=()
