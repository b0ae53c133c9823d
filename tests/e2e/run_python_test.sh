#!/bin/sh
# Runs one Python end-to-end test file with Debian's python3 (which has the
# cryptography and protobuf modules the tests use as references).
exec /usr/bin/python3 "$@"
