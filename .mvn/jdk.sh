# Sourced by ./mvnw and ./junction: selects a JDK 25 or newer.
# Keeps JAVA_HOME when it already points at one; otherwise looks in the usual install places.
junction_java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'
}
if [ -z "${JAVA_HOME:-}" ] || [ ! -x "$JAVA_HOME/bin/java" ] || [ "$(junction_java_major "$JAVA_HOME")" -lt 25 ] 2>/dev/null; then
  case $- in *f*) junction_noglob=1; set +f ;; *) junction_noglob= ;; esac
  for candidate in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*25* /usr/lib/jvm/* /opt/java/* "$HOME"/.sdkman/candidates/java/*; do
    if [ -x "$candidate/bin/javac" ] && [ "$(junction_java_major "$candidate")" -ge 25 ] 2>/dev/null; then
      export JAVA_HOME="$candidate"
      break
    fi
  done
  [ -z "$junction_noglob" ] || set -f
fi
if [ -z "${JAVA_HOME:-}" ] || [ "$(junction_java_major "$JAVA_HOME")" -lt 25 ] 2>/dev/null; then
  echo "Junction needs JDK 25 or newer: set JAVA_HOME to one (found none under /usr/lib/jvm)." >&2
  exit 1
fi
