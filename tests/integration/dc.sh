#!/usr/bin/env bash
# dc.sh - throwaway Samba AD DC (Samba 4.17, Debian 12) for integration tests.
#
#   dc.sh template DIR            provision a DC + test accounts into DIR (~5 s)
#   dc.sh start TEMPLATE RUNDIR   cp -a TEMPLATE RUNDIR, fix paths, start samba, wait for 88+135 (~0.3-1 s)
#   dc.sh stop RUNDIR             stop the DC started in RUNDIR
#   dc.sh env RUNDIR              print shell exports for clients (KRB5_CONFIG, SIDs, keytabs, ...)
#   dc.sh selftest RUNDIR         kinit/kgetcred/rpcclient/ldap checks against a running DC
#
# A Linux domain member joined to this domain (net ads join, winbindd): member.sh, beside
# this file; its join is kept in the template (DIR/members/NAME, copied along by start).
# Test accounts: PEER1$..PEER5$ (enabled computer accounts with AES keys, SPNs,
# keytabs in DIR/client/peerN.keytab) and the user alice.
# Knobs (template): DC_POOL=N (also computer accounts BENCH1$..BENCHN$), DC_REALM=BPAU.TEST DC_DOMAIN=BPAU DC_HOST=dc1 DC_IP=127.0.0.11 DC_ADMINPASS
# Knobs (start):    DC_IP             listen address of this copy (127.x.y.z; default: template's)
#                   DC_SMB=0          1 = also run smbd+winbindd (ncacn_np, needed for LSA); 0 = rpc/kdc/ldap only
#                   DC_CLDAP=1        0 = no CLDAP (udp/389); a domain member (member.sh) needs it:
#                                     net ads join and winbindd find and check the DC by CLDAP
#                   DC_DNS=0          1 = also serve DNS on DC_IP:53 (its zone: the template's
#                                     records, DC SRV records and dc1's A record included)
#                   DC_CONF           extra [global] smb.conf lines (newline separated)
#                   DC_RPC_MODULES    dir of extra dcerpc_server *.so modules to load
#                   DC_MAXRUNTIME=3600  samba exits by itself after that many seconds
#                   DC_MODEL=single   samba's process model (prefork is its own default)
#                   DC_START_TIMEOUT=120  seconds to wait for readiness (a busy machine)
# Runs as root (samba AD DC; unshare/mount). Never touches /etc/samba, /var/lib/samba or
# /run/samba: every path lives in DIR, and samba runs in a private mount namespace in which
# DIR/run is bind-mounted over /run/samba (winbindd's client socket dir is compiled in).
set -euo pipefail

PY=/usr/bin/python3          # NOT "python3": a pyenv/venv python has no samba/ldb modules
SAMBA_RUN_MNT=/run/samba     # compiled-in WINBINDD_SOCKET_DIR parent (/run/samba/winbindd)

