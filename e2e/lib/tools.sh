# shellcheck shell=bash
# The outside software the end-to-end suite drives, and the Debian packages that
# ship it. Sourced by e2e/run.sh and scripts/e2e-install-deps.sh so the two lists
# can never drift apart.

# knotd and nsd live in /usr/sbin, which a non-root PATH often lacks.
case ":$PATH:" in *:/usr/sbin:*) ;; *) PATH="$PATH:/usr/sbin" ;; esac

# The Debian python, not a pyenv/venv one: dnspython and httpx come from apt.
E2E_PYTHON=/usr/bin/python3

# stunnel4: the DoT front; chromium, firefox-esr: browsers as DoH clients;
# libnss3-tools: certutil, which puts the run's CA into the browsers' NSS databases.
E2E_PACKAGES=(knot nsd dnsdist knot-dnsutils nghttp2-proxy nghttp2-client
  python3-dnspython python3-httpx curl openssl stunnel4 chromium firefox-esr libnss3-tools)

# Prints one word per missing tool; prints nothing when everything is there.
e2e_missing_tools() {
  local tool
  for tool in knotd knotc nsd dnsdist kdig nghttpx curl openssl stunnel chromium firefox-esr certutil; do
    command -v "$tool" >/dev/null 2>&1 || echo "$tool"
  done
  if [[ ! -x $E2E_PYTHON ]]; then
    echo python3
  else
    "$E2E_PYTHON" -c 'import dns.query' 2>/dev/null || echo python3-dnspython
    "$E2E_PYTHON" -c 'import httpx' 2>/dev/null || echo python3-httpx
  fi
}
