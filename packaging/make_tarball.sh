#!/bin/sh
# make_tarball.sh OUT VERSION_FILE then triples (SRC DEST MODE): builds a
# reproducible tarball: sorted entries, fixed mtime/owner/mode, gzip without
# a timestamp. MODE "link" makes DEST a symbolic link to SRC (taken as is);
# MODE "pc" copies SRC with @VERSION@ replaced. Used by //:release.
set -eu
out=$1
version=$(cat "$2")
shift 2
stage=$(mktemp -d)
root="$stage/vhsm-$version"
while [ $# -ge 3 ]; do
  mkdir -p "$root/$(dirname "$2")"
  case "$3" in
    link) ln -s "$1" "$root/$2" ;;
    pc) sed "s/@VERSION@/$version/" "$1" > "$root/$2"; chmod 0644 "$root/$2" ;;
    *) cp "$1" "$root/$2"; chmod "$3" "$root/$2" ;;
  esac
  shift 3
done
# Directories: fixed mode too.
find "$root" -type d -exec chmod 0755 {} +
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --format=gnu \
    -C "$stage" -cf - "vhsm-$version" | gzip -n -9 > "$out"
rm -rf "$stage"
