#!/usr/bin/env bash
# The shell client against the real daemon (offline echo provider), in both framings.
# Usage: editor-clients/shell/test/run_tests.sh [TEST_NAME...] ; exits non-zero when a test fails.
# PROVIDER_RUNTIME_CMD defaults to the repo's .venv/bin/provider-runtime; a private config
# prices echo-1 at $1 per input token and $2 per output token; echo-lite keeps its catalog
# price of $0, and echo/echo-unpriced (an id echo answers but does not list) has no price.
# Each test runs as its own job (process group, `set -m`) bounded by PR_TEST_TIMEOUT seconds;
# when that runs out, or the suite itself is stopped, the whole group is killed: nothing the
# test started (subshells, daemons) outlives it.

# The client is sourced from a computed path; backticks in expected messages are literal.
# shellcheck disable=SC1090,SC1091,SC2016
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CLIENT=$HERE/../provider-runtime-rpc
REPO=$(cd "$HERE/../../.." && pwd)
export PROVIDER_RUNTIME_CMD=${PROVIDER_RUNTIME_CMD:-$REPO/.venv/bin/provider-runtime}

TEST_TIMEOUT=${PR_TEST_TIMEOUT:-60}
export PR_TIMEOUT=${PR_TIMEOUT:-30} # a lost reply fails its test rather than waiting 600 s

WORK=$(mktemp -d "${TMPDIR:-/tmp}/provider-runtime-shell-test.XXXXXX")
running='' # the process group of the test under way
kill_group() { [[ -z $1 ]] || kill -KILL -- "-$1" 2>/dev/null || true; }
trap 'kill_group "$running"; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM HUP
set -m
cat >"$WORK/config.toml" <<'EOF'
default_model = "echo/echo-1"

[[pricing]]
provider = "echo"
model = "echo-1"
pricing = { input = "1000000", output = "2000000" }
EOF
export PROVIDER_RUNTIME_CONFIG=$WORK/config.toml

passed=0
failed=0
current=''

fail() {
  printf '#   %s: %s\n' "$current" "$*"
  return 1
}

eq() { # actual expected what
  [[ $1 == "$2" ]] || fail "$3: expected [$2], got [$1]"
}

# Run one test function in its own process group (so a failure or a stray `exit` stays
# contained, and a hung test can be killed whole), with a watchdog for TEST_TIMEOUT.
run_test() {
  local _t0=$EPOCHREALTIME status watchdog
  current=$1
  rm -f "$WORK/timed-out"
  (set -e; "$1") &
  running=$!
  (sleep "$TEST_TIMEOUT" && : >"$WORK/timed-out" && kill -KILL -- "-$running") 2>/dev/null &
  watchdog=$!
  wait "$running"
  status=$?
  kill_group "$watchdog"
  kill_group "$running" # whatever the test left running (a daemon it did not stop)
  wait "$watchdog" 2>/dev/null
  running=''
  if [[ -e $WORK/timed-out ]]; then
    printf '#   %s: no end after %ss: its process group was killed\n' "$1" "$TEST_TIMEOUT"
    status=1
  fi
  if [[ $status -eq 0 ]]; then
    passed=$((passed + 1))
    printf 'ok - %s (%d ms)\n' "$1" "$(( (${EPOCHREALTIME/./} - ${_t0/./}) / 1000 ))"
  else
    failed=$((failed + 1))
    printf 'not ok - %s\n' "$1"
  fi
}

