# radius.sh: a throwaway FreeRADIUS 3.2 (Debian's) for the integration tests.
# Sourced, not run; needs nothing else (lib.sh's cleanup also stops a
# FreeRADIUS whose DIR is under $IT_WORK: its command line names DIR).
#
#   radius_certs DIR IP           a test CA, a server certificate for IP
#                                 (subjectAltName IP) and a client
#                                 certificate, all in DIR (openssl)
#   radius_start DIR IP PORT      a FreeRADIUS of its own in DIR (config
#                                 generated there, nothing of the host's
#                                 /etc/freeradius or /var used), answering
#                                 Access-Requests on UDP IP:PORT; returns once
#                                 it says "Ready to process requests"
#   radius_stop DIR               stops it
#   radius_stop_all               stops every one radius_start started (call it
#                                 from the test's EXIT trap)
#
# radius_start reads, when set:
#   RADIUS_SECRET      the UDP shared secret (default "it-radius-secret")
#   RADIUS_CLIENTS     the address clients come from (default 127.0.0.0/8)
#   RADIUS_USERS       more lines for its users file (rlm_files), e.g.
#                      'bob Cleartext-Password := "123456"'
#   RADIUS_TLS_PORT    also listen for RADIUS over TLS (RFC 6614) on IP:port,
#                      shared secret "radsec", client certificate required;
#                      RADIUS_TLS_DIR is a radius_certs DIR
#   RADIUS_CHALLENGE   "USER:FIRST:RESPONSE" (default "carol:carol-pin:424242"):
#                      USER with password FIRST and no State gets an
#                      Access-Challenge carrying $RADIUS_STATE (hex, default
#                      $RADIUS_DEFAULT_STATE, "otpce test state!") and
#                      $RADIUS_PROMPT as Reply-Message;
#                      the same USER with that State and password RESPONSE
#                      is accepted; anything else of USER's is rejected.
#   RADIUS_SIGN_REPLIES  "no": leave the replies as Debian's FreeRADIUS 3.2.1
#                      makes them, without Message-Authenticator (what a
#                      server without the BlastRADIUS fix sends)
# Users always present: alice / "alice-otp-123456".
#
# Every client definition has require_message_authenticator = yes, so
# FreeRADIUS drops a request without a valid Message-Authenticator.
# Debian's FreeRADIUS 3.2.1 predates the BlastRADIUS fix (3.2.5) and only
# signs the replies the EAP module makes; the generated policy adds a
# Message-Authenticator to every Access-Accept, Access-Reject and
# Access-Challenge (an "update reply" with a zero value: FreeRADIUS's encoder
# computes it over the final packet), as the BlastRADIUS advisories ask of
# servers.
# reject_delay is 0 so that a reject is answered at once.

RADIUS_DEFAULT_STATE=6f74706365207465737420737461746521
RADIUS_DIRS=()

radius_certs() { # DIR IP
	local d=$1 ip=$2
	mkdir -p "$d"
	(
		cd "$d" || exit 1
		openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 \
			-subj "/CN=otpce radius test CA" -addext basicConstraints=critical,CA:TRUE \
			-addext keyUsage=critical,keyCertSign,cRLSign
		openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr \
			-subj "/CN=radius $ip"
		openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
			-out server.pem -days 2 -extfile <(printf 'subjectAltName=IP:%s\nextendedKeyUsage=serverAuth\n' "$ip")
		openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr \
			-subj "/CN=otpced test client"
		openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
			-out client.pem -days 2 -extfile <(printf 'extendedKeyUsage=clientAuth\n')
		# A second CA, for "the server's certificate is not from our CA".
		openssl req -x509 -newkey rsa:2048 -nodes -keyout other-ca.key -out other-ca.pem \
			-days 2 -subj "/CN=some other CA" -addext basicConstraints=critical,CA:TRUE
	) >"$d/openssl.log" 2>&1 || { cat "$d/openssl.log"; echo "FAIL making the RADIUS test certificates"; return 1; }
}

