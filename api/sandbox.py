"""Limits a query worker puts on itself before it takes queries: an address-space cap and no network.

The parsed-query guard (sparql_guard) is the first line against SERVICE; this is the second. pyoxigraph
has no switch to turn federated queries off (Store.query takes no service handler), so a worker that
reads the embedded store installs a seccomp filter refusing IP sockets: whatever the engine is asked,
it cannot open a connection. Linux only (x86-64 and arm64); elsewhere the guard stands alone.
"""

from __future__ import annotations

import ctypes
import platform
import resource
import struct

# seccomp BPF, from <linux/filter.h>, <linux/seccomp.h> and <linux/audit.h>
_LD_W_ABS, _JEQ_K, _RET_K = 0x20, 0x15, 0x06
_RET_ALLOW, _RET_ERRNO = 0x7FFF0000, 0x00050000
_EACCES = 13
_AF_INET, _AF_INET6 = 2, 10
_PR_SET_NO_NEW_PRIVS, _PR_SET_SECCOMP, _SECCOMP_MODE_FILTER = 38, 22, 2
# machine -> (AUDIT_ARCH_*, number of the socket(2) syscall)
_ARCHES = {"x86_64": (0xC000003E, 41), "aarch64": (0xC00000B7, 198)}


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def deny_network() -> bool:
    """Make socket(AF_INET|AF_INET6, ...) fail with EACCES in this process and its children, for good.
    Local (AF_UNIX) sockets and pipes keep working. True when the filter is in place."""
    arch = _ARCHES.get(platform.machine())
    if arch is None or platform.system() != "Linux":
        return False
    audit_arch, socket_nr = arch
    program = [
        (_LD_W_ABS, 0, 0, 4),            # A = seccomp_data.arch
        (_JEQ_K, 0, 5, audit_arch),      # another ABI: allow (its numbers differ; the engine never uses one)
        (_LD_W_ABS, 0, 0, 0),            # A = seccomp_data.nr
        (_JEQ_K, 0, 3, socket_nr),       # not socket(2): allow
        (_LD_W_ABS, 0, 0, 16),           # A = low word of args[0], the address family
        (_JEQ_K, 2, 0, _AF_INET),
        (_JEQ_K, 1, 0, _AF_INET6),
        (_RET_K, 0, 0, _RET_ALLOW),
        (_RET_K, 0, 0, _RET_ERRNO | _EACCES),
    ]
    code = b"".join(struct.pack("HBBI", *instruction) for instruction in program)
    buffer = ctypes.create_string_buffer(code, len(code))
    fprog = _SockFprog(len(program), ctypes.cast(buffer, ctypes.c_void_p))
    libc = ctypes.CDLL(None, use_errno=True)
    # no_new_privs lets an unprivileged process install a filter; it is inherited and cannot be undone.
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return False
    return libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) == 0


def cap_memory(megabytes: int) -> None:
    """Cap this process's address space. Past it, allocations fail: Python raises MemoryError and
    Oxigraph (Rust) aborts the process, which the parent sees as a dead worker."""
    limit = megabytes * 2**20
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))  # the hard limit too: a query cannot lift it
