#!/usr/bin/python3
"""tokenproxy.py LISTEN_IP TARGET_IP TARGET_PORT MODE [K]: a TCP proxy for
one DCE/RPC connection with Kerberos per-message tokens (privacy: RFC 4121
wrap tokens 05 04; integrity: MIC tokens 04 04).  Prints its port, then
forwards.  At the K'th request (default 1; responses for the *-response
modes) it does as someone on the path without the key could:

  pass              nothing
  tamper            flips one bit of the sealed (or signed) stub
  replay            sends request K-1 again in place of request K (K > 1)
  forge             the stub in clear (zeros: ClientKeyLength 0 and a NULL
                    ClientKey, or an S_OK response with no key), lengths
                    kept, the token's SND_SEQ 5 ahead and the rest of the
                    token garbage: what Heimdal answers GSS_S_GAP_TOKEN
                    before checking (rpc/samba_compat/gss_seq_check.c)
  tamper-response, forge-response   the same on the K'th response
  tamper-bind-ack   flips one bit in the last byte of the auth_value of the
                    K'th bind_ack or alter_context_resp (server to client):
                    with Kerberos, inside the encrypted part of the AP-REP
                    by which the server proves it holds the key (mutual
                    authentication, RFC 4120 3.2.5)

Says on standard error what it did: "tokenproxy: MODE at K: N PDU(s)"."""
import select, socket, sys

REQUEST, RESPONSE = 0, 2
BIND_ACK, ALTER_CONTEXT_RESP = 12, 15
HDR = 24  # common header + alloc_hint, context id, opnum / cancel count


def forge(pdu):
    n = len(pdu)
    alen = int.from_bytes(pdu[10:12], 'little')
    tok = n - alen
    if alen < 28 or pdu[tok:tok + 2] not in (b'\x05\x04', b'\x04\x04'):
        return False
    stub_end = tok - 8  # the auth trailer before the token
    pdu[HDR:stub_end] = bytes(stub_end - HDR)
    seq = int.from_bytes(pdu[tok + 8:tok + 16], 'big') + 5
    pdu[tok + 8:tok + 16] = seq.to_bytes(8, 'big')
    pdu[tok + 16:n] = b'\x41' * (n - tok - 16)
    return True


def main():
    lip, tip, tport, mode = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    k = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    which = RESPONSE if mode.endswith('-response') else REQUEST
    bind_acks = 0
    action = mode.replace('-response', '')
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((lip, 0))
    ls.listen(1)
    print(ls.getsockname()[1], flush=True)
    ls.settimeout(30)
    c, _ = ls.accept()
    s = socket.create_connection((tip, tport), timeout=30)
    bufs = {c: b'', s: b''}
    seen = {REQUEST: 0, RESPONSE: 0}
    previous = None
    done = 0
    while True:
        r, _, _ = select.select([c, s], [], [], 30)
        if not r:
            break
        closed = False
        for src in r:
            dst = s if src is c else c
            d = src.recv(65536)
            if not d:
                closed = True
                break
            bufs[src] += d
            buf = bufs[src]
            while len(buf) >= 16 and len(buf) >= int.from_bytes(buf[8:10], 'little'):
                n = int.from_bytes(buf[8:10], 'little')
                pdu, buf = bytearray(buf[:n]), buf[n:]
                ptype = pdu[2]
                alen = int.from_bytes(pdu[10:12], 'little')
                if mode == 'tamper-bind-ack' and src is s and ptype in (BIND_ACK, ALTER_CONTEXT_RESP):
                    bind_acks += 1
                    if bind_acks == k and 0 < alen < n - 16:
                        pdu[n - 1] ^= 0x01
                        done += 1
                elif ptype in (REQUEST, RESPONSE) and pdu[3] & 0x01:  # first fragment
                    seen[ptype] += 1
                    if ptype == which and seen[ptype] == k and action != 'pass':
                        if action == 'tamper' and n > HDR:
                            pdu[HDR] ^= 0x01
                            done += 1
                        elif action == 'replay' and previous is not None:
                            pdu = bytearray(previous)
                            done += 1
                        elif action == 'forge' and forge(pdu):
                            done += 1
                    if ptype == REQUEST:
                        previous = bytes(pdu)
                dst.sendall(bytes(pdu))
            bufs[src] = buf
        if closed:
            break
    sys.stderr.write('tokenproxy: %s at %d: %d PDU(s)\n' % (mode, k, done))


main()
