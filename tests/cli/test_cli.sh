#!/usr/bin/env bash
# test_cli.sh: the bpau command line, end to end: outputs, files, exit codes.
# Usage: test_cli.sh BUILD_DIR (or PATH/TO/bpau)
set -u
BPAU=${1:?usage: test_cli.sh BUILD_DIR}
[ -d "$BPAU" ] && BPAU=$BPAU/bpau
top=$(cd "$(dirname "$0")/../.." && pwd)
V="$top/tests/vectors/bpau"
work=$(mktemp -d /tmp/bpau-cli.XXXXXX)
trap 'rm -rf "$work"' EXIT
export BPAU_TABLE="$work/table.tdb"
ASSERT_DIR=$work
source "$top/tests/assert.sh"

run "help exits 0" 0 "$BPAU" help
has "help lists exit codes" '^  4  the table refused' "$work/out"
run "no arguments is a usage error" 2 "$BPAU"
run "unknown command" 2 "$BPAU" frobnicate
run "subcommand --help" 0 "$BPAU" blob decode --help
has "subcommand help text" 'Usage: bpau blob decode' "$work/out"

# The acceptance check: the Vista vector rebuilt byte for byte.
run "encode the Vista certificate" 0 "$BPAU" blob encode --cert "$V/vista-certificate.der" \
	--eku 1.3.6.1.5.5.7.3.1 --eku 1.3.6.1.5.5.7.3.2 --out "$work/vista.bin"
if cmp -s "$work/vista.bin" "$V/vista-certificate-blob.bin"; then ok "encode is byte-identical"
else bad "encode is byte-identical"; fi
run "encode to stdout" 0 sh -c "'$BPAU' blob encode --cert '$V/vista-certificate.der' > '$work/nok.bin'"
run "decode the Vista blob" 0 "$BPAU" blob decode "$V/vista-certificate-blob.bin"
has "decode shows the subject SID" 'Subject SID: S-1-5-21-397955417-626881126-188441444-3394717' "$work/out"
for p in SUBJECT_PUBLIC_KEY_MD5_HASH SIGNATURE_HASH SHA1_HASH ENHKEY_USAGE MD5_HASH KEY_IDENTIFIER; do
	has "decode shows $p" "^  $p " "$work/out"
done
has "decode names the EKUs" 'serverAuth.*clientAuth' "$work/out"
run "decode --json" 0 "$BPAU" blob decode --json "$V/vista-certificate-blob.bin"
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["certificate"]["subject_sid"]=="S-1-5-21-397955417-626881126-188441444-3394717"; assert [p["id"] for p in d["properties"]]==[25,15,3,9,4,20]' "$work/out"; then
	ok "decode --json is valid JSON with the SID and properties"; else bad "decode --json content"; fi

# Bad input: a clear error, exit 3.
head -c 100 "$V/vista-certificate-blob.bin" >"$work/trunc.bin"
run "truncated blob" 3 "$BPAU" blob decode "$work/trunc.bin"
has "truncated blob says why" 'not a valid CERTIFICATE_BLOB: ' "$work/err"
run "missing file" 5 "$BPAU" blob decode "$work/nonexistent"
run "encode a non-certificate" 3 "$BPAU" blob encode --cert "$V/vista-certificate-blob.bin" --out "$work/x.bin"
run "encode with a bad OID" 3 "$BPAU" blob encode --cert "$V/vista-certificate.der" --eku 1.99.3 --out "$work/x.bin"
run "encode an EC certificate" 3 "$BPAU" blob encode --cert "$top/tests/unit/data/ec-cert.der" --out "$work/x.bin"
has "EC refusal names the rule" 'not RSA' "$work/err"

# cert create
SID=S-1-5-21-1111-2222-3333-1104
run "cert create" 0 "$BPAU" cert create --sid "$SID" --dns peer1.bpau.test \
	--cert-out "$work/peer.der" --key-out "$work/peer.key"
