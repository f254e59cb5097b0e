#!/usr/bin/python3
"""micproxy.py LISTEN_IP TARGET_IP TARGET_PORT pass|forge: a TCP proxy for
one DCE/RPC connection at auth level integrity.  Prints its port, then
forwards.  With "forge", every request whose auth token is an RFC 4121 MIC
token (04 04) goes on as someone on the path without the key would make
it: the stub (in clear at integrity) unchanged, the token's sequence number
5 ahead and its checksum garbage.  A server must refuse such a request."""
import select, socket, sys

def main():
    lip, tip, tport, mode = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((lip, 0))
    ls.listen(1)
    print(ls.getsockname()[1], flush=True)
    ls.settimeout(30)
    c, _ = ls.accept()
    s = socket.create_connection((tip, tport), timeout=30)
    buf = b''
    forged = 0
    while True:
        r, _, _ = select.select([c, s], [], [], 30)
        if not r:
            break
        if s in r:
            d = s.recv(65536)
            if not d:
                break
            c.sendall(d)
        if c in r:
            d = c.recv(65536)
            if not d:
                break
            buf += d
            while len(buf) >= 16 and len(buf) >= int.from_bytes(buf[8:10], 'little'):
                n = int.from_bytes(buf[8:10], 'little')
                pdu, buf = bytearray(buf[:n]), buf[n:]
                alen = int.from_bytes(pdu[10:12], 'little')
                if mode == 'forge' and pdu[2] == 0 and alen >= 28:
                    t = n - alen
                    if pdu[t:t + 2] == b'\x04\x04':
                        seq = int.from_bytes(pdu[t + 8:t + 16], 'big') + 5
                        pdu[t + 8:t + 16] = seq.to_bytes(8, 'big')
                        pdu[t + 16:t + 28] = b'\x41' * 12
                        forged += 1
                s.sendall(bytes(pdu))
    sys.stderr.write('micproxy: %d request(s) forged\n' % forged)

main()
