// Containers pinned by namespace identity, not by PID.
//
// attach --pid PID names a namespace through /proc/PID/ns/net, but a PID is
// recycled: after the container exits (or the host reboots) the same path
// can name another container's namespace. So vhsmd pins the namespace when
// it attaches (a bind mount under its run directory, as `ip netns attach`
// does; a pinned namespace lives on and its inode cannot be reused), and
// records its identity: device and inode of the nsfs file, the netns cookie
// (SO_NETNS_COOKIE, never reused within a boot) and the boot id. On restart
// a container is re-attached only when the namespace found has that
// identity; otherwise it stays detached with a warning naming both.
//
// Misuse: an identity is only meaningful within the boot that recorded it.
// Needs root (mount). Thread-safe (no shared state).
#ifndef VHSM_SERVER_NETNS_PIN_H_
#define VHSM_SERVER_NETNS_PIN_H_

#include <cstdint>
#include <string>

#include "vhsm/base/status.h"

namespace vhsm::server {

struct NetnsIdentity {
  uint64_t dev = 0, ino = 0, cookie = 0;
  std::string boot_id;
  // ToString: "dev:inode" plus ", cookie N" when known.
  std::string ToString() const;
};

// BootId returns this boot's id (/proc/sys/kernel/random/boot_id), or "".
std::string BootId();

// IdentityOf returns the identity (dev, inode) of the namespace file at
// path; InvalidArgument when it is not a network namespace.
Result<NetnsIdentity> IdentityOf(const std::string& path);

// Pin bind-mounts the namespace file at path onto RUN_DIR/netns/NAME and
// returns that path; the namespace pinned is the one path named at the
// moment of the call (it is opened first). Internal on a mount failure.
Result<std::string> Pin(const std::string& run_dir, const std::string& name,
                        const std::string& path);
// Unpin lazily unmounts and removes a pin; a missing pin is not an error.
void Unpin(const std::string& pin_path);

}  // namespace vhsm::server

#endif  // VHSM_SERVER_NETNS_PIN_H_
