#!/bin/sh
# Outpost launcher. This file is a POSIX shell script followed by an executable jar: the script picks a java
# (JAVA_HOME/bin/java, else java on the PATH), adds the JVM flags Outpost needs (from the parent pom's
# outpost.jvm.flags, filled in at build time), the Java 24+ flags only when that java is 24 or newer, for 'serve'
# the memory settings (outpost.jvm.memory, or OUTPOST_JVM_MEMORY), then JAVA_OPTS, raises the descriptor soft limit
# to the hard limit, and runs this very file as a jar.
if [ -n "$JAVA_HOME" ] && [ -x "$JAVA_HOME/bin/java" ]; then
  JAVA="$JAVA_HOME/bin/java"
else
  JAVA="$(command -v java)"
fi
if [ -z "$JAVA" ]; then
  echo "outpost: no java found (set JAVA_HOME or put java on the PATH; Java 17 or newer)" >&2
  exit 127
fi
FLAGS='@outpost.jvm.flags@'
MODERN_FLAGS='@outpost.jvm.flags.modern@'

# The java's feature release: from its 'release' file if there is one, else by asking it.
JAVA_REAL="$(readlink -f "$JAVA" 2>/dev/null || echo "$JAVA")"
RELEASE_FILE="$(dirname "$(dirname "$JAVA_REAL")")/release"
VERSION=""
if [ -r "$RELEASE_FILE" ]; then
  VERSION="$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$RELEASE_FILE")"
fi
if [ -z "$VERSION" ]; then
  VERSION="$("$JAVA" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)"
fi
case "$VERSION" in
  1.*) FEATURE="$(echo "$VERSION" | cut -d. -f2)" ;;
  *) FEATURE="$(echo "$VERSION" | sed 's/[^0-9].*//')" ;;
esac
if [ -n "$FEATURE" ] && [ "$FEATURE" -ge 24 ] 2>/dev/null; then
  FLAGS="$FLAGS $MODERN_FLAGS"
fi
# Every connection takes a descriptor: raise the soft limit to the hard one (HotSpot on Linux does it too, unless
# -XX:-MaxFDLimit; other JVMs and systems may not). Harmless where not allowed or not supported.
NOFILE_HARD="$(ulimit -H -n 2>/dev/null)"
if [ -n "$NOFILE_HARD" ]; then
  ulimit -S -n "$NOFILE_HARD" 2>/dev/null || true
fi
# 'serve' (and no verb, which is serve) runs with the memory settings chosen by measurement (heap cap, metaspace,
# code cache, direct memory; bench/README.md "Memory and GC"); OUTPOST_JVM_MEMORY, when set (even empty), replaces
# them, and JAVA_OPTS, which comes after, overrides single ones (e.g. JAVA_OPTS=-Xmx1g). The one-shot verbs (import,
# export, inspect, backup, ...) keep the JVM's defaults: they may hold a whole file's objects.
MEMORY_FLAGS=''
case "${1:-serve}" in
  serve|-*) MEMORY_FLAGS='@outpost.jvm.memory@' ;;
esac
if [ "${OUTPOST_JVM_MEMORY+set}" = set ]; then
  MEMORY_FLAGS="$OUTPOST_JVM_MEMORY"
fi
# glibc gives each thread that allocates its own malloc arena (64 MiB reserved each, pages kept once touched);
# two are enough for a JVM, whose large allocations do not go through malloc.
: "${MALLOC_ARENA_MAX:=2}"
export MALLOC_ARENA_MAX
# FLAGS, MEMORY_FLAGS and JAVA_OPTS are word-split on purpose (lists of options).
# shellcheck disable=SC2086
exec "$JAVA" $FLAGS $MEMORY_FLAGS $JAVA_OPTS -jar "$0" "$@"
