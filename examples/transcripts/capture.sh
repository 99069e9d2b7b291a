#!/usr/bin/env bash
# Re-create practice.txt and review.txt: real sessions in a 100x40 tmux pane, with a
# throwaway database. Needs tmux and the `rnnquiz` script on PATH.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d /tmp/rnnquiz-shots.XXXXXX)"
db="$work/attempts.db"
sock="rnnquiz-shots-$$"
tmux() { command tmux -L "$sock" "$@"; }
# The pane's shell writes its history into $work as it dies, hence the pause before rm.
trap 'tmux kill-server 2>/dev/null || true; sleep 0.5; rm -rf "$work"' EXIT

# Wait until the pane's last non-empty line ends with $1 (a prompt; tmux trims the space
# after it), so typed answers never run ahead of the question they answer.
wait_for() {
  for _ in $(seq 200); do
    last="$(tmux capture-pane -p -t shot | sed '/^[[:space:]]*$/d' | tail -n 1)"
    [[ "$last" == *"$1" ]] && return 0
    sleep 0.1
  done
  echo "timed out waiting for '$1'" >&2
  tmux capture-pane -p -t shot >&2
  return 1
}
type_line() { tmux send-keys -t shot -l "$1"; tmux send-keys -t shot Enter; }
session() {  # session OUTPUT COMMAND ANSWER...
  local out="$1" command="$2"
  shift 2
  tmux send-keys -t shot C-l
  tmux clear-history -t shot
  wait_for '$'
  type_line "$command"
  for line in "$@"; do
    wait_for 'answer>'
    sleep "${PAUSE:-1}"  # a moment to read, so the summary's time taken is not zero
    type_line "$line"
  done
  wait_for '$'
  tmux capture-pane -p -J -S - -E - -t shot | sed -e 's/[[:space:]]*$//' | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' > "$here/$out"
}

tmux -f /dev/null start-server \; set -g history-limit 10000 \; \
  new-session -d -s shot -x 100 -y 40 "env -i PATH='$PATH' HOME='$work' TERM=xterm-256color LANG=C.UTF-8 PS1='$ ' bash --norc --noprofile"
wait_for '$'

session practice.txt "rnnquiz take hse in5400 --tag bptt --db $db --student sam" \
  E :hint A C 3 2 0 6 "the gradient vanishes" :skip
session review.txt "rnnquiz review --db $db --student sam" \
  D 6 2 0 8 "gradients vanish or explode: repeated multiplication by W_h and tanh' over many steps"
