# Sequential GETs through proxmoxer (Debian's python3-proxmoxer), for the read-throughput scenario.
# Protocol on stdin/stdout, one line each: first the settings as JSON (the token secret included: never argv);
# then "run N" runs N GETs and prints {"count", "items", "wall_sec", "cpu_sec"} measured around the loop only,
# so the interpreter's start-up is never timed; "quit" (or end of input) exits. One keep-alive session.
import json
import sys
import time

from proxmoxer import ProxmoxAPI


def main():
    cfg = json.loads(sys.stdin.readline())
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
    print("ready", flush=True)
    for line in sys.stdin:
        words = line.split()
        if words[:1] != ["run"]:
            break
        count = int(words[1])
        items = 0
        cpu0, wall0 = time.process_time(), time.perf_counter()
        for _ in range(count):
            data = call()
            items += len(data) if isinstance(data, list) else 1
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        print(json.dumps({"count": count, "items": items, "wall_sec": wall, "cpu_sec": cpu}), flush=True)


main()
