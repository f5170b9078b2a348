# Task waiting through proxmoxer, for the task-wait scenario. Debian 12's python3-proxmoxer (1.2.0) predates
# proxmoxer.tools.tasks, so wait_like_blocking_status() follows proxmoxer 2.x's Tasks.blocking_status with its
# defaults (timeout 300 s, polling_interval 1 s): get the status, give up past the timeout, sleep the interval,
# and repeat until the status is "stopped" (so it also sleeps once after the poll that saw "stopped").
# One deviation: PVE's short-lived 400 "no such task" on the first poll right after the start is counted and
# polled through, where proxmoxer would raise.
# Protocol: settings (with the token secret) as one JSON line on stdin; prints "ready" once every thread holds a
# warm connection, waits for "go", then starts each job's task, waits, and prints one JSON line of results.
import json
import sys
import threading
import time

from proxmoxer import ProxmoxAPI
from proxmoxer.core import ResourceException

TIMEOUT = 300
POLLING_INTERVAL = 1


def wait_like_blocking_status(prox, node, upid, stats):
    started = time.monotonic()
    data = {"status": ""}
    while data is not None and data["status"] != "stopped":
        try:
            data = prox.nodes(node).tasks(upid).status.get()
        except ResourceException as err:
            # proxmoxer 1.2.0 keeps only the reason phrase ("Parameter verification failed."), not PVE's
            # errors {"upid": "no such task"}: a 400 on the first poll is taken to be that window.
            if err.status_code != 400 or stats["polls"] > 0:
                raise
            stats["early400"] += 1
            data = {"status": ""}
        stats["polls"] += 1
        if started + TIMEOUT <= time.monotonic():
            data = None
            break
        time.sleep(POLLING_INTERVAL)
    return data


def main():
    cfg = json.loads(sys.stdin.readline())
    node = cfg["node"]
    jobs = cfg["jobs"]
    proxes = []
    for _ in jobs:
        prox = ProxmoxAPI(
            cfg["host"],
            port=cfg["port"],
            user=cfg["user"],
            token_name=cfg["token_name"],
            token_value=cfg["secret"],
            verify_ssl=cfg["ca_file"],
        )
        prox.version.get()  # a warm keep-alive connection before the clock starts
        proxes.append(prox)
    results = [None] * len(jobs)

    def run(i):
        job, prox = jobs[i], proxes[i]
        stats = {"early400": 0, "polls": 0}
        try:
            upid = prox.nodes(node).qemu(job["vmid"]).status(job["action"]).post()
            data = wait_like_blocking_status(prox, node, upid, stats)
            returned_ms = time.time() * 1000
            results[i] = {
                "vmid": job["vmid"],
                "upid": upid,
                "returned_ms": returned_ms,
                "status": None if data is None else data.get("status"),
                "exitstatus": None if data is None else data.get("exitstatus"),
                "early400": stats["early400"],
            }
        except Exception as err:  # reported, so the bench fails loudly
            results[i] = {"vmid": job["vmid"], "error": repr(err)}

    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        sys.exit(3)
    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(json.dumps(results), flush=True)


main()