if [ "$(stat -c %a "$work/peer.key")" = 600 ]; then ok "key file mode 0600"; else bad "key file mode"; fi
if openssl x509 -inform der -in "$work/peer.der" -noout -subject -issuer | grep -c "CN = $SID" | grep -q 2; then
	ok "subject and issuer are CN=SID"; else bad "subject and issuer are CN=SID"; fi
if openssl x509 -inform der -in "$work/peer.der" -noout -text | grep -q 'DNS:peer1.bpau.test'; then
	ok "DNS name in subjectAltName"; else bad "DNS name in subjectAltName"; fi
if openssl pkey -in "$work/peer.key" -noout 2>/dev/null; then ok "key is a valid private key"; else bad "key"; fi
run "cert create keeps an existing key" 5 "$BPAU" cert create --sid "$SID" \
	--cert-out "$work/peer2.der" --key-out "$work/peer.key"
has "and says so" 'use --force' "$work/err"
run "cert create with a bad SID" 3 "$BPAU" cert create --sid S-1-5 --cert-out "$work/y.der" --key-out "$work/y.key"
[ -e "$work/y.key" ] && bad "bad SID wrote a key" || ok "bad SID writes nothing"
run "cert create with --bits 1024" 2 "$BPAU" cert create --sid "$SID" --bits 1024

# table
run "encode the new certificate" 0 "$BPAU" blob encode --cert "$work/peer.der" --out "$work/peer.bin"
run "empty table check" 1 "$BPAU" table check "$work/peer.der"
run "table add" 0 "$BPAU" table add "$work/peer.bin" --principal 'PEER1$@BPAU.TEST'
has "table add reports added" "^$SID: added" "$work/out"
run "table check present" 0 "$BPAU" table check "$work/peer.der"
has "check names the SID" "TRUE: the certificate belongs to $SID" "$work/out"
run "table check another cert" 1 "$BPAU" table check "$V/vista-certificate.der"
run "table add the Vista blob" 0 "$BPAU" table add "$V/vista-certificate-blob.bin"
run "table add again replaces" 0 "$BPAU" table add "$V/vista-certificate-blob.bin"
has "replace reported" 'replaced' "$work/out"
run "table list" 0 "$BPAU" table list
has "list shows both" '^2 of 100 entries' "$work/out"
has "list shows the principal" 'PEER1\$@BPAU.TEST' "$work/out"
run "table list --json" 0 "$BPAU" table list --json
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d)==2 and d[0]["sid"]=="S-1-5-21-1111-2222-3333-1104"' "$work/out"; then
	ok "list --json"; else bad "list --json"; fi
cp "$BPAU_TABLE" "$work/before.tdb"
run "table add a malformed blob" 3 "$BPAU" table add "$work/trunc.bin"
if cmp -s "$BPAU_TABLE" "$work/before.tdb"; then ok "malformed add leaves the file untouched"; else bad "file changed"; fi
# A subject with more than the SID in it (CN=<SID>,O=x) is not a SID
# string: the servers and the client refuse it, and so does table add.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=S-1-5-21-1111-2222-3333-1200/O=x" \
	-keyout "$work/more.key" -outform DER -out "$work/more.der" 2>/dev/null
"$BPAU" blob encode --cert "$work/more.der" --out "$work/more.bin"
run "table add a CN=<SID>,O=x certificate" 3 "$BPAU" table add "$work/more.bin"
has "... saying the subject is not CN=<SID> alone" 'not CN=<SID> alone' "$work/err"
if cmp -s "$BPAU_TABLE" "$work/before.tdb"; then ok "... and leaves the file untouched"; else bad "file changed"; fi
run "table add into an empty capacity-1 table" 0 "$BPAU" table add "$work/peer.bin" --capacity 1 \
	--table "$work/one.tdb" --principal x
