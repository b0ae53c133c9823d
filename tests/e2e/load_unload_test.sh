#!/bin/sh
# Loads and unloads the provider, then the engine, 50 times each (one kind
# per process).
set -eu
"$1" provider "$(dirname "$2")" 50
"$1" engine "$(realpath "$3")" 50
