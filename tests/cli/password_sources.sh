#!/usr/bin/env bash
# Passwords without argv (#19), for `tabula` and `tabula-gen`, against the test server: a
# password-less URL takes TABULA_PASSWORD, then MYSQL_PWD; `password_file=` works and is refused
# when others can read it (the error names the file, never its content); the prompt reads a
# password on a terminal without echo; a password written in argv anyway is gone from
# /proc/<pid>/cmdline while the tool runs. No password appears in any output.
#
#   password_sources.sh TABULA_BINARY TABULA_GEN_BINARY STATE_DIR WORK_DIR [INSERT_API_BINARY]
#
# With INSERT_API_BINARY (examples/insert_api), its --url's password is checked in
# /proc/<pid>/cmdline too.
set -euo pipefail
[[ -n ${TABULA_TRACE:-} ]] && set -x

tabula=${1:?usage: password_sources.sh TABULA_BINARY TABULA_GEN_BINARY STATE_DIR WORK_DIR}
gen=${2:?}
state=${3:?}
work=${4:?}
insert_api=${5:-}
url=$(tr -d '\n' <"$state/url")
# mysql://tabula:PASSWORD@127.0.0.1:PORT/tabula_test
password=${url#mysql://tabula:}
password=${password%%@*}
bare=${url/:$password@/@}
rm -rf "$work"
mkdir -p "$work"
unset TABULA_PASSWORD MYSQL_PWD

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
# Runs a tool, keeping stdout and stderr in $work/out and $work/err.
# Each bounded, so a tool that hangs fails the test with a message instead of its timeout.
run() { timeout 60 "$@" >"$work/out" 2>"$work/err" </dev/null; }
no_secret() {
  local secret=$1 file
  for file in "$work/out" "$work/err"; do
    if grep -qF -- "$secret" "$file"; then fail "'$secret' appears in $(basename "$file")"; fi
  done
}

run env TABULA_PASSWORD="$password" "$tabula" inspect "$bare" --no-views ||
  fail "TABULA_PASSWORD: $(cat "$work/err")"
no_secret "$password"
run env MYSQL_PWD="$password" "$gen" "$bare" --namespace t || fail "MYSQL_PWD: $(cat "$work/err")"
no_secret "$password"

run env TABULA_PASSWORD="Wrong-Env-Pw-52" "$tabula" inspect "$bare" && fail "a wrong password connected"
grep -q "1045" "$work/err" || fail "a wrong password: $(cat "$work/err")"
no_secret "Wrong-Env-Pw-52"

printf '%s\n' "$password" >"$work/pw"
chmod 600 "$work/pw"
run "$tabula" inspect "$bare?password_file=$work/pw" || fail "password_file: $(cat "$work/err")"
no_secret "$password"
printf 'Open-File-Pw-77\n' >"$work/open-pw"
chmod 644 "$work/open-pw"
run "$gen" "$bare?password_file=$work/open-pw" && fail "a world-readable password_file was used"
grep -qF "password_file '$work/open-pw' is readable by others" "$work/err" ||
  fail "the refusal does not name the file: $(cat "$work/err")"
no_secret "Open-File-Pw-77"

# The prompt: on a terminal (a pseudo-terminal here), without echo.
python3 - "$tabula" "$bare" "$password" <<'PY' || fail "the prompt"
import os, pty, select, signal, sys, time
tabula, url, password = sys.argv[1:4]
pid, fd = pty.fork()
if pid == 0:
    os.execv(tabula, [tabula, "inspect", url, "--no-views"])
seen = b""
deadline = time.time() + 60
def read_some():
    global seen
    if not select.select([fd], [], [], max(0.0, deadline - time.time()))[0]:
        os.kill(pid, signal.SIGKILL)
        sys.exit("timed out; the terminal showed: " + seen.decode(errors="replace"))
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        chunk = b""
    seen += chunk
    return chunk
while b"Password for tabula: " not in seen:
    if not read_some():
        sys.exit("no prompt; the terminal showed: " + seen.decode(errors="replace"))
os.write(fd, password.encode() + b"\n")
while read_some():
    pass
_, status = os.waitpid(pid, 0)
if os.waitstatus_to_exitcode(status) != 0:
    sys.exit("tabula failed after the prompt: " + seen.decode(errors="replace"))
if password.encode() in seen:
    sys.exit("the password was echoed")
PY

# argv: a server that accepts and never answers keeps the tool waiting while we look.
port_file="$work/port"
python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
conns = []
while True:
    c, _ = s.accept(); conns.append(c)
' "$port_file" &
silent=$!
trap 'kill $silent 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do [[ -s $port_file ]] && break; sleep 0.1; done
secret="Argv-Secret-31"
for tool in "$tabula inspect" "$gen"; do
  # shellcheck disable=SC2086
  $tool "mysql://tabula:$secret@127.0.0.1:$(cat "$port_file")/x?connect_timeout=3" \
    >"$work/out" 2>"$work/err" </dev/null &
  pid=$!
  sleep 1
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline")
  for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && { kill -KILL "$pid"; fail "$tool still waits after 30 s"; }
  wait "$pid" && fail "$tool connected to a silent server"
  [[ $cmdline == *"mysql://tabula:"* ]] || fail "$tool: unexpected cmdline '$cmdline'"
  [[ $cmdline != *"$secret"* ]] || fail "$tool: /proc/<pid>/cmdline shows the password: $cmdline"
  no_secret "$secret"
done
if [[ -n $insert_api ]]; then
  "$insert_api" --port 0 --url "mysql://tabula:$secret@127.0.0.1:$(cat "$port_file")/x" \
    >"$work/out" 2>"$work/err" </dev/null &
  pid=$!
  sleep 1
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline")
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  [[ $cmdline == *"mysql://tabula:"* ]] || fail "insert_api: unexpected cmdline '$cmdline'"
  [[ $cmdline != *"$secret"* ]] || fail "insert_api: /proc/<pid>/cmdline shows the password"
  no_secret "$secret"
fi
echo "password sources: ok"
