#!/usr/bin/env python3
"""otpce_fake_server.py: test-only.  A scripted MS-OTPCE server over HTTPS
for tests/cli/test_otpce_client.sh: it answers each POST by its URL path,
and records what each request carried (headers, username, the one-time
password's length and value, the certRequest) as one JSON line in LOG.

  otpce_fake_server.py ADDR CERT KEY SIGN_TOOL RA_CERT RA_KEY LOG

Prints "READY <port>" once listening (the test waits for that line).
Paths:
  /success    Success, the request signed by SIGN_TOOL, two IssuingCA
  /auth       AuthenticationError
  /other      OtherError
  /challenge  ChallengeResponseRequired unless the password is "resp-ok"
              (then as /success)
  /always-challenge  ChallengeResponseRequired
  /noversion  Success without the X-OTPCEP-version header
  /texthtml   a text/html answer
  /notxml     an application/xml body that is not a response
  /othercsr   Success carrying a signed request of a different PKCS#10
  /http500    HTTP 500
"""
import base64
import json
import ssl
import subprocess
import sys
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, HTTPServer

NS = 'http://schemas.microsoft.com/otpcep/1.0/protocol'
addr, cert, key, sign_tool, ra_cert, ra_key, log_path = sys.argv[1:8]


def response(status, signed=None, cas=()):
    attrs = 'statusCode="%s"' % status
    if signed is not None:
        attrs += ' SignedCertRequest="%s"' % base64.b64encode(signed).decode()
    inner = ''.join('<IssuingCA>%s</IssuingCA>' % c for c in cas)
    if inner:
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<signCertResponse xmlns="%s" %s>%s'
                '</signCertResponse>' % (NS, attrs, inner)).encode()
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<signCertResponse xmlns="%s" %s/>'
            % (NS, attrs)).encode()


def sign(csr):
    return subprocess.run([sign_tool, ra_cert, ra_key], input=csr, stdout=subprocess.PIPE,
                          check=True).stdout


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, body, ctype='application/xml;charset=utf-8', version=True, code=200):
        self.send_response(code)
        self.send_header('Content-Type', ctype)
        if version:
            self.send_header('X-OTPCEP-version', '1.0')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get('Content-Length', '0')))
        root = ET.fromstring(body)
        otp = root.get('oneTimePassword')
        csr = base64.b64decode(root.get('certRequest'))
        with open(log_path, 'a') as log:
            log.write(json.dumps({
                'path': self.path, 'tag': root.tag,
                'version': self.headers.get('X-OTPCEP-version'),
                'ctype': self.headers.get('Content-Type'),
                'username': root.get('username'), 'otp': otp,
                'csr': base64.b64encode(csr).decode()}) + '\n')
        cas = ['ca1.example.test\\Issuing CA 1', 'ca2.example.test\\Issuing CA 2']
        p = self.path
        if p == '/success' or (p == '/challenge' and otp == 'resp-ok'):
            self.answer(response('Success', sign(csr), cas))
        elif p in ('/challenge', '/always-challenge'):
            self.answer(response('ChallengeResponseRequired'))
        elif p == '/auth':
            self.answer(response('AuthenticationError'))
        elif p == '/other':
            self.answer(response('OtherError'))
        elif p == '/noversion':
            self.answer(response('Success', sign(csr), cas), version=False)
        elif p == '/texthtml':
            self.answer(b'<html></html>', ctype='text/html')
        elif p == '/notxml':
            self.answer(b'<?xml version="1.0"?><hello/>')
        elif p == '/othercsr':
            with open(log_path + '.other.der', 'rb') as f:
                self.answer(response('Success', sign(f.read()), cas))
        else:
            self.answer(b'', code=500)


server = HTTPServer((addr, 0), Handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
server.socket = ctx.wrap_socket(server.socket, server_side=True)
print('READY %d' % server.server_address[1], flush=True)
server.serve_forever()
