# otpce_env.sh: the setup the OTPCE integration tests (test_otpced_http.sh,
# test_otpce_e2e.sh) and bench/otpce/run.sh share.  Source it after lib.sh
# and radius.sh; it uses $W (the run's work directory).

# otpce_domain MEMBER-IP DC-IP [USER...]: the test domain with USERs
# created (alice comes with the template, dc.sh), the DC started on DC-IP
# and the joined member (winbind) on MEMBER-IP.  Sets D (the NetBIOS
# domain), REALM_LC (the realm in lower case), DN_DCS (DC=...,DC=...).
# If OTPCE_TEMPLATE_HOOK names a function, it runs after the users are
# made, before the DC starts, with DN_DCS set (to change the template's
# directory: samba-tool/ldbmodify on $W/template).
otpce_domain() {
	local mip=$1 dcip=$2 u
	shift 2
	it_template
	DN_DCS=$(echo "$DC_REALM" | tr 'A-Z' 'a-z' | sed 's/^/DC=/; s/\./,DC=/g')
	for u in "$@"; do
		samba-tool user create "$u" --random-password -s "$W/template/etc/smb.conf" \
			-H "$W/template/private/sam.ldb" >"$W/user-$u.log" 2>&1 ||
			{ cat "$W/user-$u.log"; echo "FAIL creating user $u"; exit 1; }
	done
	if [ -n "${OTPCE_TEMPLATE_HOOK:-}" ]; then
		"$OTPCE_TEMPLATE_HOOK" || { echo "FAIL $OTPCE_TEMPLATE_HOOK"; exit 1; }
	fi
	it_template_member member1
	it_start_dc_plain dc "$dcip"
	it_start_member m1 "$mip" dc
	D=$DC_DOMAIN
	REALM_LC=$(echo "$DC_REALM" | tr 'A-Z' 'a-z')
	DN_DCS=$(echo "$REALM_LC" | sed 's/^/DC=/; s/\./,DC=/g')
}

# otpce_pki OTPCED-IP RADIUS-SECRET [client]: in $W/pki, a test CA
# (ca.pem, ca.key), otpced's TLS certificate for OTPCED-IP (tls.pem),
# the enrollment agent's certificate (signing.pem, EKU
# 1.3.6.1.4.1.311.20.2.1), with "client" a TLS client certificate
# (client.pem), and RADIUS-SECRET in radius.secret; keys and secret 0600.
otpce_pki() {
	local ip=$1 secret=$2 client=${3:-}
	mkdir -p "$W/pki"
	(
		cd "$W/pki" || exit 1
		openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 \
			-subj "/CN=otpced test CA" -addext basicConstraints=critical,CA:TRUE \
			-addext keyUsage=critical,keyCertSign,cRLSign
		openssl req -newkey rsa:2048 -nodes -keyout tls.key -out tls.csr -subj "/CN=otpced $ip"
		openssl x509 -req -in tls.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out tls.pem \
			-days 2 -extfile <(printf 'subjectAltName=IP:%s\nextendedKeyUsage=serverAuth\n' "$ip")
		if [ "$client" = client ]; then
			openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr \
				-subj "/CN=da client"
			openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
				-out client.pem -days 2 -extfile <(printf 'extendedKeyUsage=clientAuth\n')
		fi
		openssl req -newkey rsa:2048 -nodes -keyout signing.key -out signing.csr \
			-subj "/CN=otpced enrollment agent"
		openssl x509 -req -in signing.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
			-out signing.pem -days 2 -extfile <(printf 'extendedKeyUsage=1.3.6.1.4.1.311.20.2.1\n')
	) >"$W/pki.log" 2>&1 || { cat "$W/pki.log"; echo "FAIL making certificates"; exit 1; }
	printf '%s\n' "$secret" >"$W/pki/radius.secret"
	chmod 600 "$W/pki/radius.secret" "$W/pki/"*.key
}

# otpce_conf NAME PORT SERVER-LINES DIRECTORY-LINES OTP-SECTIONS CA-SECTION:
# an otpced configuration in $W/NAME.conf (mode 0600) listening on
# $OIP:PORT, path /otpcep, with otpce_pki's certificates, template
# $TEMPLATE, radius_user = account; the other lines as given.
otpce_conf() {
	cat >"$W/$1.conf" <<-EOF
	[server]
	listen = $OIP:$2
	url_path = /otpcep
	tls_cert = $W/pki/tls.pem
	tls_key = $W/pki/tls.key
	$3
	[signing]
	template = $TEMPLATE
	cert = $W/pki/signing.pem
	key = $W/pki/signing.key
	[directory]
	radius_user = account
	$4
	$5
	$6
	EOF
	chmod 600 "$W/$1.conf"
}
# otpce_radius_section HOST [MORE-LINES]: an [otp_server] section for HOST
# with otpce_pki's secret.
otpce_radius_section() {
	printf '[otp_server]\nhost = %s\nsecret_file = %s\n%s' "$1" "$W/pki/radius.secret" "${2:-}"
}

# otpce_start NAME OTPCED IP: OTPCED on the member with $W/NAME.conf, its
# log (stderr) in $W/NAME.out, whose first line must say it listens on IP.
# Sets SPAWN_PID (the process started) as it_spawn does.
otpce_start() {
	it_spawn "$1" it_on_member sh -c 'exec "$0" -c "$1" 2>&1' "$2" "$W/$1.conf" ||
		{ cat "$W/$1.out"; exit 1; }
	case $SPAWN_LINE in *"listening on $3:"*) ;; *) echo "FAIL $1: $SPAWN_LINE"; exit 1;; esac
}
