#!/usr/bin/env bash
# bootstrap.sh: make a Debian 12 machine able to build and test this tree.
#
# Installs the Debian packages the project needs, enables deb-src when it is
# missing, and unpacks Debian's samba source package (the same version as the
# installed samba-dev) into .deps/, where tools/waf finds waf and the build
# finds pidl.  Nothing from that source tree is committed.
#
# Idempotent: when everything is in place it returns in well under a second.
# Must run as root the first time (apt-get); later runs need no privileges.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
deps="$top/.deps"

# Build and test dependencies.  Keep in step with the README's list.
PACKAGES=(
	build-essential pkg-config python3 perl libparse-yapp-perl dpkg-dev
	clang libclang-rt-14-dev
	samba-dev heimdal-multidev libssl-dev openssl
	libtalloc-dev libtevent-dev libtdb-dev tdb-tools
	libcmocka-dev libxml2-dev libcurl4-openssl-dev libevent-dev
	samba-ad-dc samba-ad-provision samba-common-bin smbclient winbind
	heimdal-clients iproute2 procps
	# CredSSP's peers: FreeRDP 2 (client, shadow server on Xvfb, winpr-hash).
	freerdp2-x11 freerdp2-shadow-x11 winpr-utils xvfb xauth
	# OTPCE's OTP server: FreeRADIUS 3.2 (started by the tests only).
	freeradius freeradius-utils
	# otpced's backend = ldap: OpenLDAP, and Cyrus SASL's GSSAPI plugin
	# built on Heimdal (the project's Kerberos).
	libldap-dev libsasl2-dev libsasl2-modules-gssapi-heimdal
	# NEGOEX's peer: MIT krb5 1.20 (its negoextest plugin is built from
	# Debian's krb5 source package at test time, never committed).
	libkrb5-dev krb5-multidev
)

log() { printf 'bootstrap: %s\n' "$*" >&2; }

missing_packages() {
	local p st
	for p in "${PACKAGES[@]}"; do
		st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
		[ "$st" = installed ] || printf '%s\n' "$p"
	done
}

need_root() {
	if [ "$(id -u)" -ne 0 ]; then
		log "missing: $*; run this script as root once (apt-get is needed)"
		exit 1
	fi
}

ensure_deb_src() {
	# apt-get source needs deb-src entries.  Add a separate file mirroring
	# the existing deb entries rather than editing the system's own files.
	local f=/etc/apt/sources.list.d/bpau-deb-src.sources
	if grep -rqsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d/; then
		return 1
	fi
	log "enabling deb-src in $f"
	: >"$f"
	local src
	for src in /etc/apt/sources.list.d/*.sources; do
		[ "$src" = "$f" ] && continue
		grep -q 'debian' "$src" || continue
		# deb822 stanzas: same URIs/Suites/Components, Types deb-src.
		sed -e 's/^Types:.*/Types: deb-src/' "$src" >>"$f"
		printf '\n' >>"$f"
	done
	if [ -f /etc/apt/sources.list ]; then
		grep -E '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' \
			>/etc/apt/sources.list.d/bpau-deb-src.list || true
	fi
	return 0
}

pkgs=$(missing_packages)
if [ -n "$pkgs" ]; then
	need_root $pkgs
	log "installing: $(echo $pkgs)"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends $pkgs >"${TMPDIR:-/tmp}/bpau-apt.log" 2>&1 ||
		{ cat "${TMPDIR:-/tmp}/bpau-apt.log" >&2; log "apt-get install failed"; exit 1; }
fi

# The samba source package: the version of the installed samba-dev.
version=$(dpkg-query -W -f='${Version}' samba-dev)
upstream=${version#*:}          # drop the epoch
upstream=${upstream%%+*}        # 4.17.12+dfsg-0+deb12u4 -> 4.17.12
stamp="$deps/samba-$version.done"
if [ ! -f "$stamp" ]; then
	need_root "samba source package $version"
	if ensure_deb_src; then apt-get update -qq; fi
	mkdir -p "$deps"
	rm -rf "$deps/dl" "$deps/samba-$upstream"
	mkdir "$deps/dl"
	log "fetching Debian's samba source package $version"
	(cd "$deps/dl" && apt-get source -q --download-only "samba=$version" >/dev/null 2>&1)
	log "unpacking it into .deps/samba-$upstream (Debian patches applied)"
	(cd "$deps/dl" && dpkg-source --no-check -q -x ./*.dsc "$deps/samba-$upstream" >/dev/null)
	rm -rf "$deps/dl" "$deps"/samba_*.orig.tar.*
	ln -sfn "samba-$upstream" "$deps/samba"
	[ -f "$deps/samba/third_party/waf/waflib/Context.py" ] ||
		{ log "waf not found in the samba source"; exit 1; }
	[ -x "$deps/samba/pidl/pidl" ] || { log "pidl not found in the samba source"; exit 1; }
	echo "$version" >"$stamp"
fi

# MIT krb5's source package, the version of the installed libkrb5-dev: the
# NEGOEX interop tests build its negoextest plugin from it.
kversion=$(dpkg-query -W -f='${Version}' libkrb5-dev)
kupstream=${kversion%%-*}
kstamp="$deps/krb5-$kversion.done"
if [ ! -f "$kstamp" ]; then
	need_root "krb5 source package $kversion"
	if ensure_deb_src; then apt-get update -qq; fi
	mkdir -p "$deps"
	rm -rf "$deps/dl" "$deps/krb5-$kupstream"
	mkdir "$deps/dl"
	log "fetching Debian's krb5 source package $kversion"
	(cd "$deps/dl" && apt-get source -q --download-only "krb5=$kversion" >/dev/null 2>&1)
	(cd "$deps/dl" && dpkg-source --no-check -q -x ./*.dsc "$deps/krb5-$kupstream" >/dev/null)
	rm -rf "$deps/dl" "$deps"/krb5_*.orig.tar.*
	ln -sfn "krb5-$kupstream" "$deps/krb5"
	[ -f "$deps/krb5/src/plugins/gssapi/negoextest/main.c" ] ||
		{ log "negoextest not found in the krb5 source"; exit 1; }
	echo "$kversion" >"$kstamp"
fi
exit 0
