#!/usr/bin/env bash
# Train (or resume) zoo models one after another and publish each finished one
# into the package data folder ac_learned/models/.
#   scripts/train_zoo.sh [DEVICE] CONFIG...     e.g. scripts/train_zoo.sh cpu configs/zoo-v560.json
# Each run checkpoints every epoch in runs/NAME/ and resumes where it stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
device=${1:-cpu}; shift
for cfg in "$@"; do
  name=$(python -c "import json,sys; print(json.load(open(sys.argv[1]))['name'])" "$cfg")
  python -m ac_learned.cli train "$cfg" --device "$device" --quiet --out "runs/$name"
  cp "runs/$name/$name.npz" "runs/$name/$name.json" ac_learned/models/
  echo "published $name"
done
