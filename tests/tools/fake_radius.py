#!/usr/bin/env python3
"""fake_radius.py: the attacker of tests/integration/test_otpce_radius.sh.

A UDP RADIUS "server" that answers every Access-Request with a forged or
damaged reply, chosen by the request's User-Name:

  good            a correct Access-Accept (Response Authenticator and
                  Message-Authenticator right): the control, which shows the
                  others fail for the one thing each breaks
  wrong-auth      Access-Accept, Message-Authenticator right, Response
                  Authenticator wrong
  no-ma           Access-Accept, Response Authenticator right, no
                  Message-Authenticator (what BlastRADIUS forges)
  wrong-ma        Access-Accept, Response Authenticator right,
                  Message-Authenticator wrong
  two-ma          Access-Accept with two Message-Authenticators (the first right)
  wrong-id        a correct Access-Accept for another Identifier
  bad-length      a correct Access-Accept whose last attribute runs past the
                  packet's Length
  forged-then-reject
                  an Access-Accept without Message-Authenticator, then a
                  correct Access-Reject: the client must discard the first
                  and take the second
  other-port      a correct Access-Accept, from another UDP port
  silent          no answer at all

It checks the request too: a request without a valid Message-Authenticator
gets no answer (as FreeRADIUS's require_message_authenticator does), and
it prints one line per request ("NAME id=N ma=ok") after its first line
"ready HOST:PORT".

  fake_radius.py HOST PORT SECRET
"""
import hashlib
import hmac
import socket
import struct
import sys

ACCEPT, REJECT = 2, 3
MA = 80


def attrs_of(pkt):
    out, i = [], 20
    while i + 2 <= len(pkt):
        t, n = pkt[i], pkt[i + 1]
        if n < 2 or i + n > len(pkt):
            return None
        out.append((t, pkt[i + 2:i + n]))
        i += n
    return out if i == len(pkt) else None


def encode(attrs):
    return b''.join(bytes([t, len(v) + 2]) + v for t, v in attrs)


def request_ma_ok(pkt, secret):
    i = 20
    while i + 2 <= len(pkt):
        t, n = pkt[i], pkt[i + 1]
        if t == MA and n == 18:
            z = pkt[:i + 2] + bytes(16) + pkt[i + 18:]
            return hmac.compare_digest(hmac.new(secret, z, hashlib.md5).digest(), pkt[i + 2:i + 18])
        i += max(n, 2)
    return False


def reply(code, ident, req_auth, secret, attrs, with_ma=True, ma_value=None,
          extra_ma=False, break_auth=False, length_delta=0):
    """A reply to a request with |req_auth|: Message-Authenticator first,
    computed as RFC 3579 3.2 says (the Request Authenticator in the
    authenticator field), then the Response Authenticator."""
    body = list(attrs)
    if with_ma:
        body = [(MA, bytes(16))] + body
    if extra_ma:
        body = body + [(MA, bytes(16))]
    raw = encode(body)
    length = 20 + len(raw)
    hdr = struct.pack('!BBH', code, ident, length + length_delta)
    if with_ma:
        mac = hmac.new(secret, hdr + req_auth + raw, hashlib.md5).digest()
        if ma_value is not None:
            mac = ma_value
        raw = bytes([MA, 18]) + mac + raw[18:]
    auth = hashlib.md5(hdr + req_auth + raw + secret).digest()
    if break_auth:
        auth = bytes([auth[0] ^ 1]) + auth[1:]
    return hdr + auth + raw


def main():
    host, port, secret = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((host, port))
    other = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    other.bind((host, 0))
    print('ready %s:%d' % (host, port), flush=True)
    msg = [(18, b'from the fake server')]
    while True:
        pkt, peer = s.recvfrom(8192)
        attrs = attrs_of(pkt)
        if len(pkt) < 20 or attrs is None or pkt[0] != 1:
            print('malformed request from %s:%d' % peer, flush=True)
            continue
        ident, auth = pkt[1], pkt[4:20]
        names = [v for t, v in attrs if t == 1]
        name = names[0].decode('utf-8', 'replace') if names else ''
        ok = request_ma_ok(pkt, secret)
        print('%s id=%d ma=%s' % (name, ident, 'ok' if ok else 'bad'), flush=True)
        if not ok:
            continue
        out = []
        if name == 'good':
            out = [reply(ACCEPT, ident, auth, secret, msg)]
        elif name == 'wrong-auth':
            out = [reply(ACCEPT, ident, auth, secret, msg, break_auth=True)]
        elif name == 'no-ma':
            out = [reply(ACCEPT, ident, auth, secret, msg, with_ma=False)]
        elif name == 'wrong-ma':
            out = [reply(ACCEPT, ident, auth, secret, msg, ma_value=bytes(range(16)))]
        elif name == 'two-ma':
            out = [reply(ACCEPT, ident, auth, secret, msg, extra_ma=True)]
        elif name == 'wrong-id':
            out = [reply(ACCEPT, (ident + 1) & 0xff, auth, secret, msg)]
        elif name == 'bad-length':
            out = [reply(ACCEPT, ident, auth, secret, msg, length_delta=-1)]
        elif name == 'forged-then-reject':
            out = [reply(ACCEPT, ident, auth, secret, msg, with_ma=False),
                   reply(REJECT, ident, auth, secret, [(18, b'the genuine answer')])]
        elif name == 'other-port':
            other.sendto(reply(ACCEPT, ident, auth, secret, msg), peer)
        for o in out:
            s.sendto(o, peer)


if __name__ == '__main__':
    main()
