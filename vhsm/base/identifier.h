// ValidIdentifier: the one rule for names a tenant or operator chooses
// (containers, users, key ids): 1 to max characters of A-Z a-z 0-9 . _ -
// plus the given extra characters, not starting with '.' or '-' (so a name
// is never a hidden file or taken for a flag). Thread-safe (pure).
#ifndef VHSM_BASE_IDENTIFIER_H_
#define VHSM_BASE_IDENTIFIER_H_

#include <cstddef>
#include <string_view>

namespace vhsm {

inline bool ValidIdentifier(std::string_view s, size_t max, std::string_view extra = {}) {
  if (s.empty() || s.size() > max || s[0] == '.' || s[0] == '-') return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-' || extra.find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

}  // namespace vhsm

#endif  // VHSM_BASE_IDENTIFIER_H_
