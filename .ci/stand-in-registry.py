#!/usr/bin/env python3
"""A stand-in for the base image's registry, for CI machines that cannot reach mcr.microsoft.com.

Serves, over plain HTTP on loopback, one image: an empty layer and the configuration of the .NET ASP.NET Core base
image as far as the SDK's container build reads it (environment, working directory). The SDK builds the
PaymentJournal image on top of it exactly as on the real base, so the image configuration that the csproj sets
(user, port, entrypoint, environment) can be checked without a network. The image it makes does not run.

Usage: stand-in-registry.py PORT   (serves /v2/dotnet/aspnet/manifests/10.0 and the blobs it names)
"""
import gzip, hashlib, http.server, io, json, sys, tarfile


def sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def empty_layer():
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w"):
        pass
    tar = raw.getvalue()
    return tar, gzip.compress(tar, mtime=0)


TAR, LAYER = empty_layer()
CONFIG = json.dumps({
    "architecture": "amd64",
    "os": "linux",
    "config": {
        "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "APP_UID=1654",
                "ASPNETCORE_HTTP_PORTS=8080", "DOTNET_RUNNING_IN_CONTAINER=true", "DOTNET_VERSION=10.0.0",
                "ASPNET_VERSION=10.0.0"],
        "WorkingDir": "/",
    },
    "rootfs": {"type": "layers", "diff_ids": [sha(TAR)]},
}).encode()
MANIFEST = json.dumps({
    "schemaVersion": 2,
    "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
    "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": len(CONFIG), "digest": sha(CONFIG)},
    "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": len(LAYER), "digest": sha(LAYER)}],
}).encode()
BLOBS = {sha(CONFIG): CONFIG, sha(LAYER): LAYER}
MANIFEST_TYPE = "application/vnd.docker.distribution.manifest.v2+json"


class Handler(http.server.BaseHTTPRequestHandler):
    def answer(self, body, content_type, send_body):
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Docker-Content-Digest", sha(body))
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def route(self, send_body):
        path = self.path.split("?")[0]
        if path in ("/v2", "/v2/"):
            return self.answer(b"{}", "application/json", send_body)
        if path.startswith("/v2/dotnet/aspnet/manifests/"):
            return self.answer(MANIFEST, MANIFEST_TYPE, send_body)
        if path.startswith("/v2/dotnet/aspnet/blobs/"):
            blob = BLOBS.get(path.rsplit("/", 1)[1])
            if blob is not None:
                return self.answer(blob, "application/octet-stream", send_body)
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        self.route(True)

    def do_HEAD(self):
        self.route(False)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