run "second SID within a minute" 4 "$BPAU" table add "$V/vista-certificate-blob.bin" --capacity 1 --table "$work/one.tdb"
has "refusal says why" 'younger than a minute' "$work/err"
# The capacity is the table's: recorded by its writer, used without --capacity.
run "list a capacity-1 table" 0 "$BPAU" table list --table "$work/one.tdb"
has "list shows the recorded capacity" '^1 of 1 entries' "$work/out"
run "no --capacity: the table's own limit" 4 "$BPAU" table add "$V/vista-certificate-blob.bin" --table "$work/one.tdb"
run "a new --capacity is taken and recorded" 0 "$BPAU" table add "$V/vista-certificate-blob.bin" --capacity 2 --table "$work/one.tdb"
run "list after it" 0 "$BPAU" table list --table "$work/one.tdb"
has "list shows the new capacity" '^2 of 2 entries' "$work/out"
run "table remove" 0 "$BPAU" table remove "$SID"
run "removed cert no longer verifies" 1 "$BPAU" table check "$work/peer.der"
run "remove absent SID" 1 "$BPAU" table remove "$SID"
run "remove with a bad SID" 3 "$BPAU" table remove "S-1-5-x"
run "table in a missing directory" 5 "$BPAU" table list --table /nonexistent/dir/t.tdb

# A file that is not a table is refused and left as it was (tdb_open with
# O_CREAT would otherwise replace it with an empty database).
printf 'not a table\n' >"$work/notes.txt"
cp "$work/notes.txt" "$work/notes.orig"
for cmd in list check remove add; do
	case $cmd in
	list) args=() ;;
	check) args=("$work/peer.der") ;;
	remove) args=("$SID") ;;
	add) args=("$work/peer.bin") ;;
	esac
	run "table $cmd on a text file" 3 "$BPAU" table "$cmd" "${args[@]}" --table "$work/notes.txt"
	has "table $cmd on a text file says why" 'not a tdb file' "$work/err"
done
same "the text file is unchanged" "$work/notes.txt" "$work/notes.orig"
printf 'create %s\ninsert k v\nquit\n' "$work/other.tdb" | tdbtool >/dev/null
cp "$work/other.tdb" "$work/other.orig"
run "table add into another program's tdb" 3 "$BPAU" table add "$work/peer.bin" --table "$work/other.tdb"
has "another tdb is named as such" 'a tdb file of something else' "$work/err"
run "table list of another program's tdb" 3 "$BPAU" table list --table "$work/other.tdb"
same "the other tdb is unchanged" "$work/other.tdb" "$work/other.orig"
run "a directory as the table" 3 "$BPAU" table list --table "$work"
has "a directory is named as such" 'not a regular file' "$work/err"
mkdir -p "$work/ex"
cp "$work/notes.orig" "$work/ex/notes.txt"
run "exchange with a --table that is not a table" 3 "$BPAU" exchange dc1.bpau.test \
	--principal 'dc1$@BPAU.TEST' --cert "$work/peer.der" --table "$work/ex/notes.txt"
has "exchange names the table" 'cannot open the table .*notes.txt: not a tdb file' "$work/err"
same "the file given as the table is unchanged" "$work/ex/notes.txt" "$work/notes.orig"
# A full disk: the insert is refused as such and the table stays as it
# was (a 64 KiB tmpfs in a private mount namespace; tdb's first growth of a
# new table needs about 530 KiB).
if unshare -m true 2>/dev/null; then
	run "table add on a full disk" 5 unshare -m sh -c "mount -t tmpfs -o size=64k tmpfs '$work/ex' || exit 99
		'$BPAU' table add '$work/peer.bin' --table '$work/ex/full.tdb'; rc=\$?
		'$BPAU' table list --table '$work/ex/full.tdb' >&2; exit \$rc"
	has "a full disk is named as such" 'NT_STATUS_DISK_FULL' "$work/err"
	has "and the table is still empty" '^0 of 100 entries' "$work/err"
else
	echo "skip table add on a full disk (no mount namespace here)"
