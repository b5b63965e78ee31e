#!/usr/bin/env bash
# Writes the savepoint that SavepointCompatibilityTest restores (job/src/test/resources/savepoints/piece-format-N).
# Run it when PieceSerializer.FORMAT is bumped, into a new directory for the new format, and keep the old ones:
# each is a running job's state that the build must still restore (or refuse with a clear message).
# Usage: job/src/test/savepoints/make-fixture.sh [FORMAT]   (from the repository root; the build must be installed)
set -euo pipefail
format="${1:-1}"
cd "$(dirname "$0")/../../../.."
./mvnw -B -q -o -pl job test -Dtest=SavepointFixtureWriter -Dsurefire.failIfNoSpecifiedTests=false \
  -Djigsaw.savepoint.fixture="$PWD/job/src/test/resources/savepoints/piece-format-$format"
ls -l "job/src/test/resources/savepoints/piece-format-$format"
