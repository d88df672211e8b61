#!/bin/sh
# mkcopies.sh CC OBJECT OUTDIR STAMP NAME...
#
# Links OBJECT (bench/modules/bm_cold.c compiled once) into one shared object
# OUTDIR/<name>.so per NAME, each exporting its own hook PyInit_<name> as an
# alias of PyInit_bm_cold, so each is a distinct module file.  A NAME of the
# form PREFIX@COUNT stands for PREFIX0000 ... PREFIX<COUNT-1> (four digits).
# Linking only, no recompilation: about 10 ms a copy.  STAMP is touched last.
set -eu
cc=$1 obj=$2 out=$3 stamp=$4
shift 4
mkdir -p "$out"
link() {
    "$cc" -shared -o "$out/$1.so" "$obj" "-Wl,--defsym=PyInit_$1=PyInit_bm_cold"
}
for spec in "$@"; do
    case $spec in
    *@*)
        prefix=${spec%@*} count=${spec#*@} i=0
        while [ "$i" -lt "$count" ]; do
            link "$prefix$(printf '%04d' "$i")"
            i=$((i + 1))
        done ;;
    *)
        link "$spec" ;;
    esac
done
touch "$stamp"
