// Small parsers shared by the daemon, the library and the commands.
#ifndef VHSM_BASE_PARSE_H_
#define VHSM_BASE_PARSE_H_

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>

namespace vhsm {

// ParsePortId reads a netlink port id: decimal, 0x-hex or 0-octal, 1 to
// 2^32-1, nothing else around it. nullopt otherwise.
inline std::optional<uint32_t> ParsePortId(const std::string& text) {
  if (text.empty() || text.size() > 20 || text[0] < '0' || text[0] > '9') return std::nullopt;
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(text.c_str(), &end, 0);
  if (errno != 0 || *end != '\0' || v == 0 || v > 0xffffffffull) return std::nullopt;
  return static_cast<uint32_t>(v);
}

}  // namespace vhsm

#endif  // VHSM_BASE_PARSE_H_
