#!/usr/bin/env python3
"""credssp_peer.py: test-only hostile peers for test_credssp.sh.

  mitm LISTEN_IP UPSTREAM_IP PORT CERT KEY [--set-version N]
      A TLS-terminating man in the middle with its own key: accepts one
      client on LISTEN_IP:PORT, opens its own TLS session to
      UPSTREAM_IP:PORT and relays each TSRequest, logging the top-level
      fields of each ("c2s a0 a1" / "s2c a0 a4") so the test can see
      whether authInfo ([2], a2) ever left the client.  --set-version
      rewrites the version of the client's messages (a downgrade).
      Prints "ready" once listening.
  hostile IP PORT KIND
      Opens TLS to a CredSSP server and sends one hostile message (KIND:
      truncated, wrong-tag, huge-length, garbage, indefinite, zero);
      prints "closed" when the server has closed the connection.
"""
import socket
import ssl
import sys


def read_exact(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise EOFError
        b += c
    return b


def read_tsrequest(s):
    head = read_exact(s, 2)
    if head[1] & 0x80:
        n = head[1] & 0x7F
        lb = read_exact(s, n)
        length = int.from_bytes(lb, "big")
        head += lb
    else:
        length = head[1]
    return head + read_exact(s, length)


def der_len(b, i):
    """(length, index after the length octets)"""
    if b[i] & 0x80:
        n = b[i] & 0x7F
        return int.from_bytes(b[i + 1:i + 1 + n], "big"), i + 1 + n
    return b[i], i + 1


def fields(msg):
    out = []
    _, i = der_len(msg, 1)
    while i < len(msg):
        tag = msg[i]
        ln, j = der_len(msg, i + 1)
        out.append("%02x" % tag)
        i = j + ln
    return out


def set_version(msg, v):
    # a0 03 02 01 NN is the first field of every TSRequest we build
    _, i = der_len(msg, 1)
    if msg[i:i + 4] == b"\xa0\x03\x02\x01":
        return msg[:i + 4] + bytes([v]) + msg[i + 5:]
    return msg


def mitm(listen_ip, upstream_ip, port, cert, key, new_version):
    sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    sctx.load_cert_chain(cert, key)
    cctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    cctx.check_hostname = False
    cctx.verify_mode = ssl.CERT_NONE
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((listen_ip, port))
    ls.listen(1)
    print("ready", flush=True)
    c, _ = ls.accept()
    c.settimeout(30)
    client = sctx.wrap_socket(c, server_side=True)
    up = cctx.wrap_socket(socket.create_connection((upstream_ip, port), timeout=30))
    try:
        while True:
            m = read_tsrequest(client)
            if new_version is not None:
                m = set_version(m, new_version)
            print("c2s " + " ".join(fields(m)), flush=True)
            up.sendall(m)
            r = read_tsrequest(up)
            print("s2c " + " ".join(fields(r)), flush=True)
            client.sendall(r)
    except (EOFError, OSError, ssl.SSLError):
        print("closed", flush=True)


HOSTILE = {
    "truncated": b"\x30\x20\xa0\x03\x02\x01\x06\xa1",
    "wrong-tag": b"\x31\x05\xa0\x03\x02\x01\x06",
    "huge-length": b"\x30\x84\x7f\xff\xff\xff\xa0\x03\x02\x01\x06",
    "indefinite": b"\x30\x80\xa0\x03\x02\x01\x06\x00\x00",
    "garbage": b"\x30\x0c" + b"\xff" * 12,
    "zero": b"\x30\x05\xa0\x03\x02\x01\x00",
    "bad-token": b"\x30\x16\xa0\x03\x02\x01\x06\xa1\x0f\x30\x0d\x30\x0b\xa0\x09\x04\x07"
                 b"\x60\x05\x06\x03\x2a\x03\x04",
}


def hostile(ip, port, kind):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    s = ctx.wrap_socket(socket.create_connection((ip, port), timeout=60))
    s.sendall(HOSTILE[kind])
    if kind == "truncated":
        s.close()  # the rest never comes: the server must see the end
        print("closed", flush=True)
        return
    try:
        while s.recv(4096):
            pass
    except (OSError, ssl.SSLError):
        pass
    print("closed", flush=True)


if __name__ == "__main__":
    a = sys.argv[1:]
    if a and a[0] == "mitm":
        nv = int(a[a.index("--set-version") + 1]) if "--set-version" in a else None
        mitm(a[1], a[2], int(a[3]), a[4], a[5], nv)
    elif a and a[0] == "hostile":
        hostile(a[1], int(a[2]), a[3])
    else:
        sys.exit(__doc__)
