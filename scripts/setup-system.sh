#!/usr/bin/env bash
# Installs the system packages the tests and the benchmark run as real servers: VictoriaMetrics,
# blackbox_exporter (the reference the probes are compared with), promtool (the reference for rule unit tests),
# vmalert and Alertmanager (the references for alert evaluation and notifications),
# PostgreSQL, dnsmasq (a DNS server for the DNS prober's tests), OpenSSL and CA certificates, and chromium (the
# browser tests of the web UI and the status page drive it headless with puppeteer-core).
# Debian 12. Idempotent: nothing is fetched when everything is present. The tests start their own server
# processes on free loopback ports, so the system services the packages bring are stopped and disabled.
set -euo pipefail

MIN_NODE_MAJOR=20
MIN_NODE_MINOR=19

log() { printf 'setup-system: %s\n' "$*"; }

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  log "not root and sudo is not available: run this script as root" >&2
  exit 1
fi

package_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

postgres_server_present() {
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || command -v initdb >/dev/null 2>&1
}

# A binary installed by hand (not from the Debian package) counts as present too.
missing=()
package_installed victoria-metrics || command -v victoria-metrics >/dev/null 2>&1 || missing+=(victoria-metrics)
package_installed prometheus-blackbox-exporter || command -v prometheus-blackbox-exporter >/dev/null 2>&1 ||
  missing+=(prometheus-blackbox-exporter)
# "postgresql" is version 15 on Debian 12; the tests pick the newest /usr/lib/postgresql/<major>.
postgres_server_present || missing+=(postgresql)
# Prometheus: the reference scraper for the import labels test (and promtool).
package_installed prometheus || command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
package_installed openssl || missing+=(openssl)
package_installed ca-certificates || missing+=(ca-certificates)
package_installed chromium || command -v chromium >/dev/null 2>&1 || missing+=(chromium)
# promtool (in Debian's prometheus package): the oracle `periscope test rules` is compared with; prometheus
# itself is the scraper of the pipeline the benchmark runs beside Periscope (npm run bench).
package_installed prometheus || command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
# Alertmanager (binary prometheus-alertmanager): the oracle Periscope's notifications are compared with.
# vmalert, the oracle for alert evaluation, comes with victoria-metrics.
package_installed prometheus-alertmanager || command -v prometheus-alertmanager >/dev/null 2>&1 ||
  missing+=(prometheus-alertmanager)
# dnsmasq-base: the dnsmasq binary the DNS prober's tests query, without the system service of "dnsmasq".
package_installed dnsmasq-base || command -v dnsmasq >/dev/null 2>&1 || [ -x /usr/sbin/dnsmasq ] || missing+=(dnsmasq-base)

if [ "${#missing[@]}" -eq 0 ]; then
  log "all system packages present"
else
  log "installing: ${missing[*]}"
  "${SUDO[@]}" apt-get update
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"

  # The packages enable services on :8428, :9115, :9090 and :9093. Nothing here uses them, and a developer's machine is
  # better off without a stray database. Only the ones installed just now are touched; without systemd as
  # init (containers, CI images with policy-rc.d) they were never started.
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    for package in victoria-metrics prometheus-blackbox-exporter prometheus prometheus-alertmanager; do
      if [[ " ${missing[*]} " == *" ${package} "* ]]; then
        log "stopping and disabling the ${package} service"
        "${SUDO[@]}" systemctl disable --now "${package}.service" || true
      fi
    done
  fi
fi

if ! command -v node >/dev/null 2>&1; then
  log "node is not installed: install Node.js ${MIN_NODE_MAJOR}.${MIN_NODE_MINOR} or newer" >&2
  exit 1
fi
node_version="$(node -p 'process.versions.node')"
IFS=. read -r node_major node_minor _ <<<"${node_version}"
if [ "${node_major}" -lt "${MIN_NODE_MAJOR}" ] ||
  { [ "${node_major}" -eq "${MIN_NODE_MAJOR}" ] && [ "${node_minor}" -lt "${MIN_NODE_MINOR}" ]; }; then
  log "Node.js ${node_version} is too old: ${MIN_NODE_MAJOR}.${MIN_NODE_MINOR} or newer is needed" >&2
  exit 1
fi
