#include "vhsm/crypto/ecdsa_sig.h"

#include <algorithm>

namespace vhsm::crypto {
namespace {

// ReadLength reads a DER length (short form, or long form up to 2 bytes).
bool ReadLength(ByteView* in, size_t* len) {
  if (in->empty()) return false;
  uint8_t b = in->data()[0];
  *in = in->substr(1);
  if (b < 0x80) {
    *len = b;
    return true;
  }
  size_t n = b & 0x7f;
  if (n == 0 || n > 2 || in->size() < n) return false;
  *len = 0;
  for (size_t i = 0; i < n; ++i) *len = (*len << 8) | in->data()[i];
  *in = in->substr(n);
  return true;
}

bool ReadInteger(ByteView* in, ByteView* value) {
  size_t len = 0;
  if (in->empty() || in->data()[0] != 0x02) return false;
  *in = in->substr(1);
  if (!ReadLength(in, &len) || len == 0 || in->size() < len) return false;
  *value = in->substr(0, len);
  *in = in->substr(len);
  while (value->size() > 1 && value->data()[0] == 0) *value = value->substr(1);
  return true;
}

void PutInteger(Bytes* out, ByteView v) {
  while (v.size() > 1 && v.data()[0] == 0) v = v.substr(1);
  bool pad = !v.empty() && (v.data()[0] & 0x80) != 0;
  out->push_back(0x02);
  out->push_back(static_cast<uint8_t>(v.size() + (pad ? 1 : 0)));
  if (pad) out->push_back(0);
  out->insert(out->end(), v.begin(), v.end());
}

}  // namespace

Result<Bytes> EcdsaDerToRaw(ByteView der, size_t n) {
  size_t len = 0;
  if (der.empty() || der.data()[0] != 0x30) return InvalidArgument("not a DER ECDSA signature");
  ByteView in = der.substr(1);
  ByteView r, s;
  if (!ReadLength(&in, &len) || len != in.size() || !ReadInteger(&in, &r) ||
      !ReadInteger(&in, &s) || !in.empty() || r.size() > n || s.size() > n) {
    return InvalidArgument("not a DER ECDSA signature");
  }
  Bytes out(2 * n, 0);
  std::copy(r.begin(), r.end(), out.begin() + static_cast<long>(n - r.size()));
  std::copy(s.begin(), s.end(), out.begin() + static_cast<long>(2 * n - s.size()));
  return out;
}

Result<Bytes> EcdsaRawToDer(ByteView raw) {
  if (raw.empty() || raw.size() % 2 != 0 || raw.size() > 132) {
    return InvalidArgument("a raw ECDSA signature is r || s of equal widths");
  }
  size_t n = raw.size() / 2;
  Bytes body;
  PutInteger(&body, raw.substr(0, n));
  PutInteger(&body, raw.substr(n));
  Bytes out{0x30};
  if (body.size() >= 0x80) out.push_back(0x81);
  out.push_back(static_cast<uint8_t>(body.size()));
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

}  // namespace vhsm::crypto
