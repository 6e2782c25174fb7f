# Sourced by natgw's scripts: finds a JDK >= 21 and Maven, or says exactly what is missing.
# The code targets Java 21; Debian 12's default JDK is 17, so JAVA_HOME is chosen here:
# $JAVA_HOME if it is recent enough, then the JDKs in the usual install folders, newest first.

natgw_java_version() { # prints the feature version of the JDK in $1, or nothing
    [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
    "$1/bin/java" -XshowSettings:properties -version 2>&1 \
        | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p'
}

natgw_find_jdk() {
    local candidate version
    version=$(natgw_java_version "${JAVA_HOME:-/nonexistent}")
    if [ -n "$version" ] && [ "$version" -ge 21 ]; then
        echo "$JAVA_HOME"
        return 0
    fi
    for candidate in /usr/lib/jvm/* /opt/java/* /opt/jdk* /usr/local/lib/jvm/*; do
        [ -n "$candidate" ] && [ -d "$candidate" ] || continue
        version=$(natgw_java_version "$candidate")
        if [ -n "$version" ] && [ "$version" -ge 21 ]; then
            echo "$candidate $version"
            return 0
        fi
    done 2>/dev/null | sort -k2 -n -r | head -n 1 | cut -d' ' -f1
}

natgw_setup() {
    local jdk
    NATGW_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
    jdk=$(natgw_find_jdk)
    if [ -z "$jdk" ]; then
        echo "natgw: no JDK 21 or newer found (JAVA_HOME=${JAVA_HOME:-unset}; looked in /usr/lib/jvm, /opt)." >&2
        echo "natgw: install one, e.g. 'apt-get install openjdk-21-jdk-headless' or a Temurin JDK, or set JAVA_HOME." >&2
        return 1
    fi
    export JAVA_HOME="$jdk"
    export PATH="$JAVA_HOME/bin:$PATH"
    if ! command -v mvn >/dev/null 2>&1; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
            echo "natgw: installing Maven (apt-get install maven)" >&2
            (apt-get update -qq && apt-get install -y -qq maven) >&2 || return 1
        else
            echo "natgw: Maven is missing: 'apt-get install maven' (as root) or put mvn on PATH." >&2
            return 1
        fi
    fi
    # Maven's own libraries use sun.misc.Unsafe; JDK 23+ warns about it on every run.
    if [ "$(natgw_java_version "$JAVA_HOME")" -ge 23 ]; then
        export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
    fi
}

# natgw_build MODULE: builds MODULE and what it needs (tests skipped); prints Maven's output
# only when the build fails.
natgw_build() {
    local out
    if ! out=$(cd "$NATGW_ROOT" && mvn -B -q -ntp -DskipTests install -pl "$1" -am 2>&1); then
        printf '%s\n' "$out" >&2
        echo "natgw: the build failed (above)" >&2
        return 1
    fi
}
