#include "vhsm/server/netns_pin.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

namespace vhsm::server {
namespace {

std::string Errno() { return std::strerror(errno); }

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

}  // namespace

std::string NetnsIdentity::ToString() const {
  std::string s = std::to_string(dev) + ":" + std::to_string(ino);
  if (cookie != 0) s += ", cookie " + std::to_string(cookie);
  return s;
}

std::string BootId() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(in, id);
  return id;
}

Result<NetnsIdentity> IdentityOf(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return NotFound("no namespace file " + path);
    return PermissionDenied("cannot open " + path + ": " + Errno());
  }
  struct stat st;
  struct statfs fs;
  bool ok = fstat(fd, &st) == 0 && fstatfs(fd, &fs) == 0;
  close(fd);
  if (!ok || static_cast<unsigned long>(fs.f_type) != NSFS_MAGIC) {
    return InvalidArgument(path + " is not a network namespace");
  }
  NetnsIdentity id;
  id.dev = st.st_dev;
  id.ino = st.st_ino;
  id.boot_id = BootId();
  return id;
}

Result<std::string> Pin(const std::string& run_dir, const std::string& name,
                        const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return NotFound("no namespace file " + path);
    return PermissionDenied("cannot open " + path + ": " + Errno());
  }
  std::string dir = run_dir + "/netns";
  mkdir(run_dir.c_str(), 0700);
  mkdir(dir.c_str(), 0700);
  std::string pin = dir + "/" + name;
  Unpin(pin);  // a stale pin of a container of that name, from a crash
  int pf = open(pin.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0400);
  if (pf < 0) {
    close(fd);
    return Internal("cannot create " + pin + ": " + Errno());
  }
  close(pf);
  // Through our descriptor: the namespace pinned is the one opened above,
  // whatever the path names by now.
  std::string source = "/proc/self/fd/" + std::to_string(fd);
  int rc = mount(source.c_str(), pin.c_str(), "none", MS_BIND, nullptr);
  int err = errno;
  close(fd);
  if (rc != 0) {
    unlink(pin.c_str());
    return Internal("cannot pin " + path + " at " + pin + ": " + std::strerror(err));
  }
  return pin;
}

void Unpin(const std::string& pin_path) {
  if (pin_path.empty()) return;
  umount2(pin_path.c_str(), MNT_DETACH);
  unlink(pin_path.c_str());
}

}  // namespace vhsm::server
