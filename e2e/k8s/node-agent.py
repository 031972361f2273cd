#!/usr/bin/python3
"""The test node's stand-ins for CoreDNS's data feed and for a volume provisioner (started by
node.sh; standard library only).

Once a second it reads Services, Endpoints, StorageClasses, PVCs and PVs from the API server and
1. writes a hosts file for dnsmasq (which answers on the node IP):
     <svc>.<ns>.svc.cluster.local            -> the ClusterIP, or every endpoint IP when headless
     <hostname>.<svc>.<ns>.svc.cluster.local -> the pod IP, for endpoints with a hostname (pods whose
                                                hostname/subdomain name a headless Service, e.g.
                                                StatefulSet pods)
2. provisions a hostPath PersistentVolume (directory <pv-dir>/pvc-<uid>, mode 0777 because pods run
   as non-root uids) for every Pending, unbound PVC whose StorageClass names our provisioner
   (for WaitForFirstConsumer classes once the scheduler picked the node), pre-bound to the claim;
3. deletes the directory and the PV of a Released volume it provisioned when its reclaim policy is
   Delete, so a re-created PVC of the same name starts empty (what a real cloud disk does).
"""

import argparse
import json
import os
import shutil
import ssl
import sys
import time
import urllib.error
import urllib.request

PROVISIONED_BY = "pv.kubernetes.io/provisioned-by"
SELECTED_NODE = "volume.kubernetes.io/selected-node"


def log(message):
    print(time.strftime("%H:%M:%S"), message, flush=True)


class Api:
    def __init__(self, server, ca, cert, key):
        self.server = server.rstrip("/")
        self.context = ssl.create_default_context(cafile=ca)
        self.context.load_cert_chain(cert, key)

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.server + path, data=data, method=method,
                                         headers={"Content-Type": "application/json", "Accept": "application/json"})
        with urllib.request.urlopen(request, context=self.context, timeout=10) as response:
            return json.loads(response.read() or b"{}")

    def items(self, path):
        return self.call("GET", path).get("items") or []


def dns_hosts(services, endpoints):
    lines = set()
    headless = set()
    for svc in services:
        meta, spec = svc["metadata"], svc.get("spec", {})
        fqdn = f"{meta['name']}.{meta['namespace']}.svc.cluster.local"
        cluster_ip = spec.get("clusterIP")
        if cluster_ip == "None":
            headless.add((meta["namespace"], meta["name"]))
        elif cluster_ip:
            lines.add(f"{cluster_ip} {fqdn}")
    for ep in endpoints:
        meta = ep["metadata"]
        key = (meta["namespace"], meta["name"])
        fqdn = f"{meta['name']}.{meta['namespace']}.svc.cluster.local"
        for subset in ep.get("subsets") or []:
            for address in (subset.get("addresses") or []) + (subset.get("notReadyAddresses") or []):
                if key in headless:
                    lines.add(f"{address['ip']} {fqdn}")
                if address.get("hostname"):
                    lines.add(f"{address['ip']} {address['hostname']}.{fqdn}")
    return "".join(line + "\n" for line in sorted(lines))


def write_if_changed(path, text):
    try:
        with open(path) as f:
            if f.read() == text:
                return False
    except FileNotFoundError:
        pass
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.replace(path + ".tmp", path)  # dnsmasq re-reads its hostsdir on the rename (inotify)
    return True


def provision(api, args, classes, pvcs):
    for pvc in pvcs:
        meta, spec = pvc["metadata"], pvc.get("spec", {})
        if pvc.get("status", {}).get("phase") != "Pending" or spec.get("volumeName"):
            continue
        storage_class = classes.get(spec.get("storageClassName") or "")
        if storage_class is None:
            continue
        if storage_class.get("volumeBindingMode") == "WaitForFirstConsumer" and \
                SELECTED_NODE not in (meta.get("annotations") or {}):
            continue
        name = f"pvc-{meta['uid']}"
        path = os.path.join(args.pv_dir, name)
        os.makedirs(path, exist_ok=True)
        os.chmod(path, 0o777)
        volume = {
            "apiVersion": "v1", "kind": "PersistentVolume",
            "metadata": {"name": name, "annotations": {PROVISIONED_BY: args.provisioner},
                         "labels": {"sluice.dev/provisioned-for": f"{meta['namespace']}.{meta['name']}"[:63]}},
            "spec": {
                "capacity": {"storage": spec.get("resources", {}).get("requests", {}).get("storage", "1Gi")},
                "accessModes": spec.get("accessModes") or ["ReadWriteOnce"],
                "storageClassName": storage_class["metadata"]["name"],
                "persistentVolumeReclaimPolicy": storage_class.get("reclaimPolicy", "Delete"),
                "volumeMode": spec.get("volumeMode", "Filesystem"),
                "claimRef": {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "namespace": meta["namespace"],
                             "name": meta["name"], "uid": meta["uid"]},
                "hostPath": {"path": path, "type": "Directory"},
            },
        }
        try:
            api.call("POST", "/api/v1/persistentvolumes", volume)
            log(f"provisioned {name} at {path} for PVC {meta['namespace']}/{meta['name']}")
        except urllib.error.HTTPError as error:
            if error.code != 409:  # 409: made in an earlier round, the binder has not caught up yet
                raise


def reclaim(api, args, volumes):
    for volume in volumes:
        meta, spec = volume["metadata"], volume.get("spec", {})
        if (meta.get("annotations") or {}).get(PROVISIONED_BY) != args.provisioner:
            continue
        if volume.get("status", {}).get("phase") != "Released" or spec.get("persistentVolumeReclaimPolicy") != "Delete":
            continue
        path = spec.get("hostPath", {}).get("path", "")
        if os.path.dirname(os.path.abspath(path)) == os.path.abspath(args.pv_dir):
            shutil.rmtree(path, ignore_errors=True)
        try:
            api.call("DELETE", f"/api/v1/persistentvolumes/{meta['name']}")
            log(f"deleted released volume {meta['name']} and its directory {path}")
        except urllib.error.HTTPError as error:
            if error.code != 404:
                raise


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", required=True)
    parser.add_argument("--ca", required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--dns-hosts-dir", required=True)
    parser.add_argument("--pv-dir", required=True)
    parser.add_argument("--provisioner", required=True)
    parser.add_argument("--interval", type=float, default=1.0)
    args = parser.parse_args()
    api = Api(args.server, args.ca, args.cert, args.key)
    hosts_file = os.path.join(args.dns_hosts_dir, "cluster")
    os.makedirs(args.pv_dir, exist_ok=True)
    log(f"node-agent: API {args.server}, DNS hosts {hosts_file}, volumes in {args.pv_dir}")
    last_error = None
    while True:
        try:
            text = dns_hosts(api.items("/api/v1/services"), api.items("/api/v1/endpoints"))
            if write_if_changed(hosts_file, text):
                log(f"DNS: {text.count(chr(10))} names")
            classes = {sc["metadata"]["name"]: sc for sc in api.items("/apis/storage.k8s.io/v1/storageclasses")
                       if sc.get("provisioner") == args.provisioner}
            provision(api, args, classes, api.items("/api/v1/persistentvolumeclaims"))
            reclaim(api, args, api.items("/api/v1/persistentvolumes"))
            last_error = None
        except Exception as error:  # noqa: BLE001 - the API may be restarting; report once, retry
            if repr(error) != last_error:
                last_error = repr(error)
                log(f"error (retrying every {args.interval}s): {error!r}")
        time.sleep(args.interval)


if __name__ == "__main__":
    sys.exit(main())
