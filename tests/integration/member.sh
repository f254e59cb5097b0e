#!/usr/bin/env bash
# member.sh - a throwaway Linux domain member (net ads join + winbindd, Samba 4.17,
# Debian 12) of the dc.sh test domain, for integration tests.
#
#   member.sh template DCTEMPLATE [NAME]   join NAME (default member1) ONCE: start a copy
#                                 of the DC template, `net ads join`, stop it, fold the
#                                 DC's sam.ldb (with the new computer account) back into
#                                 DCTEMPLATE and keep the member (secrets.tdb, keytab,
#                                 smb.conf) in DCTEMPLATE/members/NAME  (~5 s)
#   member.sh start DCRUN NAME RUNDIR  copy DCRUN/members/NAME (dc.sh start copies it along
#                                 from the template) to RUNDIR, point it at the DC running in
#                                 DCRUN, start winbindd, wait for `wbinfo --ping-dc` (~1.2 s)
#   member.sh stop RUNDIR         stop the member's winbindd and its namespace
#   member.sh exec RUNDIR -- CMD...  run CMD "on the member": in its mount+UTS namespace
#                                 (nsenter), with its environment (member.sh env)
#   member.sh env RUNDIR          print shell exports (MEMBER_*, KRB5_CONFIG, KRB5_KTNAME)
#   member.sh selftest RUNDIR     wbinfo/kinit/NTLM checks against the running member
#
# The DC must run with DC_SMB=1 (the join's SAMR calls and winbindd's NETLOGON go over
# ncacn_np) and cldap (dc.sh's default; net ads join and winbindd find and check the DC
# with CLDAP netlogon pings).
#
# Knobs (template): MEMBER_IP=127.0.0.31   the member's address (kept in its smb.conf)
#                   MEMBER_JOIN_DC_IP=127.0.0.32  address of the DC copy used for the join
#                                        (not the shared 127.0.0.11/12)
# Knobs (start):    MEMBER_IP            this copy's address (default: the template's)
#                   MEMBER_CONF          extra [global] smb.conf lines (newline separated)
#                   MEMBER_START_TIMEOUT=120  seconds to wait for readiness (a busy machine)
# Both:             MEMBER_DEBUG=1       debug level of net and winbindd (log: RUNDIR/log/)
#                   MEMBER_KEEP=         1 = keep a failed join's directory
# One running copy per joined member (they share its machine account and secure channel):
# join member1, member2, ... for members that run at the same time.
#
# The member as an administrator would set it up: security = ads, idmap tdb (*) + rid
# (domain), kerberos method = dedicated keytab (RUNDIR/private/krb5.keytab: MEMBER1$,
# host/member1.bpau.test, host/MEMBER1, ... with AES keys; usable as an acceptor keytab,
# e.g. bpaud --keytab), its own krb5.conf with the DC as KDC.  Every path lives in the
# member's directory.  winbindd runs in a private mount + UTS namespace (hostname = the
# member's name) in which the member's dirs are bind-mounted over the compiled-in ones:
#   RUNDIR/run -> /run/samba (winbindd's client socket dir /run/samba/winbindd is compiled
#   in), RUNDIR/log -> /var/log/samba, RUNDIR/state -> /var/lib/samba, RUNDIR/etc ->
#   /etc/samba (RUNDIR/etc/smb.conf is the member's /etc/samba/smb.conf),
#   RUNDIR/etc/krb5.conf -> /etc/krb5.conf, RUNDIR/etc/hosts -> /etc/hosts (DC and member
#   names; the member has no DNS for the test realm, like an admin's static /etc/hosts).
# The namespace is held by a shell whose child is winbindd (pid in RUNDIR/ns.pid);
# `member.sh exec` enters it with nsenter; `member.sh stop` kills the holder's process group
# and whatever else names RUNDIR/ on its command line (samba-dcerpcd, which winbindd starts
# on demand, a bpaud started with --keytab RUNDIR/...).  Never touches the host's /etc/samba,
# /var/lib/samba, /run/samba or /etc/krb5.keytab.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DC_SH="$HERE/dc.sh"

