# Sequential GETs through proxmoxer (Debian's python3-proxmoxer), for the read-throughput scenario.
# Reads its settings (including the token secret) as JSON on stdin, never from argv; prints one JSON line:
# {"count", "wall_sec", "cpu_sec"} measured around the request loop only (not interpreter start-up).
import json
import sys
import time

from proxmoxer import ProxmoxAPI


def main():
    cfg = json.load(sys.stdin)
    prox = ProxmoxAPI(
        cfg["host"],
        port=cfg["port"],
        user=cfg["user"],
        token_name=cfg["token_name"],
        token_value=cfg["secret"],
        verify_ssl=cfg["ca_file"],
    )
    node = cfg["node"]
    endpoints = {
        "nodeStatus": lambda: prox.nodes(node).status.get(),
        "resources": lambda: prox.cluster.resources.get(),
    }
    call = endpoints[cfg["endpoint"]]
    for _ in range(cfg["warmup"]):
        call()
    count = cfg["count"]
    items = 0
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for _ in range(count):
        data = call()
        items += len(data) if isinstance(data, list) else 1
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    print(json.dumps({"count": count, "items": items, "wall_sec": wall, "cpu_sec": cpu}))


main()
