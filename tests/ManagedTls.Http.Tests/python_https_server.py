"""An HTTP/1.1 keep-alive server over Python's ssl for the ManagedTls.Http tests: each answer says whether the
connection resumed a session. Arguments: cert key port."""
import http.server
import ssl
import sys
import time

cert, key, port = sys.argv[1], sys.argv[2], int(sys.argv[3])


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        if self.path == "/slow":
            time.sleep(0.5)
        s = self.connection
        body = f"python version={s.version()} reused={s.session_reused} alpn={s.selected_alpn_protocol()}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
ctx.set_alpn_protocols(["http/1.1"])
server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
server.socket = ctx.wrap_socket(server.socket, server_side=True)
print("READY", flush=True)
server.serve_forever()
