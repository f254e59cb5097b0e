#!/usr/bin/env python3
"""radius_capture.py: makes tests/vectors/otpce/freeradius_pap.txt.

Builds Access-Requests the way otpce/radius lays them out (Message-
Authenticator first, then User-Name, User-Password, NAS-Identifier, State),
independently of it (Python's hashlib and hmac), with fixed Identifiers and
Request Authenticators, sends each to a FreeRADIUS started by
tests/integration/radius.sh, and prints "NAME = hex" lines: the requests
(which FreeRADIUS accepted as correctly signed, since its client definition
has require_message_authenticator) and its replies.  test_otpce_radius.c
checks that radius_request_build makes the same requests byte for byte and
that radius_reply_parse takes the replies.

  radius_capture.py HOST PORT SECRET
"""
import hashlib
import hmac
import socket
import struct
import sys

STATE = bytes.fromhex('6f74706365207465737420737461746521')


def attr(t, v):
    return bytes([t, len(v) + 2]) + v


def hide(password, secret, auth):
    p = password + bytes(-len(password) % 16 or (16 if not password else 0))
    out, prev = b'', auth
    for i in range(0, len(p), 16):
        b = hashlib.md5(secret + prev).digest()
        c = bytes(x ^ y for x, y in zip(p[i:i + 16], b))
        out += c
        prev = c
    return out


def request(ident, auth, user, password, secret, state=None):
    attrs = attr(80, bytes(16)) + attr(1, user) + attr(2, hide(password, secret, auth)) + \
        attr(32, b'otpced')
    if state is not None:
        attrs += attr(24, state)
    hdr = struct.pack('!BBH', 1, ident, 20 + len(attrs))
    mac = hmac.new(secret, hdr + auth + attrs, hashlib.md5).digest()
    return hdr + auth + attr(80, mac) + attrs[18:]


def main():
    host, port, secret = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(5)
    s.connect((host, port))
    cases = [
        ('ACCEPT', 1, bytes(range(16)), b'alice', b'alice-otp-123456', None),
        ('REJECT', 2, bytes(range(16, 32)), b'alice', b'alice-otp-000000', None),
        ('CHALLENGE', 3, bytes(range(32, 48)), b'carol', b'carol-pin', None),
        ('CHALLENGE_ANSWER', 4, bytes(range(48, 64)), b'carol', b'424242', STATE),
        # 25 octets: the password takes two blocks (radius.sh: RADIUS_USERS).
        ('LONG', 5, bytes(range(64, 80)), b'dave', b'dave-otp-0123456789abcdef', None),
    ]
    print('SECRET = %s' % secret.hex())
    for name, ident, auth, user, pw, state in cases:
        req = request(ident, auth, user, pw, secret, state)
        s.send(req)
        rep = s.recv(4096)
        print('%s_USER = %s' % (name, user.hex()))
        print('%s_PASSWORD = %s' % (name, pw.hex()))
        print('%s_REQUEST = %s' % (name, req.hex()))
        print('%s_REPLY = %s' % (name, rep.hex()))


if __name__ == '__main__':
    main()
