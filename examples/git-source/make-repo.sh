#!/bin/sh
# Makes a git repository to deploy from: examples/python-command's training script, committed to a
# bare repository at $REPO (default /tmp/baton-example-pipelines.git), as a real project would be
# pushed to GitHub or GitLab. Run it again to push a new commit ("retrain with 300 epochs").
set -eu
REPO="${REPO:-/tmp/baton-example-pipelines.git}"
HERE="$(cd "$(dirname "$0")" && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
[ -d "$REPO" ] || git init --quiet --bare --initial-branch=main "$REPO"
git clone --quiet "$REPO" "$WORK/pipelines" 2>/dev/null
cd "$WORK/pipelines"
git checkout --quiet -B main
mkdir -p training
cp "$HERE/../python-command/train.py" "$HERE/../python-command/data.csv" training/
printf 'numpy>=1.26  # not installed by the example; the setup step only shows when it runs\n' > training/requirements.txt
git add -A
git -c user.name=Example -c user.email=example@example.com commit --quiet --allow-empty -m "training script ($(date -u +%H:%M:%S))"
git push --quiet origin main
echo "Pushed $(git rev-parse HEAD) to file://$REPO (branch main)"
