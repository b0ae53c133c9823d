// The one table of operations: what handles each, and what it needs.
#include <unordered_map>

#include "vhsm/server/ops/ops.h"

namespace vhsm::server::ops {
namespace {

using R = proto::Request;

const std::unordered_map<int, Op>& Table() {
  static const auto* table = new std::unordered_map<int, Op>{
      {R::kOpenSession, {OpenSession, Need::kNothing}},
      {R::kServerKey, {ServerKey, Need::kNothing}},
      {R::kCloseSession, {CloseSession, Need::kSession}},
      {R::kLogin, {Login, Need::kSession}},
      {R::kLogout, {Logout, Need::kSession}},
      {R::kUserStatus, {UserStatus, Need::kSession}},
      {R::kPasswordChange, {PasswordChange, Need::kLogin}},
      {R::kKeyGenerate, {KeyGenerate, Need::kLogin}},
      {R::kKeyImport, {KeyImport, Need::kLogin}},
      {R::kKeyDelete, {KeyDelete, Need::kLogin}},
      {R::kKeyList, {KeyList, Need::kLogin}},
      {R::kKeyInfo, {KeyInfo, Need::kLogin}},
      {R::kKeyPublic, {KeyPublic, Need::kLogin}},
      {R::kKeyDerive, {KeyDerive, Need::kLogin}},
      {R::kKeyRotate, {KeyRotate, Need::kLogin}},
      {R::kKeySet, {KeySet, Need::kLogin}},
      {R::kKeyShare, {KeyShare, Need::kLogin}},
      {R::kKeyUnshare, {KeyUnshare, Need::kLogin}},
      {R::kKeyExport, {KeyExport, Need::kLogin}},
      {R::kKeyImportWrapped, {KeyImportWrapped, Need::kLogin}},
      {R::kRewrap, {Rewrap, Need::kLogin}},
      {R::kObjectCreate, {ObjectCreate, Need::kLogin}},
      {R::kObjectList, {ObjectList, Need::kLogin}},
      {R::kObjectGet, {ObjectGet, Need::kLogin}},
      {R::kObjectDelete, {ObjectDelete, Need::kLogin}},
      {R::kDigestInit, {ContextInit, Need::kSession}},
      {R::kMacInit, {ContextInit, Need::kSession}},  // the MAC key needs a login
      {R::kDigestUpdate, {ContextUpdate, Need::kSession}},
      {R::kMacUpdate, {ContextUpdate, Need::kSession}},
      {R::kDigestFinal, {ContextFinal, Need::kSession}},
      {R::kMacFinal, {ContextFinal, Need::kSession}},
      {R::kDigest, {Digest, Need::kSession}},
      {R::kMac, {Mac, Need::kLogin}},
      {R::kEncrypt, {Encrypt, Need::kLogin}},
      {R::kDecrypt, {Decrypt, Need::kLogin}},
      {R::kSign, {Sign, Need::kLogin}},
      {R::kVerify, {Verify, Need::kLogin}},
      {R::kContainerAttach, {ContainerAttach, Need::kHostRoot}},
      {R::kContainerAttachMany, {ContainerAttachMany, Need::kHostRoot}},
      {R::kContainerDetach, {ContainerDetach, Need::kHostRoot}},
      {R::kContainerList, {ContainerList, Need::kHostRoot}},
      {R::kContainerExport, {ContainerExport, Need::kHostRoot}},
      {R::kContainerImport, {ContainerImport, Need::kHostRoot}},
      {R::kUserAdd, {UserAdd, Need::kHostRoot}},
      {R::kUserDelete, {UserDelete, Need::kHostRoot}},
      {R::kUserList, {UserList, Need::kHostRoot}},
      {R::kUserPassword, {UserPassword, Need::kHostRoot}},
      {R::kMemberAdd, {MemberAdd, Need::kContainerAdmin}},
      {R::kMemberDelete, {MemberDelete, Need::kContainerAdmin}},
      {R::kMemberList, {MemberList, Need::kContainerAdmin}},
      {R::kMemberQuota, {MemberQuota, Need::kContainerAdmin}},
      {R::kContainerQuota, {ContainerQuota, Need::kHostRoot}},
      {R::kAuditRead, {AuditRead, Need::kAdminOrHost}},
      {R::kAuditVerify, {AuditVerify, Need::kAdminOrHost}},
  };
  return *table;
}

}  // namespace

const Op* Find(proto::Request::OpCase op) {
  auto it = Table().find(static_cast<int>(op));
  return it == Table().end() ? nullptr : &it->second;
}

}  // namespace vhsm::server::ops
