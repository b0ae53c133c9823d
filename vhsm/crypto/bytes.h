// Bytes and ByteView: the byte vocabulary of vhsm/crypto.
//
// Bytes owns public data (ciphertexts, digests, signatures). ByteView borrows
// bytes from anything contiguous and never owns them: do not keep a ByteView
// past the life of what it views. Secrets are held in SecretBytes
// (secret_bytes.h), which converts to a ByteView for reading.
#ifndef VHSM_CRYPTO_BYTES_H_
#define VHSM_CRYPTO_BYTES_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vhsm::crypto {

using Bytes = std::vector<uint8_t>;

class ByteView {
 public:
  ByteView() = default;
  ByteView(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  ByteView(const Bytes& b) : data_(b.data()), size_(b.size()) {}  // NOLINT
  ByteView(std::string_view s)                                    // NOLINT
      : data_(reinterpret_cast<const uint8_t*>(s.data())), size_(s.size()) {}
  ByteView(const std::string& s) : ByteView(std::string_view(s)) {}  // NOLINT
  ByteView(const char* s) : ByteView(std::string_view(s)) {}         // NOLINT

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const uint8_t* begin() const { return data_; }
  const uint8_t* end() const { return data_ + size_; }
  ByteView substr(size_t pos, size_t n = SIZE_MAX) const {
    if (pos > size_) pos = size_;
    if (n > size_ - pos) n = size_ - pos;
    return ByteView(data_ + pos, n);
  }
  Bytes ToBytes() const { return Bytes(begin(), end()); }
  // The same bytes as text, without a copy (for a file or a string API).
  std::string_view AsStringView() const {
    return std::string_view(reinterpret_cast<const char*>(data_), size_);
  }

 private:
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

// HexEncode returns lower-case hex. HexDecode returns false on odd length or
// a non-hex character, leaving *out unspecified.
std::string HexEncode(ByteView data);
bool HexDecode(std::string_view hex, Bytes* out);

// Base64Encode returns standard base64 (RFC 4648 section 4) with padding.
// Base64Decode accepts exactly that (surrounding whitespace aside) and
// returns false on anything else.
std::string Base64Encode(ByteView data);
bool Base64Decode(std::string_view text, Bytes* out);

}  // namespace vhsm::crypto

#endif  // VHSM_CRYPTO_BYTES_H_
