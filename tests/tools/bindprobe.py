#!/usr/bin/python3
"""bindprobe.py HOST PORT: send hand-built DCE/RPC binds offering NDR, NDR64
and bind-time feature negotiation in different layouts; print the bind_ack's
per-context results.  (Raw bytes per C706 12.6 / MS-RPCE 2.2.2.14.)"""
import socket, struct, sys, uuid

IFACE = (uuid.UUID('e3d0d746-d2af-40fd-8a7a-0d7078bb7092'), 1)
NDR = (uuid.UUID('8a885d04-1ceb-11c9-9fe8-08002b104860'), 2)
NDR64 = (uuid.UUID('71710533-beba-4937-8319-b5dbef9ccc36'), 1)
BTFN = (uuid.UUID('6cb71c2c-9812-4540-0300-000000000000'), 1)  # features 0x3
NAMES = {NDR[0]: 'NDR', NDR64[0]: 'NDR64', BTFN[0]: 'BTFN', uuid.UUID(int=0): 'nil'}
RESULTS = {0: 'acceptance', 1: 'user_rejection', 2: 'provider_rejection', 3: 'negotiate_ack'}

def syn(s):
    return s[0].bytes_le + struct.pack('<I', s[1])

def bind(ctxs, call_id=1):
    body = struct.pack('<HHIB3x', 5840, 5840, 0, len(ctxs))
    for i, xfers in enumerate(ctxs):
        body += struct.pack('<HBx', i, len(xfers)) + syn(IFACE) + b''.join(syn(x) for x in xfers)
    hdr = struct.pack('<BBBB4sHHI', 5, 0, 11, 3, b'\x10\0\0\0', 16 + len(body), 0, call_id)
    return hdr + body

def recv_pdu(s):
    h = b''
    while len(h) < 16:
        h += s.recv(16 - len(h))
    flen = struct.unpack_from('<H', h, 8)[0]
    b = h
    while len(b) < flen:
        b += s.recv(flen - len(b))
    return b

def probe(host, port, label, ctxs):
    s = socket.create_connection((host, port))
    s.sendall(bind(ctxs))
    p = recv_pdu(s)
    s.close()
    ptype = p[2]
    if ptype != 12:
        print('%-34s -> ptype %d (bind_nak=13), reject reason %d' % (label, ptype, struct.unpack_from('<H', p, 16)[0]))
        return
    off = 16 + 8
    alen = struct.unpack_from('<H', p, off)[0]
    off += 2 + alen
    off = (off + 3) & ~3
    n = p[off]
    off += 4
    out = []
    for i in range(n):
        res, reason = struct.unpack_from('<HH', p, off)
        u = uuid.UUID(bytes_le=p[off + 4:off + 20])
        v = struct.unpack_from('<I', p, off + 20)[0]
        off += 24
        out.append('ctx%d %s reason=0x%x syntax=%s' % (i, RESULTS.get(res, res), reason, NAMES.get(u, str(u))))
    print('%-34s -> ' % label + '; '.join(out))

host, port = sys.argv[1], int(sys.argv[2])
probe(host, port, '[NDR] [NDR64] [BTFN]', [[NDR], [NDR64], [BTFN]])
probe(host, port, '[NDR64] [NDR] [BTFN]', [[NDR64], [NDR], [BTFN]])
probe(host, port, '[BTFN] [NDR64] [NDR]', [[BTFN], [NDR64], [NDR]])
probe(host, port, '[NDR64,NDR] (one ctx, 2 xfers)', [[NDR64, NDR]])
probe(host, port, '[NDR64] only', [[NDR64]])
probe(host, port, '[BTFN] [BTFN] [NDR]', [[BTFN], [BTFN], [NDR]])
probe(host, port, '[NDR,BTFN] (BTFN not first)', [[NDR, BTFN]])

# association groups: a second connection may join the first one's group;
# an unknown group id is refused with bind_nak.
def bind_assoc(assoc):
    body = struct.pack('<HHIB3x', 5840, 5840, assoc, 1)
    body += struct.pack('<HBx', 0, 1) + syn(IFACE) + syn(NDR)
    return struct.pack('<BBBB4sHHI', 5, 0, 11, 3, b'\x10\0\0\0', 16 + len(body), 0, 1) + body

s1 = socket.create_connection((host, port)); s1.sendall(bind_assoc(0)); p = recv_pdu(s1)
g = struct.unpack_from('<I', p, 20)[0]
s2 = socket.create_connection((host, port)); s2.sendall(bind_assoc(g)); p2 = recv_pdu(s2)
print('assoc group: first bind got 0x%08x; second connection asking for it: ptype %d, group 0x%08x'
      % (g, p2[2], struct.unpack_from('<I', p2, 20)[0]))
s3 = socket.create_connection((host, port)); s3.sendall(bind_assoc(0x12345)); p3 = recv_pdu(s3)
print('assoc group 0x00012345 (unknown): ptype %d (13 = bind_nak)' % p3[2])
for s in (s1, s2, s3):
    s.close()
