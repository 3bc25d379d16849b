"""The inventory workload of tests/benches/inventory.rs with pyVmomi (PyPI).

Log in, then name, runtime.powerState and config.hardware.device of every VM
through a ContainerView and the PropertyCollector (RetrievePropertiesEx, then
ContinueRetrievePropertiesEx while a token comes back).

It reads VSPHERE_URL, VSPHERE_CA_FILE, VSPHERE_USER and VSPHERE_PASSWORD and
prints one line, as the bench's own child does:

    vms devices wall_s cpu_s peak_kb login_s

wall from before the login to the last object; CPU user + system of the
process over the same span (resource.getrusage); peak RSS of the process
(VmHWM, as for the other clients; ru_maxrss, also KiB on Linux, where there
is no /proc). Interpreter start-up and `import pyVmomi` come before the span.
Installed by bench/setup into bench/.venv.
"""

import os
import resource
import ssl
import sys
import time
from urllib.parse import urlsplit

from pyVim.connect import Disconnect, SmartConnect
from pyVmomi import vim, vmodl


def cpu_seconds():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def peak_kb():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def env(name):
    v = os.environ.get(name)
    if not v:
        sys.exit(f"pyvmomi-inventory: {name} is not set")
    return v


def main():
    url = urlsplit(env("VSPHERE_URL"))
    ca = env("VSPHERE_CA_FILE")
    user, password = env("VSPHERE_USER"), env("VSPHERE_PASSWORD")

    cpu0, t0 = cpu_seconds(), time.perf_counter()
    context = ssl.create_default_context(cafile=ca)
    si = SmartConnect(
        host=url.hostname,
        port=url.port or 443,
        user=user,
        pwd=password,
        sslContext=context,
    )
    login = time.perf_counter() - t0

    content = si.RetrieveContent()
    view = content.viewManager.CreateContainerView(
        content.rootFolder, [vim.VirtualMachine], True
    )
    pc = vmodl.query.PropertyCollector
    spec = pc.FilterSpec(
        objectSet=[
            pc.ObjectSpec(
                obj=view,
                skip=True,
                selectSet=[
                    pc.TraversalSpec(
                        name="view", path="view", skip=False, type=vim.view.ContainerView
                    )
                ],
            )
        ],
        propSet=[
            pc.PropertySpec(
                type=vim.VirtualMachine,
                pathSet=["name", "runtime.powerState", "config.hardware.device"],
            )
        ],
    )
    collector = content.propertyCollector
    vms = devices = 0
    result = collector.RetrievePropertiesEx(
        specSet=[spec], options=pc.RetrieveOptions(maxObjects=1000)
    )
    while result is not None:
        for obj in result.objects:
            vms += 1
            props = {p.name: p.val for p in obj.propSet}
            if not props["name"] or props["runtime.powerState"] == "suspended":
                sys.exit(f"pyvmomi-inventory: unexpected VM {obj.obj}")
            devices += len(props.get("config.hardware.device") or [])
        if not result.token:
            break
        result = collector.ContinueRetrievePropertiesEx(token=result.token)
    view.DestroyView()
    wall, cpu = time.perf_counter() - t0, cpu_seconds() - cpu0
    print(f"{vms} {devices} {wall:.6f} {cpu:.6f} {peak_kb()} {login:.6f}", flush=True)
    Disconnect(si)


if __name__ == "__main__":
    main()
