#!/usr/bin/python3
"""epmprobe.py HOST PORT MAX_TOWERS: an unauthenticated ept_map (C706
appendix O, opnum 3) for the bitspeerauth interface over ncacn_ip_tcp,
hand-built so that max_towers can be any 32-bit number (an endpoint mapper
must not size anything by it); print "status=0x... num_towers=N port=P"
from the answer, or "fault=0x..." ."""
import socket, struct, sys, uuid

IFACE = (uuid.UUID('e3d0d746-d2af-40fd-8a7a-0d7078bb7092'), 1, 0)
EPM = (uuid.UUID('e1af8308-5d1f-11c9-91a4-08002b14a0fa'), 3, 0)
NDR = (uuid.UUID('8a885d04-1ceb-11c9-9fe8-08002b104860'), 2, 0)

def hdr(ptype, body_len, call_id):
    return struct.pack('<BBBB4sHHI', 5, 0, ptype, 3, b'\x10\0\0\0', 16 + body_len, 0, call_id)

def recv_pdu(s):
    b = b''
    while len(b) < 16:
        c = s.recv(16 - len(b))
        if not c:
            raise SystemExit('connection closed')
        b += c
    flen = struct.unpack_from('<H', b, 8)[0]
    while len(b) < flen:
        c = s.recv(flen - len(b))
        if not c:
            raise SystemExit('connection closed')
        b += c
    return b

def floor_uuid(s):
    return struct.pack('<HB', 19, 0x0d) + s[0].bytes_le + struct.pack('<HHH', s[1], 2, s[2])

def main():
    host, port, max_towers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3], 0)
    tower = (struct.pack('<H', 5) + floor_uuid(IFACE) + floor_uuid(NDR) +
             struct.pack('<HBHH', 1, 0x0b, 2, 0) + struct.pack('<HBHH', 1, 0x07, 2, 0) +
             struct.pack('<HBHI', 1, 0x09, 4, 0))
    stub = struct.pack('<I', 1) + bytes(16)              # object: the nil GUID
    stub += struct.pack('<III', 2, len(tower), len(tower)) + tower
    stub += bytes((4 - len(stub) % 4) % 4)
    stub += bytes(20) + struct.pack('<I', max_towers)    # entry_handle, max_towers
    s = socket.create_connection((host, port), timeout=10)
    body = struct.pack('<HHIB3x', 5840, 5840, 0, 1)
    body += struct.pack('<HBx', 0, 1) + EPM[0].bytes_le + struct.pack('<HH', EPM[1], EPM[2])
    body += NDR[0].bytes_le + struct.pack('<I', NDR[1])
    s.sendall(hdr(11, len(body), 1) + body)
    ack = recv_pdu(s)
    if ack[2] != 12:
        raise SystemExit('bind refused (ptype %d)' % ack[2])
    req = struct.pack('<IHH', len(stub), 0, 3) + stub
    s.sendall(hdr(0, len(req), 2) + req)
    r = recv_pdu(s)
    if r[2] == 3:
        print('fault=0x%08x' % struct.unpack_from('<I', r, 24)[0])
        return
    d = r[24:]
    num = struct.unpack_from('<I', d, 20)[0]
    status = struct.unpack_from('<I', d, len(d) - 4)[0]
    found = 0
    if num:
        # the first tower: referent, then (after the array's pointers)
        # tower_length, conformance, octets; its TCP floor's port.
        off = 36 + 4 * num
        tl = struct.unpack_from('<I', d, off)[0]
        t = d[off + 8: off + 8 + tl]
        n, i = struct.unpack_from('<H', t, 0)[0], 2
        for _ in range(n):
            ll = struct.unpack_from('<H', t, i)[0]
            lhs = t[i + 2: i + 2 + ll]
            rl = struct.unpack_from('<H', t, i + 2 + ll)[0]
            rhs = t[i + 4 + ll: i + 4 + ll + rl]
            if lhs[:1] == b'\x07':
                found = struct.unpack('>H', rhs)[0]
            i += 4 + ll + rl
    print('status=0x%08x num_towers=%d port=%d' % (status, num, found))

main()