die() { echo "member.sh: $*" >&2; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
getenvval() { sed -n "s/^$2=//p" "$1" | tr -d "'"; }

# write_member_conf DIR NAME IP REALM DOMAIN DCFQDN DCIP
write_member_conf() {
    local dir=$1 name=$2 ip=$3 realm=$4 domain=$5 dcfqdn=$6 dcip=$7
    local lrealm=${realm,,} d
    for d in etc run log state lock cache private bind-dns usershares; do mkdir -p "$dir/$d"; done
    cat > "$dir/etc/smb.conf" <<EOF
[global]
	security = ads
	realm = $realm
	workgroup = $domain
	netbios name = ${name^^}
	server role = member server
	interfaces = $ip/8
	bind interfaces only = yes
	# No DNS for the test realm on the member: the DC is named here and resolved
	# through /etc/hosts (bind-mounted in the member's namespace).
	password server = $dcfqdn
	name resolve order = host
	disable netbios = yes
	kerberos method = dedicated keytab
	dedicated keytab file = FILE:$dir/private/krb5.keytab
	# no machine password change during a run (and the template stays valid)
	machine password timeout = 0
	idmap config * : backend = tdb
	idmap config * : range = 3000-7999
	idmap config $domain : backend = rid
	idmap config $domain : range = 10000-999999
	winbind use default domain = no
	winbind refresh tickets = no
	template shell = /bin/sh
	lock directory = $dir/lock
	state directory = $dir/state
	cache directory = $dir/cache
	private dir = $dir/private
	pid directory = $dir/run
	ncalrpc dir = $dir/run/ncalrpc
	binddns dir = $dir/bind-dns
	usershare path = $dir/usershares
	winbindd socket directory = $dir/run/winbindd
	log file = $dir/log/log.%m
	max log size = 0
	panic action =
EOF
    cat > "$dir/etc/krb5.conf" <<EOF
[libdefaults]
	default_realm = $realm
	dns_lookup_realm = false
	dns_lookup_kdc = false
	rdns = false
	dns_canonicalize_hostname = false
	default_keytab_name = FILE:$dir/private/krb5.keytab

[realms]
	$realm = {
		kdc = $dcip
		admin_server = $dcip
		kpasswd_server = $dcip
	}

[domain_realm]
	.$lrealm = $realm
	$lrealm = $realm
EOF
    write_hosts "$dir" "$name" "$ip" "$dcfqdn" "$dcip"
}

write_hosts() {
    local dir=$1 name=$2 ip=$3 dcfqdn=$4 dcip=$5
    cat > "$dir/etc/hosts" <<EOF
127.0.0.1	localhost
$dcip	$dcfqdn ${dcfqdn%%.*}
$ip	${name,,}.${dcfqdn#*.} ${name,,}
EOF
}

# in_ns DIR CMD...: exec CMD in a new private mount + UTS namespace laid out as the
# member (exec: the caller's pid becomes the namespace's; call it in a subshell).
in_ns() {
    local dir=$1; shift
    local name; name=$(sed -n 's/^\s*netbios name = //p' "$dir/etc/smb.conf")
    exec unshare -m -u --propagation private sh -c '
        d=$1; h=$2; shift 2
        mount --bind "$d/run" /run/samba || exit 111
        [ ! -d /var/log/samba ] || mount --bind "$d/log" /var/log/samba || exit 112
        mount --bind "$d/state" /var/lib/samba || exit 113
        mount --bind "$d/etc" /etc/samba || exit 114
        mount --bind "$d/etc/krb5.conf" /etc/krb5.conf || exit 115
        mount --bind "$d/etc/hosts" /etc/hosts || exit 116
        hostname "$h" || exit 117
        exec "$@"' sh "$dir" "${name,,}" "$@"
}

member_env() { # DIR: the environment of a process on the member
    local dir=$1
    echo "export KRB5_CONFIG=$dir/etc/krb5.conf"
    echo "export KRB5_KTNAME=FILE:$dir/private/krb5.keytab"
    echo "export MEMBER_DIR=$dir"
    echo "export MEMBER_CONF=$dir/etc/smb.conf"
    echo "export MEMBER_KEYTAB=$dir/private/krb5.keytab"
    sed 's/^/export /' "$dir/member.env"
    [ ! -f "$dir/ip" ] || echo "export MEMBER_IP=$(cat "$dir/ip")"
    [ ! -f "$dir/dc_ip" ] || echo "export MEMBER_DC_IP=$(cat "$dir/dc_ip")"
}

# ---------------------------------------------------------------- template
cmd_template() {
    [ $# -ge 1 ] && [ $# -le 2 ] || die "usage: member.sh template DCTEMPLATE [NAME]"
    [ -f "$1/.template_path" ] || die "$1 is not a DC template"
    [ "$(id -u)" = 0 ] || die "must run as root"
    local tpl; tpl=$(cd "$1" && pwd -P)
    local name=${2:-member1} ip=${MEMBER_IP:-127.0.0.31} dcip=${MEMBER_JOIN_DC_IP:-127.0.0.32}
    local NAME=${name^^}
    local dir="$tpl/members/$name"
    [ ! -e "$dir" ] || die "$dir exists"
    local realm domain dcfqdn adminpass
    realm=$(getenvval "$tpl/accounts.env" DC_REALM)
    domain=$(getenvval "$tpl/accounts.env" DC_DOMAIN)
    dcfqdn=$(getenvval "$tpl/accounts.env" DC_HOST)
    adminpass=$(getenvval "$tpl/accounts.env" DC_ADMINPASS)
    local t0; t0=$(now)
    local dcrun="$tpl.join.$$"
    # whatever happens, the join's DC copy does not outlive this command
    trap '"$DC_SH" stop "'"$dcrun"'" >/dev/null 2>&1 || true; rm -rf "'"$dcrun"'"' EXIT
    # The DC copy must not carry members/ of an earlier join into itself: fine, it is
    # thrown away after its sam.ldb is folded back.
    DC_IP=$dcip DC_SMB=1 DC_CLDAP=1 DC_MAXRUNTIME=300 "$DC_SH" start "$tpl" "$dcrun" \
        > "$tpl/log/join-dc.log" 2>&1 || { cat "$tpl/log/join-dc.log"; die "DC start failed"; }
    local tdc; tdc=$(elapsed "$t0")
    local rc=0
    mkdir -p "$dir"
    write_member_conf "$dir" "$name" "$ip" "$realm" "$domain" "$dcfqdn" "$dcip"
    echo "$ip" > "$dir/ip"
    local t1; t1=$(now)
    # -S: the DC by name (resolved through the member's /etc/hosts): without it the join
    #     looks the DC up by DNS SRV records (dsgetdcname ignores 'password server').
    # --no-dns-updates: the test DC serves no DNS by default and the member has no
    # resolver for the realm.  -U: the domain administrator of the throwaway domain.
    ( in_ns "$dir" net ads join -s "$dir/etc/smb.conf" -S "$dcfqdn" -U "Administrator%$adminpass" \
        --no-dns-updates -d "${MEMBER_DEBUG:-1}" ) > "$dir/log/join.log" 2>&1 || rc=$?
    # The machine keytab (dedicated keytab file): MEMBER1$ and its SPNs (host/...), from
    # the machine password in secrets.tdb (-P).  net ads join of 4.17 writes none by itself.
    [ "$rc" != 0 ] || ( in_ns "$dir" net ads keytab create -P -s "$dir/etc/smb.conf" \
        -d "${MEMBER_DEBUG:-1}" ) >> "$dir/log/join.log" 2>&1 || rc=$?
    local tjoin t2; tjoin=$(elapsed "$t1"); t2=$(now)
    "$DC_SH" stop "$dcrun" >> "$tpl/log/join-dc.log" 2>&1 || true
    echo "DC start: $tdc s, join + keytab: $tjoin s (rc $rc), DC stop: $(elapsed "$t2") s"
    if [ "$rc" != 0 ]; then
        cat "$dir/log/join.log" >&2
        [ -n "${MEMBER_KEEP:-}" ] || rm -rf "$dcrun" "$dir"; die "net ads join failed"
    fi
    # Fold the DC's database (now with the member's computer account) back into the
    # template: sam.ldb and its partitions hold no absolute paths.
    cp -a "$dcrun/private/sam.ldb" "$tpl/private/"
    rm -rf "$tpl/private/sam.ldb.d"
    cp -a "$dcrun/private/sam.ldb.d" "$tpl/private/"
    rm -rf "$dcrun"
    local sid
    sid=$(/usr/bin/python3 -c '
import sys, ldb
from samba.samdb import SamDB
from samba.param import LoadParm
from samba.auth import system_session
from samba.ndr import ndr_unpack
from samba.dcerpc import security
lp = LoadParm(); lp.load(sys.argv[1])
db = SamDB(url=lp.private_path("sam.ldb"), session_info=system_session(), lp=lp)
res = db.search(db.domain_dn(), ldb.SCOPE_SUBTREE,
                "(sAMAccountName=%s)" % ldb.binary_encode(sys.argv[2]), ["objectSid"])
print(ndr_unpack(security.dom_sid, res[0]["objectSid"][0]))' "$tpl/etc/smb.conf" "$NAME\$" 2>"$dir/log/sid.log") ||
        { cat "$dir/log/sid.log" >&2; die "no objectSid for $NAME\$ in the DC's sam.ldb"; }
    local lrealm=${realm,,}
    {
        echo "MEMBER_NAME=$NAME"
        echo "MEMBER_FQDN=$name.$lrealm"
        echo "MEMBER_PRINCIPAL='$NAME\$@$realm'"
        echo "MEMBER_SID=$sid"
    } > "$dir/member.env"
    # Nothing of the join's run is kept but the secrets, the keytab and the config.
    rm -rf "${dir:?}/run/"* "$dir/log/log."* "$dir/cache/"* "$dir/lock/"*
    echo "$dir" > "$dir/.template_path"
    echo "member template $NAME ready in $dir ($(elapsed "$t0") s)"
}

# ---------------------------------------------------------------- start / stop
cmd_start() {
    [ $# -eq 3 ] || die "usage: member.sh start DCRUN NAME RUNDIR"
    local dcrun; dcrun=$(cd "$1" && pwd -P)
    local src="$dcrun/members/$2"
    [ -f "$src/.template_path" ] || die "$src: no member template (member.sh template first)"
    [ ! -e "$3" ] || die "$3 already exists"
    [ "$(id -u)" = 0 ] || die "must run as root"
    local dcip; dcip=$(cat "$dcrun/ip") || die "$dcrun: no DC ip (not started?)"
    port_open "$dcip" 445 || die "DC $dcip: no smbd on 445 (start the DC with DC_SMB=1)"
    local t0; t0=$(now)
    local tpl; tpl=$(cat "$src/.template_path")
    mkdir -p "$(dirname "$3")"
    cp -a "$src" "$3"
    local run; run=$(cd "$3" && pwd -P)
    sed -i "s#$tpl#$run#g" "$run/etc/smb.conf" "$run/etc/krb5.conf"
    echo "$run" > "$run/.template_path"
    local ip; ip=$(cat "$run/ip")
    if [ -n "${MEMBER_IP:-}" ] && [ "$MEMBER_IP" != "$ip" ]; then
        sed -i "s#^\(\s*interfaces = \).*#\1$MEMBER_IP/8#" "$run/etc/smb.conf"
        ip=$MEMBER_IP; echo "$ip" > "$run/ip"
    fi
    echo "$dcip" > "$run/dc_ip"
    local oldip; oldip=$(sed -n 's/^\s*kdc = //p' "$run/etc/krb5.conf")
    sed -i "s#= $oldip\$#= $dcip#" "$run/etc/krb5.conf"
    local name dcfqdn
    name=$(sed -n 's/^\s*netbios name = //p' "$run/etc/smb.conf")
    dcfqdn=$(sed -n 's/^\s*password server = //p' "$run/etc/smb.conf")
    write_hosts "$run" "$name" "$ip" "$dcfqdn" "$dcip"
    if [ -n "${MEMBER_CONF:-}" ]; then
        printf '%s\n' "$MEMBER_CONF" | sed 's/^/\t/' > "$run/etc/extra.conf"
        sed -i "/^\[global\]/r $run/etc/extra.conf" "$run/etc/smb.conf"
    fi

    # The namespace holder: a shell in the member's namespace whose child is winbindd
    # (foreground, in the holder's process group: stop kills the group).
    local t1; t1=$(now)
    setsid bash -c "$(declare -f in_ns); in_ns \"\$@\"" in_ns "$run" \
        sh -c 'winbindd -F --no-process-group -s "$1" --debug-stdout -d "${2:-1}" </dev/null; echo "winbindd exited: $?"' \
        sh "$run/etc/smb.conf" "${MEMBER_DEBUG:-1}" >"$run/log/winbindd.out" 2>&1 &
    local pid=$!
    echo "$pid" > "$run/ns.pid"
    local deadline=$(( $(date +%s) + ${MEMBER_START_TIMEOUT:-120} ))
    local step=socket tsock tping
    while :; do
        if ! kill -0 "$pid" 2>/dev/null; then
            tail -30 "$run/log/winbindd.out" >&2; die "winbindd exited during start"
        fi
        case $step in
        socket) [ -S "$run/run/winbindd/pipe" ] && step=ping && tsock=$(elapsed "$t1") ;;
        ping)   cmd_exec "$run" -- wbinfo -p >/dev/null 2>&1 && step=dc && tping=$(elapsed "$t1") ;;
        dc)     cmd_exec "$run" -- wbinfo --ping-dc >"$run/log/ping-dc.out" 2>&1 && break ;;
        esac
        [ "$(date +%s)" -lt "$deadline" ] ||
            { cat "$run/log/ping-dc.out" 2>/dev/null >&2; cmd_stop "$run"; die "timeout waiting for winbindd ($step)"; }
        [ $step = dc ] && sleep 0.1 || sleep 0.02
    done
    echo "member $name (winbindd under ns pid $pid) ready on $ip, DC $dcip: start $(elapsed "$t1") s (socket $tsock, wbinfo -p $tping), total $(elapsed "$t0") s"
}

cmd_stop() {
    [ $# -eq 1 ] || die "usage: member.sh stop RUNDIR"
    local run; run=$(cd "$1" && pwd -P)
    local pid; pid=$(cat "$run/ns.pid" 2>/dev/null) || { echo "no ns.pid in $run"; return 0; }
    # winbindd and its domain children carry "-s RUNDIR/etc/smb.conf" on their command
    # line; anything started with `member.sh exec` that names RUNDIR goes too.
    others() { pgrep -f -- "$run/" || true; }
    kill -TERM -- "-$pid" 2>/dev/null || true
    local kids; kids=$(others); [ -z "$kids" ] || kill -TERM $kids 2>/dev/null || true
    local _
    for _ in $(seq 50); do
        pgrep -g "$pid" >/dev/null || [ -n "$(others)" ] || break
        sleep 0.1
    done
    kill -KILL -- "-$pid" 2>/dev/null || true
    kids=$(others); [ -z "$kids" ] || kill -KILL $kids 2>/dev/null || true
    rm -f "$run/ns.pid"
    echo "stopped member $pid"
}

# ---------------------------------------------------------------- on the member
cmd_exec() {
    [ $# -ge 3 ] && [ "$2" = -- ] || die "usage: member.sh exec RUNDIR -- CMD..."
    local run; run=$(cd "$1" && pwd -P); shift 2
    local pid; pid=$(cat "$run/ns.pid" 2>/dev/null) || die "$run: member not running"
    eval "$(member_env "$run")"
    nsenter --target "$pid" --mount --uts -- "$@"
}

cmd_env() {
    [ $# -eq 1 ] || die "usage: member.sh env RUNDIR"
    local run; run=$(cd "$1" && pwd -P)
    member_env "$run"
}

cmd_selftest() {
    [ $# -eq 1 ] || die "usage: member.sh selftest RUNDIR"
    local run; run=$(cd "$1" && pwd -P)
    local ok=0 bad=0
    check() { local name=$1 out; shift
        if out=$("$@" 2>&1); then ok=$((ok+1)); echo "PASS $name"
        else bad=$((bad+1)); echo "FAIL $name"; echo "$out" | tail -5; fi; }
    on() { cmd_exec "$run" -- "$@"; }
    check "wbinfo -p"          on wbinfo -p
    check "wbinfo --ping-dc"   on wbinfo --ping-dc
    check "wbinfo -t"          on wbinfo -t
    check "ktutil list (keytab)" on ktutil list
    check "kinit -k MEMBER\$"  on env KRB5CCNAME="FILE:$run/cc.selftest" kinit -k \
        "$(sed -n "s/^MEMBER_PRINCIPAL='\(.*\)'/\1/p" "$run/member.env")"
    echo "selftest: $ok passed, $bad failed"
    [ "$bad" = 0 ]
}

case "${1:-}" in
    template|start|stop|exec|env|selftest) c=$1; shift; "cmd_$c" "$@" ;;
    *) sed -n '2,50p' "$0" >&2; exit 2 ;;
esac
