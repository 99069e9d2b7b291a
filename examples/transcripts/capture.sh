#!/usr/bin/env bash
# Re-create practice.txt and review.txt: real sessions in a 100x40 tmux pane, with a
# throwaway database. Needs tmux and the `rnnquiz` script on PATH. At a terminal a typed
# number or formula is read back first ("read as: …" and a `submit>` line holding it):
# an empty ANSWER below is the Enter that submits it.
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
lines() { tmux capture-pane -p -J -S - -E - -t shot | sed '/^[[:space:]]*$/d' | wc -l; }
# Wait for a new prompt below line $1: `answer>`, `covered>` (the self-assessment checklist
# after a written answer), or `submit> …` holding the answer to submit.
wait_prompt() {
  for _ in $(seq 300); do
    last="$(tmux capture-pane -p -t shot | sed '/^[[:space:]]*$/d' | tail -n 1)"
    if (( $(lines) > $1 )) && [[ "$last" == *"answer>" || "$last" == *"covered>" || "$last" == *"submit> "* ]]; then return 0; fi
    sleep 0.1
  done
  echo "timed out waiting for a prompt" >&2
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
  local seen=0
  type_line "$command"
  for line in "$@"; do
    wait_prompt "$seen"
    seen="$(lines)"
    sleep "${PAUSE:-1}"  # a moment to read, so the summary's time taken is not zero
    type_line "$line"
  done
  wait_for '$'
  tmux capture-pane -p -J -S - -E - -t shot | sed -e 's/[[:space:]]*$//' | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' > "$here/$out"
}

tmux -f /dev/null start-server \; set -g history-limit 10000 \; \
  new-session -d -s shot -x 100 -y 40 "env -i PATH='$PATH' HOME='$work' TERM=xterm-256color LANG=C.UTF-8 PS1='$ ' bash --norc --noprofile"
wait_for '$'

# hse/q3: unreadable, a hint, right. hse/q4: wrong, then right on the second try. in5400/task1:
# (a) wrong then right, (b) and (c) right, (d) wrong twice: the answer and its steps follow.
# in5400/task2b: a partial written answer, then a fuller one, then the checklist (points 1 and 2).
session practice.txt "rnnquiz take hse in5400 --tag bptt --db $db --student sam" \
  F :hint B  C D  3 "" 6 ""  2 ""  0 ""  6 "" 4 "" \
  "the gradient vanishes" "it vanishes: repeated multiplication by W_h over many steps" "1 2" :skip
# Due: what was not fully right, each missed part only.
session review.txt "rnnquiz review --db $db --student sam" \
  D  6 ""  8 "" \
  "gradients vanish or explode: repeated multiplication by W_h and tanh' over many steps" "1 2 3"