WEATHER_REQUEST='{"model": "echo/echo-1", "messages": [{"role": "user", "content": "Paris"}],
  "tools": [{"name": "get_weather", "description": "Current weather for a city",
             "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}],
  "tool_choice": "required"}'

# --------------------------------------------------------------------------- one-shot, per framing

t_run_json_priced() {
  local out
  out=$("$CLIENT" --framing "$FRAMING" run --json 'héllo ✓ from bash') || fail "status $?"
  eq "$(jq -r '.output.content[0].text' <<<"$out")" 'echo: héllo ✓ from bash' text
  eq "$(jq -r '.finish_reason' <<<"$out")" stop finish
  eq "$(jq -r '.cost.source' <<<"$out")" user_config 'cost source'
  eq "$(jq -r '(.usage.input_tokens + 2 * .usage.output_tokens | tostring) == .cost.total' <<<"$out")" true 'cost arithmetic'
  eq "$(jq -r '.usage.total_tokens == .usage.input_tokens + .usage.output_tokens and .usage.input_tokens > 0' <<<"$out")" true usage
  eq "$(jq -c '.warnings' <<<"$out")" '[]' warnings
}

t_run_text_usage_on_stderr() {
  local out err
  out=$("$CLIENT" --framing "$FRAMING" run 'plain words' 2>"$WORK/err") || fail "status $?"
  err=$(<"$WORK/err")
  eq "$out" 'echo: plain words' stdout
  [[ $err =~ ^usage:\ ([0-9]+)\ in\ /\ ([0-9]+)\ out\ ·\ cost:\ \$([0-9]+)\ USD\ \(user_config\)$ ]] || fail "usage line: $err"
  eq "${BASH_REMATCH[3]}" "$((BASH_REMATCH[1] + 2 * BASH_REMATCH[2]))" 'cost on the usage line'
}

t_run_warned_usage() {
  local out
  out=$("$CLIENT" --framing "$FRAMING" run --model echo/echo-unpriced hi 2>"$WORK/err") || fail "status $?"
  eq "$out" 'echo: hi' stdout
  eq "$(sed -n 1p "$WORK/err")" 'usage: 5 in / 2 out · cost: unknown' 'usage line'
  [[ $(sed -n 2p "$WORK/err") == 'warning [pricing.missing]: no price known for provider `echo` model `echo-unpriced`'* ]] ||
    fail "warning line: $(<"$WORK/err")"
}

t_run_zero_priced_usage() {
  local out
  out=$("$CLIENT" --framing "$FRAMING" run --model echo/echo-lite hi 2>"$WORK/err") || fail "status $?"
  eq "$out" 'echo: hi' stdout
  eq "$(<"$WORK/err")" 'usage: 5 in / 2 out · cost: $0 USD (catalog)' 'usage line, and no warning'
}

t_run_prompt_from_stdin() {
  local out
  out=$(printf 'line one\nline two\n' | "$CLIENT" --framing "$FRAMING" run - 2>/dev/null) || fail "status $?"
  eq "$out" $'echo: line one\nline two' stdout
}

t_call_tool_call() {
  local out
  out=$("$CLIENT" --framing "$FRAMING" call runtime/run "$WEATHER_REQUEST") || fail "status $?"
  eq "$(jq -r '.finish_reason' <<<"$out")" tool_calls finish
  eq "$(jq -c '.output.content | map({type, name, arguments})' <<<"$out")" \
    '[{"type":"tool_call","name":"get_weather","arguments":{"city":"Paris"}}]' 'tool call'
  [[ $(jq -r '.output.content[0].id' <<<"$out") == call_* ]] || fail 'call id'
}

t_models() {
  eq "$("$CLIENT" --framing "$FRAMING" models echo)" \
    $'echo/echo-1  32768 ctx  $1000000/$2000000 per Mtok  Echo 1 (offline)\necho/echo-lite  8192 ctx  $0/$0 per Mtok  Echo Lite (offline, text only)' \
    'model lines'
  eq "$("$CLIENT" --framing "$FRAMING" models --json echo | jq -c '[.models[] | .capabilities.tools]')" '[true,false]' capabilities
}

t_catalog() {
  "$CLIENT" --framing "$FRAMING" catalog >"$WORK/catalog.json" || fail "status $?"
  eq "$(jq -r '.snapshot | startswith("genai-prices ")' "$WORK/catalog.json")" true snapshot
  eq "$(jq '[.models[] | [.provider, .id]] | . == sort' "$WORK/catalog.json")" true 'sorted by (provider, id)'
  eq "$(jq -c '[.models[].provider] | unique' "$WORK/catalog.json")" '["anthropic","bedrock","cerebras","deepseek","echo","fireworks","google","groq","mistral","openai","openrouter","together","xai"]' providers
  eq "$(jq '.models | length > 100' "$WORK/catalog.json")" true size
}

t_routing_error() {
  local status=0
  "$CLIENT" --framing "$FRAMING" run --model nope/x hi >"$WORK/out" 2>"$WORK/err" || status=$?
  eq "$status" 1 'exit status'
  eq "$(<"$WORK/out")" '' stdout
  [[ $(<"$WORK/err") == 'provider-runtime routing error: unknown provider `nope`'* ]] || fail "stderr: $(<"$WORK/err")"
}

t_provider_error() {
  local status=0
  "$CLIENT" --framing "$FRAMING" run '/error rate_limited slow down' 2>"$WORK/err" || status=$?
  eq "$status" 1 'exit status'
  eq "$(<"$WORK/err")" \
    'provider-runtime rate_limited error (provider echo, HTTP 429, retryable after 1s): echo: rate_limited (HTTP 429): slow down' \
    stderr
}

t_invalid_params() {
  local status=0
  "$CLIENT" --framing "$FRAMING" call runtime/run '{"model": "echo/echo-1"}' 2>"$WORK/err" || status=$?
  eq "$status" 1 'exit status'
  [[ $(<"$WORK/err") == 'provider-runtime invalid_params error: '*messages* ]] || fail "stderr: $(<"$WORK/err")"
}

# --------------------------------------------------------------------------- sessions, per framing

t_session_ids_never_repeat() {
  . "$CLIENT"
  export PR_TRACE=$WORK/trace.$FRAMING
  : >"$PR_TRACE"
  pr_start "$FRAMING"
  local a b c
  a=$(pr_call runtime/models '{"providers": ["echo"]}' | jq -r '.models[0].id')
  b=$(pr_call runtime/run '{"model": "echo/echo-1", "messages": [{"role": "user", "content": "x"}]}' | jq -r '.output.content[0].text')
  c=$( (pr_call runtime/run '{"model": "echo/echo-1", "messages": [{"role": "user", "content": "y"}]}') | jq -r '.output.content[0].text')
  pr_call runtime/catalog >/dev/null
  pr_stop || fail "stop status $?"
  eq "$a|$b|$c" 'echo-1|echo: x|echo: y' answers
  # initialize is not sent here; shutdown is: 5 requests, 5 distinct ids.
  eq "$(jq -s '[.[] | select(has("id")) | .id] | [length, (unique | length)]' -c "$PR_TRACE")" '[5,5]' 'request ids'
}

t_session_out_of_order_and_cancel() {
  . "$CLIENT"
  pr_start "$FRAMING"
  local slow fast doomed started
  slow=$(pr_send runtime/run '{"model": "echo/echo-1", "messages": [{"role": "user", "content": "/sleep 0.5 slow"}]}')
  fast=$(pr_send runtime/run '{"model": "echo/echo-1", "messages": [{"role": "user", "content": "fast"}]}')
  doomed=$(pr_send runtime/run '{"model": "echo/echo-1", "messages": [{"role": "user", "content": "/sleep 30 never"}]}')
  eq "$(pr_wait "$fast" | jq -r '.result.output.content[0].text')" 'echo: fast' 'fast reply first'
  eq "$(pr_wait "$slow" | jq -r '.result.output.content[0].text')" 'echo: slow' 'slow reply kept for later'
  started=$SECONDS
  pr_cancel "$doomed"
  eq "$(pr_wait "$doomed" | jq -c '[.id, .error.code]')" "[$doomed,-32800]" 'cancelled reply'
  ((SECONDS - started < 10)) || fail 'cancellation took too long'
  pr_stop || fail "stop status $?"
}

t_session_concurrent_waiters() {
  . "$CLIENT"
  pr_start "$FRAMING"
  local i
  for i in 1 2 3 4 5 6; do
    pr_call runtime/run "{\"model\": \"echo/echo-1\", \"messages\": [{\"role\": \"user\", \"content\": \"/sleep 0.$((7 - i)) n$i\"}]}" \
      >"$WORK/answer.$i" &
  done
  wait
  for i in 1 2 3 4 5 6; do
    eq "$(jq -r '.output.content[0].text' "$WORK/answer.$i")" "echo: n$i" "answer $i"
  done
  pr_stop || fail "stop status $?"
}

t_session_concurrent_writers() {
  # Twelve calls sent at the same moment from subshells, each over 8 KiB: printf writes such a
  # message in pieces, so without the client's write lock the pieces interleave on the pipe,
  # the daemon reads garbage, and calls are never answered.
  . "$CLIENT"
  pr_start "$FRAMING"
  local i pad
  pad=$(printf '%*s' 12000 '' | tr ' ' 'x')
  for i in $(seq 1 12); do
    PR_TIMEOUT=15 pr_call runtime/run "{\"model\": \"echo/echo-1\", \"messages\": [{\"role\": \"user\", \"content\": \"w$i $pad\"}]}" \
      >"$WORK/writer.$i" 2>"$WORK/writer.$i.err" &
  done
  wait
  for i in $(seq 1 12); do
    eq "$(jq -r '.output.content[0].text' "$WORK/writer.$i")" "echo: w$i $pad" "answer $i $(head -c 300 "$WORK/writer.$i.err")"
  done
  pr_stop || fail "stop status $?"
}

t_session_stop_status() {
  . "$CLIENT"
  pr_start "$FRAMING"
  local pid=$PR_PID dir=$PR_DIR status=0
  pr_stop || status=$?
  eq "$status" 0 'daemon exit status'
  ! kill -0 "$pid" 2>/dev/null || fail 'daemon still running'
  [[ ! -e $dir ]] || fail 'session directory left behind'
}

# --------------------------------------------------------------------------- once

t_missing_daemon() {
  local status=0
  PROVIDER_RUNTIME_CMD=/nonexistent/provider-runtime "$CLIENT" catalog 2>"$WORK/err" || status=$?
  eq "$status" 1 'exit status'
  eq "$(<"$WORK/err")" \
    "provider-runtime-rpc: provider-runtime daemon error: cannot start \`/nonexistent/provider-runtime serve': not found (set PROVIDER_RUNTIME_CMD)" \
    stderr
}

t_usage_errors() {
  local status=0
  "$CLIENT" --framing carrier-pigeon catalog 2>/dev/null || status=$?
  eq "$status" 2 'bad framing'
  status=0
  "$CLIENT" call runtime/run '{not json' 2>/dev/null || status=$?
  eq "$status" 2 'bad params'
}

ONLY=" $* " # test names given as arguments: run only those
chosen() { [[ $ONLY == "  " || $ONLY == *" $1 "* ]]; }

# Every one-shot command in the default framing (content-length); the lines framing runs the
# one-shot paths that differ in what they read; the sessions run in both.
ONE_SHOT=(t_run_json_priced t_run_text_usage_on_stderr t_run_warned_usage t_run_zero_priced_usage
  t_run_prompt_from_stdin
  t_call_tool_call t_models t_catalog t_routing_error t_provider_error t_invalid_params)
SESSION=(t_session_ids_never_repeat t_session_out_of_order_and_cancel t_session_concurrent_waiters
  t_session_concurrent_writers t_session_stop_status)
for FRAMING in content-length lines; do
  export FRAMING
  printf '# framing: %s\n' "$FRAMING"
  if [[ $FRAMING == lines ]]; then
    tests=(t_run_json_priced t_call_tool_call t_catalog t_provider_error "${SESSION[@]}")
  else
    tests=("${ONE_SHOT[@]}" "${SESSION[@]}")
  fi
  for t in "${tests[@]}"; do
    chosen "$t" && run_test "$t"
  done
done
! chosen t_missing_daemon || run_test t_missing_daemon
! chosen t_usage_errors || run_test t_usage_errors

printf '%d passed, %d failed\n' "$passed" "$failed"
[[ $failed -eq 0 ]]