fi
# A damaged record is listed by its SID and can be removed.
run "table add for the damage test" 0 "$BPAU" table add "$work/peer.bin" --table "$work/dmg.tdb"
printf 'open %s\nstore S:%s rot\nquit\n' "$work/dmg.tdb" "$SID" | tdbtool >/dev/null
run "table list with a damaged record" 0 "$BPAU" table list --table "$work/dmg.tdb"
has "the damaged record is named" "$SID +\(damaged record; 'bpau table remove $SID' deletes it\)" "$work/out"
run "remove the damaged record" 0 "$BPAU" table remove "$SID" --table "$work/dmg.tdb"
run "list after the removal" 0 "$BPAU" table list --table "$work/dmg.tdb"
has "the table is empty again" '^0 of 100 entries' "$work/out"
# Reading a table that does not exist yet creates nothing.
run "list a table not created yet" 0 "$BPAU" table list --table "$work/later.tdb"
has "list says there is no file yet" '^0 of 100 entries in .*(no table file yet)' "$work/out"
run "check against a table not created yet" 1 "$BPAU" table check "$work/peer.der" --table "$work/later.tdb"
run "remove from a table not created yet" 1 "$BPAU" table remove "$SID" --table "$work/later.tdb"
[ -e "$work/later.tdb" ] && bad "reading created the table file" || ok "reading creates no table file"
# An empty file (created, say, by touch) becomes a table.
: >"$work/empty.tdb"
run "table add into an empty file" 0 "$BPAU" table add "$work/peer.bin" --table "$work/empty.tdb" --principal x
run "the empty file is now a table" 0 "$BPAU" table check "$work/peer.der" --table "$work/empty.tdb"

# The client is on Samba's client library (libdcerpc) and its pidl stubs,
# and checks Kerberos tokens itself (rpc/samba_compat/gss_seq_check.c).
if ldd "$BPAU" | grep -q 'libdcerpc\.so'; then ok "bpau links libdcerpc"
else bad "bpau does not link libdcerpc"; fi
if nm -D --defined-only "$BPAU" | grep -q ' T gss_unwrap_iov$' &&
	nm -D --defined-only "$BPAU" | grep -q ' T gss_verify_mic$'; then
	ok "bpau exports its gss_unwrap_iov and gss_verify_mic checks"
else bad "bpau does not export gss_unwrap_iov and gss_verify_mic"; fi
# Options that are gone are unknown, not ignored.
for opt in "--sid-cache x" "--sid-cache-ttl 0" "--endpoint-cache-ttl 0" --no-client-cert; do
	# shellcheck disable=SC2086
	run "exchange $opt is an unknown option" 2 "$BPAU" exchange h.example --cert x $opt
	has "... said so" 'unrecognized option' "$work/err"
done
run "exchange --help explains the SID lookup" 0 "$BPAU" exchange --help
has "... winbind, else --dc" 'winbind' "$work/out"
if grep -qE 'sid-cache|endpoint-cache|no-client-cert' "$work/out"; then bad "... but names a removed option"
else ok "... and names no removed option"; fi
run "exchange without --dc on a host without winbind: refused before connecting" 8 "$BPAU" \
	exchange no-such-host.invalid --cert "$work/peer.der" --table "$work/x.tdb" --timeout 2
has "... saying to give --dc" 'give --dc' "$work/err"
run "exchange to an unresolvable host fails cleanly" 6 "$BPAU" exchange no-such-host.invalid \
	--cert "$work/peer.der" --table "$work/x.tdb" --timeout 2 --server-sid S-1-5-21-1-2-3-1000
has "... and says so" 'cannot connect to no-such-host\.invalid.*NT_STATUS_OBJECT_NAME_NOT_FOUND' "$work/err"
# A bad --server-sid is refused before anything goes out: the server must
# not insert our certificate for an exchange we then give up.
run "exchange with a malformed --server-sid: refused before connecting" 3 "$BPAU" exchange \
	no-such-host.invalid --cert "$work/peer.der" --table "$work/x.tdb" --timeout 2 \
	--server-sid S-1-5-21-x
has "... naming the option, not the host" '\-\-server-sid: ' "$work/err"

summary cli
