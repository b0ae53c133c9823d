#include "tools/cli/object_command.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "vhsm/crypto/bytes.h"
#include "vhsm/crypto/certificate.h"

namespace vhsm::cli {
namespace {

uint64_t HandleOf(const char* prog, const Args& args) {
  std::string text = Word(prog, args, 2, "object handle");
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(text.c_str(), &end, 10);
  if (text.empty() || text[0] < '0' || text[0] > '9' || errno != 0 || *end != '\0' || v == 0) {
    Die(prog, "invalid object handle '" + text + "' (a number, as object list prints)");
  }
  return v;
}

std::string Hex(const std::string& s) { return crypto::HexEncode(crypto::ByteView(s)); }

void Put(const char* prog, const Args& args, const std::string& input, Client* client) {
  ObjectInfo o;
  o.cls = args.Get("class");
  o.label = args.Get("label");
  o.is_private = args.Has("private");
  o.application = args.Get("application");
  if (!args.Get("id").empty()) {
    crypto::Bytes id;
    if (!crypto::HexDecode(args.Get("id"), &id)) Die(prog, "--id takes hex (e.g. 01)");
    o.id.assign(id.begin(), id.end());
  }
  o.value = input;
  if ((o.cls == "certificate" || o.cls == "cert") &&
      input.find("-----BEGIN") != std::string::npos) {
    crypto::Bytes der = Must(prog, crypto::PemCertificateToDer(input));
    o.value.assign(der.begin(), der.end());
  }
  ObjectInfo made = Must(prog, client->CreateObject(o));
  std::printf("%llu\n", static_cast<unsigned long long>(made.handle));
}

void List(const char* prog, const Args& args, Client* client) {
  ObjectFilter f;
  f.cls = args.Get("class");
  std::vector<ObjectInfo> list = Must(prog, client->ListObjects(f));
  if (args.Has("json")) {
    nlohmann::json out = nlohmann::json::array();
    for (const ObjectInfo& o : list) {
      out.push_back({{"handle", o.handle},
                     {"class", o.cls},
                     {"id", Hex(o.id)},
                     {"label", o.label},
                     {"private", o.is_private},
                     {"application", o.application},
                     {"size", o.size},
                     {"created", o.created_unix}});
    }
    std::printf("%s\n", out.dump().c_str());
    return;
  }
  for (const ObjectInfo& o : list) {
    std::printf("%llu\t%s\t%s\t%s\t%u\n", static_cast<unsigned long long>(o.handle), o.cls.c_str(),
                Hex(o.id).c_str(), o.label.c_str(), o.size);
  }
}

}  // namespace

bool CheckObjectCommand(const char* prog, const Args& args, const std::string& sub) {
  vhsm::cli::NoMoreWords(prog, args, sub == "get" || sub == "delete" ? 3 : 2);
  if (sub == "put") {
    std::string cls = Need(prog, args, "class");
    if (cls != "certificate" && cls != "cert" && cls != "data") {
      Die(prog, "unknown object class '" + cls + "' (certificate, data)");
    }
    return true;
  }
  if (sub == "get" || sub == "delete") {
    HandleOf(prog, args);
    return false;
  }
  if (sub == "list") return false;
  Die(prog, "unknown command 'object " + sub + "' (try --help)");
}

void ObjectCommand(const char* prog, const Args& args, const std::string& sub,
                   const std::string& input, Client* client) {
  if (sub == "put") {
    Put(prog, args, input, client);
  } else if (sub == "list") {
    List(prog, args, client);
  } else if (sub == "get") {
    ObjectInfo o = Must(prog, client->GetObject(HandleOf(prog, args)));
    Must(prog, WriteOutput(args.Get("out"), o.value));
  } else if (sub == "delete") {
    Must(prog, client->DeleteObject(HandleOf(prog, args)));
  }
}

}  // namespace vhsm::cli
