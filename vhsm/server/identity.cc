#include "vhsm/server/identity.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "vhsm/base/file_io.h"
#include "vhsm/crypto/bytes.h"

namespace vhsm::server {

Result<crypto::X25519KeyPair> LoadOrCreateIdentity(const std::string& data_dir,
                                                   const std::vector<std::string>& public_copies) {
  const std::string key_path = data_dir + "/" + kIdentityKeyFile;
  int fd = open(key_path.c_str(), O_RDONLY | O_CLOEXEC);
  Result<crypto::X25519KeyPair> pair = Internal("unreachable");
  if (fd >= 0) {
    struct stat st;
    if (fstat(fd, &st) != 0 || (st.st_mode & 077) != 0) {
      close(fd);
      return FailedPrecondition(key_path +
                                " may be read by others (chmod 600 it, and consider "
                                "the daemon key compromised)");
    }
    crypto::SecretBytes raw(crypto::kX25519KeySize + 1);
    ssize_t n = read(fd, raw.data(), raw.size());
    close(fd);
    if (n != static_cast<ssize_t>(crypto::kX25519KeySize)) {
      return DataLoss(key_path + " is not a 32-byte X25519 key");
    }
    pair = crypto::X25519KeyPair::FromPrivate(crypto::ByteView(raw.data(), crypto::kX25519KeySize));
  } else if (errno == ENOENT) {
    pair = crypto::X25519KeyPair::Generate();
    if (pair.ok()) {
      const crypto::SecretBytes& priv = pair->private_key();
      VHSM_RETURN_IF_ERROR(WriteFileAtomically(key_path, priv.view().AsStringView(), 0600));
    }
  } else {
    return Internal("cannot read " + key_path + ": " + std::strerror(errno));
  }
  if (!pair.ok()) return pair.status();
  std::string line = crypto::Base64Encode(pair->public_key()) + "\n";
  std::vector<std::string> paths = public_copies;
  paths.insert(paths.begin(), data_dir + "/" + kIdentityPublicFile);
  for (const std::string& p : paths) {
    VHSM_RETURN_IF_ERROR(WriteFileAtomically(p, line, 0644));
  }
  return pair;
}

}  // namespace vhsm::server