die() { echo "dc.sh: $*" >&2; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
abspath() { mkdir -p "$1" && (cd "$1" && pwd -P); }

# Passwords must satisfy the default AD complexity policy.  These are
# throwaway test-domain secrets, never used outside it.
PEER_PASS_1='Peer1-Pass!2024'
PEER_PASS_2='Peer2-Pass!2024'
PEER_PASS_3='Peer3-Pass!2024'
PEER_PASS_4='Peer4-Pass!2024'
PEER_PASS_5='Peer5-Pass!2024'
ALICE_PASS='Al1ce-Pass!2024'

# ---------------------------------------------------------------- template
cmd_template() {
    [ $# -eq 1 ] || die "usage: dc.sh template DIR"
    local realm=${DC_REALM:-BPAU.TEST} domain=${DC_DOMAIN:-BPAU} host=${DC_HOST:-dc1}
    local ip=${DC_IP:-127.0.0.11} adminpass=${DC_ADMINPASS:-Adm1n-Pass!2024}
    local lrealm=${realm,,}
    [ ! -e "$1" ] || [ -z "$(ls -A "$1")" ] || die "$1 exists and is not empty"
    local dir; dir=$(abspath "$1")
    local t0; t0=$(now)
    mkdir -p "$dir/run" "$dir/log" "$dir/client"
    : > "$dir/client/empty.conf"

    # -s empty.conf: otherwise provision merges /etc/samba/smb.conf ([homes], [printers], ...)
    #                into the new smb.conf.
    # interfaces=IP/8: a bare "127.0.0.11" (or /32) matches no local interface
    #                -> "WARNING: no network interfaces found", nothing listens.
    # dns forwarder=: otherwise provision copies the nameserver from /etc/resolv.conf.
    # server services: only rpc, kdc, ldap (+ s3fs/winbindd, toggled at start time).
    samba-tool domain provision -s "$dir/client/empty.conf" --targetdir="$dir" \
        --realm="$realm" --domain="$domain" --server-role=dc \
        --dns-backend=SAMBA_INTERNAL --host-name="$host" --host-ip="$ip" \
        --adminpass="$adminpass" \
        --option="netbios name=${host^^}" \
        --option="interfaces=$ip/8" --option="bind interfaces only=yes" \
        --option="dns forwarder=" \
        --option="server services=-nbt -wrepl -cldap -drepl -ntp_signd -kcc -dnsupdate -dns" \
        --option="pid directory=$dir/run" \
        --option="ncalrpc dir=$dir/run/ncalrpc" \
        --option="ntp signd socket directory=$dir/run/ntp_signd" \
        --option="usershare path=$dir/usershares" \
        --option="log file=$dir/log/samba.log" \
        --option="panic action=" \
        >"$dir/log/provision.log" 2>&1 || { tail -20 "$dir/log/provision.log"; die "provision failed"; }
    echo "provision: $(elapsed "$t0") s"

    # Test accounts, created offline in sam.ldb (DC not running) by one python process
    # (~1 s; the same with samba-tool takes ~7 s):
    #   samba-tool computer create PEER1 -s DIR/etc/smb.conf -H DIR/private/sam.ldb \
    #       --service-principal-name=HOST/peer1.bpau.test --service-principal-name=HOST/peer1
    #   samba-tool user setpassword 'PEER1$' --newpassword=... -s ... -H ...   (also enables it)
    #   samba-tool domain exportkeytab DIR/client/peer1.keytab --principal='PEER1$' -s DIR/etc/smb.conf
    #   samba-tool computer show PEER1 -s ... -H ... --attributes=objectSid
    # (msDS-SupportedEncryptionTypes has no samba-tool command; needs ldbmodify or python)
    local t1; t1=$(now)
    {
        echo "DC_REALM=$realm"; echo "DC_DOMAIN=$domain"; echo "DC_HOST=$host.$lrealm"
        echo "DC_ADMINPASS='$adminpass'"
        echo "ALICE_PASS='$ALICE_PASS'"
        echo "PEER1_PASS='$PEER_PASS_1'"; echo "PEER2_PASS='$PEER_PASS_2'"
        echo "PEER3_PASS='$PEER_PASS_3'"; echo "PEER4_PASS='$PEER_PASS_4'"
        echo "PEER5_PASS='$PEER_PASS_5'"
        echo "BENCH_PASS='Bench-Pass!2024'"
        "$PY" - "$dir" "$PEER_PASS_1" "$PEER_PASS_2" "$PEER_PASS_3" "$PEER_PASS_4" "$PEER_PASS_5" "$ALICE_PASS" <<'EOF'
import sys, ldb
from samba import dsdb, enable_net_export_keytab
from samba.samdb import SamDB
from samba.param import LoadParm
from samba.auth import system_session
from samba.net import Net
from samba.ndr import ndr_unpack
from samba.dcerpc import security

d, peer_pw, alice_pw = sys.argv[1], sys.argv[2:7], sys.argv[7]
lp = LoadParm(); lp.load(d + "/etc/smb.conf")
db = SamDB(url=lp.private_path("sam.ldb"), session_info=system_session(), lp=lp)
dns = db.domain_dns_name()
computers = db.get_wellknown_dn(db.get_default_basedn(), dsdb.DS_GUID_COMPUTERS_CONTAINER)
enable_net_export_keytab()
net = Net(None, lp)

def sid_of(sam):
    res = db.search(db.domain_dn(), ldb.SCOPE_SUBTREE,
                    "(sAMAccountName=%s)" % ldb.binary_encode(sam), ["objectSid"])
    return str(ndr_unpack(security.dom_sid, res[0]["objectSid"][0]))

for i, pw in enumerate(peer_pw, 1):
    cn, sam = "PEER%d" % i, "PEER%d$" % i
    db.transaction_start()
    try:
        db.add({"dn": "CN=%s,%s" % (cn, computers),
                "objectClass": "computer",
                "sAMAccountName": sam,
                # enabled workstation trust account, password never expires
                "userAccountControl": str(dsdb.UF_WORKSTATION_TRUST_ACCOUNT |
                                          dsdb.UF_DONT_EXPIRE_PASSWD),
                "dNSHostName": "peer%d.%s" % (i, dns),
                "servicePrincipalName": ["HOST/peer%d.%s" % (i, dns), "HOST/peer%d" % i],
                # AES128|AES256: without it the KDC issues RC4 service tickets
                "msDS-SupportedEncryptionTypes": "24"})
        db.setpassword("(sAMAccountName=%s)" % ldb.binary_encode(sam), pw, False)
    except Exception:
        db.transaction_cancel()
        raise
    db.transaction_commit()
    # one keytab per peer: the account name plus its SPNs (same keys)
    kt = "%s/client/peer%d.keytab" % (d, i)
    for princ in (sam, "HOST/peer%d.%s" % (i, dns), "HOST/peer%d" % i):
        net.export_keytab(keytab=kt, principal=princ)
    print("PEER%d_SID=%s" % (i, sid_of(sam)))

# An optional pool of plain computer accounts BENCH1$..BENCHn$ (benchmarks),
# password-only: kinit with BENCH_PASS.
import os
for i in range(1, int(os.environ.get("DC_POOL", "0")) + 1):
    sam = "BENCH%d$" % i
    db.add({"dn": "CN=BENCH%d,%s" % (i, computers), "objectClass": "computer",
            "sAMAccountName": sam,
            "userAccountControl": str(dsdb.UF_WORKSTATION_TRUST_ACCOUNT |
                                      dsdb.UF_DONT_EXPIRE_PASSWD),
            "msDS-SupportedEncryptionTypes": "24"})
    db.setpassword("(sAMAccountName=%s)" % ldb.binary_encode(sam), "Bench-Pass!2024", False)
    print("BENCH%d_SID=%s" % (i, sid_of(sam)))

db.newuser("alice", alice_pw)
db.setexpiry("(sAMAccountName=alice)", 0, no_expiry_req=True)
print("ALICE_SID=%s" % sid_of("alice"))
print("DC1_SID=%s" % sid_of(lp.get("netbios name") + "$"))
print("DOMAIN_SID=%s" % db.get_domain_sid())
EOF
    } > "$dir/accounts.env" 2>"$dir/log/accounts.log" || { cat "$dir/log/accounts.log"; die "account creation failed"; }
    # The DC's own ldap/..., GC/..., RestrictedKrbHost/... SPNs are normally added at
    # run time by samba_spnupdate from the 'dnsupdate' service, which is disabled here:
    # without them Kerberos to ldap://dc1 fails (KDC: "Server ldap/dc1.bpau.test unknown").
    samba_spnupdate -s "$dir/etc/smb.conf" >>"$dir/log/accounts.log" 2>&1 || die "samba_spnupdate failed"
    echo "accounts: $(elapsed "$t1") s"

    # samba generates private/tls/{key,cert,ca}.pem on first start if missing, which takes
    # ~2.2 s (RSA 4096 CA + key) on every start of a fresh copy: pre-generate once here.
    local tls="$dir/private/tls"
    mkdir -p "$tls"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=$host.$lrealm" \
        -addext "subjectAltName=DNS:$host.$lrealm,IP:$ip" \
        -keyout "$tls/key.pem" -out "$tls/cert.pem" >>"$dir/log/accounts.log" 2>&1 || die "openssl failed"
    chmod 600 "$tls/key.pem"                   # samba refuses a key file that is not 0600
    cp "$tls/cert.pem" "$tls/ca.pem"

    write_client_conf "$dir" "$ip" "$realm" "$host.$lrealm"
    echo "$dir" > "$dir/.template_path"
    echo "template ready in $dir ($(elapsed "$t0") s total)"
}

# Client side: krb5.conf + an smb.conf for rpcclient/samba-tool that keeps their
# lock/cache/state files (msg.sock, gencache.tdb, names.tdb) out of /run/samba.
write_client_conf() {
    local dir=$1 ip=$2 realm=$3 fqdn=$4
    mkdir -p "$dir/client/state"
    cat > "$dir/client/krb5.conf" <<EOF
[libdefaults]
	default_realm = $realm
	dns_lookup_realm = false
	dns_lookup_kdc = false
	rdns = false
	dns_canonicalize_hostname = false

[realms]
	$realm = {
		kdc = $ip
		admin_server = $ip
		kpasswd_server = $ip
	}

[domain_realm]
	.${realm,,} = $realm
	${realm,,} = $realm
EOF
    cat > "$dir/client/smb.conf" <<EOF
[global]
	realm = $realm
	workgroup = ${DC_DOMAIN:-${realm%%.*}}
	lock directory = $dir/client/state
	state directory = $dir/client/state
	cache directory = $dir/client/state
	pid directory = $dir/client/state
	private dir = $dir/client/state
	ncalrpc dir = $dir/client/state/ncalrpc
	log file = $dir/client/state/log
	# Kerberos needs a host name, never an IP: this is used by the s4 client
	# stack (samba-tool, python bindings) when connecting to ldap://IP
	gensec:target_hostname = $fqdn
EOF
}

# ---------------------------------------------------------------- start / stop
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

cmd_start() {
    [ $# -eq 2 ] || die "usage: dc.sh start TEMPLATE RUNDIR"
    [ -f "$1/.template_path" ] || die "$1 is not a template (no .template_path)"
    [ ! -e "$2" ] || die "$2 already exists"
    [ "$(id -u)" = 0 ] || die "must run as root"
    local t0; t0=$(now)
    local tpl; tpl=$(cat "$1/.template_path")
    mkdir -p "$(dirname "$2")"
    cp -a "$1" "$2"                                    # keeps xattrs (sysvol NT ACLs)
    local run; run=$(cd "$2" && pwd -P)
    # smb.conf (and the client files) hold absolute paths: rewrite them. Nothing else
    # in the provisioned tree contains the path (sam.ldb partitions etc. are relative).
    sed -i "s#$tpl#$run#g" "$run/etc/smb.conf" "$run/client/smb.conf" "$run/client/krb5.conf"
    echo "$run" > "$run/.template_path"
    local ip; ip=$(sed -n 's/^\s*interfaces = \([0-9.]*\)\/.*/\1/p' "$run/etc/smb.conf")
    if [ -n "${DC_IP:-}" ] && [ "$DC_IP" != "$ip" ]; then
        sed -i "s#^\(\s*interfaces = \).*#\1$DC_IP/8#" "$run/etc/smb.conf"
        sed -i "s#= $ip\$#= $DC_IP#" "$run/client/krb5.conf"
        ip=$DC_IP
    fi
    echo "$ip" > "$run/ip"
    local services="-nbt -wrepl -drepl -ntp_signd -kcc -dnsupdate"
    [ "${DC_CLDAP:-1}" = 1 ] || services="$services -cldap"
    [ "${DC_DNS:-0}" = 1 ] || services="$services -dns"
    [ "${DC_SMB:-0}" = 1 ] || services="$services -s3fs -winbindd"
    sed -i "s#^\(\s*server services = \).*#\1$services#" "$run/etc/smb.conf"
    if [ -n "${DC_CONF:-}" ]; then              # extra [global] lines, e.g. "log level = 3"
        printf '%s\n' "$DC_CONF" | sed 's/^/\t/' > "$run/etc/extra.conf"
        sed -i "/^\[global\]/r $run/etc/extra.conf" "$run/etc/smb.conf"
    fi
    # Extra dcerpc_server modules: samba loads every .so in MODULESDIR/dcerpc_server
    # (compiled in, no smb.conf option), so overlay-mount them there inside the
    # DC's private mount namespace. Enable them with
    # DC_CONF="dcerpc endpoint servers = +NAME" (the name the module registers).
    local mods=""
    if [ -n "${DC_RPC_MODULES:-}" ]; then
        mkdir -p "$run/modules/dcerpc_server"
        cp "$DC_RPC_MODULES"/*.so "$run/modules/dcerpc_server/"
        mods=$(samba -b | sed -n 's/^ *MODULESDIR: //p')
    fi
    for p in 88 135; do ! port_open "$ip" "$p" || die "$ip:$p already in use"; done
    echo "copy: $(elapsed "$t0") s"

    # setsid: own process group (stop kills the group: samba + smbd + winbindd).
    # unshare -m: private mount namespace; bind RUNDIR/run over /run/samba so that the
    # compiled-in winbindd socket (/run/samba/winbindd) is per DC and not the system's,
    # and RUNDIR/log over /var/log/samba (smbd/winbindd log there before reading smb.conf).
    local t1; t1=$(now)
    setsid unshare -m --propagation private sh -c '
        mount --bind "$1/run" "$2" || exit 111
        [ ! -d /var/log/samba ] || mount --bind "$1/log" /var/log/samba || exit 113
        [ -z "$3" ] || mount -t overlay overlay -o "lowerdir=$1/modules:$3" "$3" || exit 112
        shift 3; exec "$@"' sh "$run" "$SAMBA_RUN_MNT" "$mods" \
        samba -s "$run/etc/smb.conf" -i -M "${DC_MODEL:-single}" --maximum-runtime="${DC_MAXRUNTIME:-3600}" \
        </dev/null >"$run/log/samba.out" 2>&1 &
    local pid=$!
    echo "$pid" > "$run/samba.pid"
    local deadline=$(( $(date +%s) + ${DC_START_TIMEOUT:-120} ))
    # ready = KDC (88) and endpoint mapper (135) accept connections; with DC_SMB=1 also
    # smbd (445) and winbindd's socket (smbd needs winbindd for every SMB session setup;
    # it shows up ~0.1 s after 88/135)
    ready() {
        port_open "$ip" 88 && port_open "$ip" 135 &&
        { [ "${DC_SMB:-0}" != 1 ] || { port_open "$ip" 445 && [ -S "$run/run/winbindd/pipe" ]; }; }
    }
    until ready; do
        if ! kill -0 "$pid" 2>/dev/null; then
            tail -30 "$run/log/samba.out" >&2; die "samba exited during start"
        fi
        [ "$(date +%s)" -lt "$deadline" ] || { cmd_stop "$run"; die "timeout waiting for $ip to become ready"; }
        sleep 0.05
    done
    echo "samba pid $pid ready on $ip: start $(elapsed "$t1") s, total $(elapsed "$t0") s"
}

cmd_stop() {
    [ $# -eq 1 ] || die "usage: dc.sh stop RUNDIR"
    local run; run=$(cd "$1" && pwd -P)
    local pid; pid=$(cat "$run/samba.pid" 2>/dev/null) || { echo "no pid file in $run"; return 0; }
    # samba's process group holds samba and its tfork helpers; smbd/winbindd call setsid()
    # (own session) but have "--configfile=RUNDIR/etc/smb.conf" on their command line.
    others() { pgrep -f -- "--configfile=$run/etc/smb.conf" || true; }
    local kids; kids=$(others)
    kill -TERM -- "-$pid" 2>/dev/null || true
    [ -z "$kids" ] || kill -TERM $kids 2>/dev/null || true
    local i
    for i in $(seq 100); do                       # up to 10 s
        pgrep -g "$pid" >/dev/null || [ -n "$(others)" ] || break
        sleep 0.1
    done
    kill -KILL -- "-$pid" 2>/dev/null || true
    kids=$(others); [ -z "$kids" ] || kill -KILL $kids 2>/dev/null || true
    local ip; ip=$(cat "$run/ip")
    for i in $(seq 300); do port_open "$ip" 88 || port_open "$ip" 135 || break; sleep 0.1; done
    rm -f "$run/samba.pid"
    echo "stopped $pid"
}

# ---------------------------------------------------------------- client helpers
cmd_env() {
    [ $# -eq 1 ] || die "usage: dc.sh env RUNDIR"
    local run; run=$(cd "$1" && pwd -P)
    sed 's/^/export /' "$run/accounts.env"
    echo "export DC_IP=$(cat "$run/ip" 2>/dev/null || echo "${DC_IP:-127.0.0.11}")"
    echo "export KRB5_CONFIG=$run/client/krb5.conf"
    echo "export DC_CLIENT_CONF=$run/client/smb.conf"
    local i
    for i in 1 2 3 4 5; do echo "export PEER${i}_KEYTAB=$run/client/peer$i.keytab"; done
}

cmd_selftest() {
    [ $# -eq 1 ] || die "usage: dc.sh selftest RUNDIR"
    local run; run=$(cd "$1" && pwd -P)
    eval "$(cmd_env "$run")"
    export KRB5CCNAME="FILE:$run/client/state/cc.peer1"
    local ok=0 bad=0 rid2
    rid2=$(printf '0x%x' "${PEER2_SID##*-}")
    check() { local name=$1 out; shift
        if out=$("$@" 2>&1); then ok=$((ok+1)); echo "PASS $name"
        else bad=$((bad+1)); echo "FAIL $name"; echo "$out" | tail -5; fi; }
    # rpcclient: take the ccache from $KRB5CCNAME with -N (--use-krb5-ccache=... alone
    # fails with NT_STATUS_INVALID_PARAMETER in 4.17)
    rpc() { rpcclient -s "$DC_CLIENT_CONF" --use-kerberos=required -N "$@"; }
    t_kinit()  { kinit -k -t "$PEER1_KEYTAB" "PEER1\$@$DC_REALM"; }
    t_alice()  { echo "$ALICE_PASS" | KRB5CCNAME="FILE:$run/client/state/cc.alice" \
                     kinit --password-file=STDIN "alice@$DC_REALM"; }
    # ncacn_ip_tcp: Kerberos needs a host name, not an IP -> target_hostname=.
    # (LSA OpenPolicy is refused over TCP by design; SAMR works.)
    t_rpc_tcp() { rpc "ncacn_ip_tcp:$DC_IP[sign,seal,target_hostname=$DC_HOST]" \
                     -c 'samlookupnames domain PEER2$' | grep -F "PEER2\$: $rid2"; }
    # ncacn_np over SMB: name the server by host name and give its address with -I.
    t_rpc_np()  { rpc -I "$DC_IP" "$DC_HOST" -c 'lookupnames PEER2$' | grep -F "$PEER2_SID"; }
    t_ldap()    { samba-tool computer show PEER2 -s "$DC_CLIENT_CONF" -H "ldap://$DC_IP" \
                     --use-kerberos=required --use-krb5-ccache="$KRB5CCNAME" \
                     --attributes=objectSid | grep -F "$PEER2_SID"; }
    check "kinit -k PEER1\$ (keytab)"        t_kinit
    check "kgetcred PEER2\$"                 kgetcred "PEER2\$@$DC_REALM"
    check "kgetcred HOST/peer2"              kgetcred "HOST/peer2.${DC_REALM,,}@$DC_REALM"
    check "kinit alice (password)"           t_alice
    check "rpc ncacn_ip_tcp krb5 samr"       t_rpc_tcp
    if grep -q -- '-s3fs' "$run/etc/smb.conf"; then echo "SKIP rpc ncacn_np (DC_SMB=0)"
    else check "rpc ncacn_np krb5 lsa"       t_rpc_np; fi
    check "ldap krb5 objectSid"              t_ldap
    echo "selftest: $ok passed, $bad failed"
    [ "$bad" = 0 ]
}

case "${1:-}" in
    template|start|stop|env|selftest) c=$1; shift; "cmd_$c" "$@" ;;
    *) sed -n '2,28p' "$0" >&2; exit 2 ;;
esac