radius_conf() { # DIR IP PORT
	local d=$1 ip=$2 port=$3 secret=${RADIUS_SECRET:-it-radius-secret}
	local clients=${RADIUS_CLIENTS:-127.0.0.0/8}
	local chal=${RADIUS_CHALLENGE:-carol:carol-pin:424242}
	local cuser=${chal%%:*} rest=${chal#*:}
	local cfirst=${rest%%:*} cresp=${rest#*:}
	local state=${RADIUS_STATE:-$RADIUS_DEFAULT_STATE}
	local prompt=${RADIUS_PROMPT:-Enter the code shown on your token}
	local sign='update reply {
			&Message-Authenticator := 0x00
		}'
	[ "${RADIUS_SIGN_REPLIES:-yes}" != no ] || sign=noop
	mkdir -p "$d/run" "$d/log" "$d/mods-config/files"
	: >"$d/dictionary"
	cat >"$d/radiusd.conf" <<EOF
prefix = /usr
exec_prefix = /usr
sysconfdir = $d
localstatedir = $d
sbindir = /usr/sbin
logdir = $d/log
raddbdir = $d
radacctdir = $d/log
name = freeradius
confdir = $d
modconfdir = $d/mods-config
certdir = $d
cadir = $d
run_dir = $d/run
db_dir = $d
libdir = /usr/lib/freeradius
pidfile = $d/run/freeradius.pid
max_request_time = 30
cleanup_delay = 5
max_requests = 16384
hostname_lookups = no
proxy_requests = no
log {
	destination = stdout
	colourise = no
	stripped_names = no
	auth = yes
	auth_badpass = no
	auth_goodpass = no
}
security {
	allow_core_dumps = no
	max_attributes = 200
	reject_delay = 0
	status_server = no
}
thread pool {
	start_servers = 4
	max_servers = 32
	min_spare_servers = 2
	max_spare_servers = 8
	max_requests_per_server = 0
	auto_limit_acct = no
}
client it_udp {
	ipaddr = $clients
	secret = "$secret"
	require_message_authenticator = yes
	shortname = it_udp
}
modules {
	pap {
	}
	files {
		moddir = \${modconfdir}/files
		filename = \${moddir}/authorize
	}
	always reject {
		rcode = reject
	}
	always handled {
		rcode = handled
	}
	always noop {
		rcode = noop
	}
}
policy {
	sign_reply {
		$sign
	}
}
server default {
	listen {
		type = auth
		ipaddr = $ip
		port = $port
	}
	authorize {
		if (&User-Name == "$cuser") {
			if (!&State) {
				if (&User-Password == "$cfirst") {
					update reply {
						&Reply-Message := "$prompt"
						&State := 0x$state
					}
					sign_reply
					update control {
						&Response-Packet-Type := Access-Challenge
					}
					handled
				}
				reject
			}
			elsif (&State == 0x$state) {
				update control {
					&Cleartext-Password := "$cresp"
				}
			}
			else {
				reject
			}
		}
		else {
			files
		}
		pap
	}
	authenticate {
		Auth-Type PAP {
			pap
		}
	}
	post-auth {
		sign_reply
		Post-Auth-Type REJECT {
			sign_reply
		}
	}
}
EOF
	{
		echo 'alice	Cleartext-Password := "alice-otp-123456"'
		[ -z "${RADIUS_USERS:-}" ] || printf '%s\n' "$RADIUS_USERS"
	} >"$d/mods-config/files/authorize"
	if [ -n "${RADIUS_TLS_PORT:-}" ]; then
		local t=${RADIUS_TLS_DIR:?RADIUS_TLS_DIR: a radius_certs directory}
		cat >>"$d/radiusd.conf" <<EOF
listen {
	ipaddr = $ip
	port = $RADIUS_TLS_PORT
	type = auth
	proto = tcp
	virtual_server = default
	clients = radsec
	tls {
		private_key_file = $t/server.key
		certificate_file = $t/server.pem
		ca_file = $t/ca.pem
		fragment_size = 8192
		cipher_list = "DEFAULT"
		tls_min_version = "1.2"
		tls_max_version = "1.3"
		cache {
			enable = no
		}
		require_client_cert = yes
	}
}
clients radsec {
	client it_tls {
		ipaddr = $clients
		proto = tls
		secret = radsec
		require_message_authenticator = yes
	}
}
EOF
	fi
	chmod -R go-w "$d"
}

radius_start() { # DIR IP PORT
	local d=$1
	radius_conf "$@" || return 1
	: >"$d/freeradius.out"
	freeradius -f -d "$d" -n radiusd -l stdout >"$d/freeradius.out" 2>&1 &
	echo $! >"$d/pid"
	RADIUS_DIRS+=("$d")
	radius_wait_ready "$d" "$2:$3"
}

# radius_wait_ready DIR WHAT: until FreeRADIUS says it is ready; fails at once
# if it exits (a configuration error), or after 60 s (a broken run).
radius_wait_ready() {
	local d=$1 deadline=$((SECONDS + 60))
	until grep -q 'Ready to process requests' "$d/freeradius.out" 2>/dev/null; do
		if ! kill -0 "$(cat "$d/pid")" 2>/dev/null; then
			cat "$d/freeradius.out"; echo "FAIL FreeRADIUS on $2 exited"; return 1
		fi
		[ "$SECONDS" -lt "$deadline" ] || { cat "$d/freeradius.out"; echo "FAIL FreeRADIUS on $2: not ready in 60 s"; return 1; }
		sleep 0.05
	done
}

radius_stop() { # DIR
	local pid
	pid=$(cat "$1/pid" 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -f "$1/pid"
	return 0
}

radius_stop_all() {
	local d
	for d in "${RADIUS_DIRS[@]}"; do radius_stop "$d"; done
}
