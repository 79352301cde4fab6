"""The demo service: answers every GET with the deployed version, on the port given."""
import http.server
import os
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        version_file = os.path.join(os.path.dirname(os.path.abspath(__file__)), "VERSION")
        with open(version_file, encoding="utf-8") as f:
            version = f.read().strip()
        body = f"hello from {version}\n".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    port = int(sys.argv[1])
    http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
