#!/usr/bin/env python3
"""Checks the configuration of the PaymentJournal container image in an archive made by
`dotnet publish -t:PublishContainer -p:ContainerArchiveOutputPath=...`: not root, port 8080, the entrypoint, the
listening address, the SQLite file in the data volume, and the service in the app layer.

Usage: check-image.py ARCHIVE   (exit 0 and one line per check, or exit 1 with what is wrong)
"""
import json, sys, tarfile


def main(path):
    with tarfile.open(path) as archive:
        manifest = json.load(archive.extractfile("manifest.json"))[0]
        config = json.load(archive.extractfile(manifest["Config"]))["config"]
        app_layer = tarfile.open(fileobj=archive.extractfile(manifest["Layers"][-1]))
        app_files = set(app_layer.getnames())
    env = dict(e.split("=", 1) for e in config.get("Env", []))
    user = str(config.get("User", ""))
    checks = [
        ("runs as a non-root user", user not in ("", "root", "0") and not user.startswith(("root:", "0:")), user),
        ("exposes 8080/tcp", "8080/tcp" in config.get("ExposedPorts", {}), config.get("ExposedPorts")),
        ("starts the service", config.get("Entrypoint") == ["dotnet", "/app/PaymentJournal.dll"], config.get("Entrypoint")),
        ("listens on 8080 on every interface", env.get("ASPNETCORE_URLS") == "http://+:8080", env.get("ASPNETCORE_URLS")),
        ("keeps the SQLite file in the data volume", env.get("ConnectionStrings__PaymentJournal") == "Data Source=/home/app/data/paymentjournal.db",
         env.get("ConnectionStrings__PaymentJournal")),
        ("holds the service in /app", "app/PaymentJournal.dll" in app_files, sorted(app_files)[:5]),
        ("is tagged paymentjournal", any(t.startswith("paymentjournal:") for t in manifest.get("RepoTags", [])), manifest.get("RepoTags")),
    ]
    failed = 0
    for name, ok, seen in checks:
        print(("ok   " if ok else "FAIL ") + name + ("" if ok else f" (found {seen!r})"))
        failed += not ok
    print(f"container image configuration: {'all ' + str(len(checks)) + ' checks hold' if not failed else str(failed) + ' of ' + str(len(checks)) + ' checks FAILED'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
